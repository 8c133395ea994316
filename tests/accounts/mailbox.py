"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, for tests that send email."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tenderlens.mail import Mailer
from tenderlens.settings import MailSettings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Mailbox:
    """Messages received by the server, parsed, in arrival order."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def wait(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"expected {count} emails, got {len(self.messages)}"
        return self.messages

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    @staticmethod
    def text(message: EmailMessage) -> str:
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        return str(body.get_content())  # type: ignore[attr-defined]

    def link(self, message: EmailMessage, path: str) -> str:
        """The first link in the message's text whose path starts with ``path``, as a path and query."""
        found = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s>]*)", self.text(message))
        assert found, f"no link to {path} in: {self.text(message)}"
        return found.group(1)


def start_mailbox() -> tuple[Mailbox, Controller]:
    mailbox = Mailbox(port=free_port())
    controller = Controller(mailbox, hostname=mailbox.host, port=mailbox.port)
    controller.start()
    return mailbox, controller


def mailer_for(box: Mailbox) -> Mailer:
    """A mailer sending to ``box``, with links to ``http://tenderlens.test``."""
    settings = MailSettings(
        host=box.host, port=box.port, from_address="alerts@tenderlens.test", base_url="http://tenderlens.test"
    )
    return Mailer(settings, timeout=5)
