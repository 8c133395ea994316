"""Sending email over SMTP (stdlib ``smtplib``): account emails and alerts.

One :class:`Mailer` per process, built from :class:`~tenderlens.settings.MailSettings`.
Each :meth:`Mailer.send` opens its own connection, so a dropped server never leaves a
broken session behind; a failure raises :class:`MailError` naming the server and the cause.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING

from tenderlens.exceptions import TenderlensError
from tenderlens.settings import MailSettings

if TYPE_CHECKING:
    from collections.abc import Mapping


class MailError(TenderlensError):
    """An email could not be sent (server unreachable, refused, or authentication failed)."""


class Mailer:
    """Sends plain-text (optionally also HTML) email through the configured SMTP server."""

    def __init__(self, settings: MailSettings | None = None, *, timeout: float = 30.0) -> None:
        self.settings = settings or MailSettings.load()
        self.timeout = timeout

    def link(self, path: str) -> str:
        """An absolute link into the web app, for an email (``TENDERLENS_BASE_URL`` + path)."""
        return self.settings.base_url + path

    def message(
        self,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.from_address
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        domain = self.settings.from_address.rpartition("@")[2] or "localhost"
        message["Message-ID"] = make_msgid(domain=domain)
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
        return message

    def send(
        self,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Send one email. ``headers`` may add e.g. ``List-Unsubscribe`` (and ``List-Unsubscribe-Post``).

        Raises :class:`MailError` if the server cannot be reached or refuses the message.
        """
        self.send_message(self.message(to, subject, text, html, headers))

    def send_message(self, message: EmailMessage) -> None:
        settings = self.settings
        where = f"{settings.host}:{settings.port}"
        try:
            with smtplib.SMTP(settings.host, settings.port, timeout=self.timeout) as smtp:
                if settings.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if settings.username:
                    smtp.login(settings.username, settings.password or "")
                refused = smtp.send_message(message)
        except smtplib.SMTPAuthenticationError as error:
            raise MailError(
                f"the SMTP server {where} refused the login for {settings.username}: {_reason(error)} "
                "(check TENDERLENS_SMTP_USERNAME and TENDERLENS_SMTP_PASSWORD)"
            ) from error
        except smtplib.SMTPRecipientsRefused as error:
            raise MailError(f"the SMTP server {where} refused the recipient {message['To']}") from error
        except smtplib.SMTPResponseException as error:
            raise MailError(f"the SMTP server {where} refused the email: {_reason(error)}") from error
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(
                f"cannot send email through {where}: {error or type(error).__name__} "
                "(check TENDERLENS_SMTP_HOST and TENDERLENS_SMTP_PORT)"
            ) from error
        if refused:
            raise MailError(f"the SMTP server {where} refused the recipient {message['To']}")


def _reason(error: smtplib.SMTPResponseException) -> str:
    message = (
        error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
    )
    return f"{error.smtp_code} {message}"
