"""The mailer against a real SMTP server on loopback (aiosmtpd started by the test)."""

from __future__ import annotations

import pytest

from tenderlens.mail import Mailer, MailError
from tenderlens.settings import MailSettings
from tests.accounts.mailbox import Mailbox, free_port, mailer_for


def test_a_text_and_html_email_arrives_with_its_headers(mailbox: Mailbox) -> None:
    mailer = mailer_for(mailbox)
    mailer.send(
        "buyer@example.org",
        "New notices for “victim support”",
        "Two new notices.\nUnsubscribe: " + mailer.link("/alerts/unsubscribe/abc"),
        html="<p>Two new notices.</p>",
        headers={
            "List-Unsubscribe": "<" + mailer.link("/alerts/unsubscribe/abc") + ">",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    [message] = mailbox.wait(1)
    assert mailbox.envelopes == [("alerts@tenderlens.test", ["buyer@example.org"])]
    assert message["Subject"] == "New notices for “victim support”"
    assert message["From"] == "alerts@tenderlens.test"
    assert message["List-Unsubscribe"] == "<http://tenderlens.test/alerts/unsubscribe/abc>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].endswith("@tenderlens.test>")
    assert "Two new notices." in mailbox.text(message)
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    assert "<p>Two new notices.</p>" in html.get_content()
    assert mailbox.link(message, "/alerts/unsubscribe/") == "/alerts/unsubscribe/abc"


def test_an_unreachable_server_is_a_clear_error() -> None:
    port = free_port()  # nothing listens here
    mailer = Mailer(MailSettings(host="127.0.0.1", port=port), timeout=2)
    with pytest.raises(MailError, match=rf"cannot send email through 127.0.0.1:{port}.*TENDERLENS_SMTP_HOST"):
        mailer.send("someone@example.org", "Hello", "text")


def test_a_login_the_server_cannot_do_is_a_clear_error(mailbox: Mailbox) -> None:
    settings = MailSettings(host=mailbox.host, port=mailbox.port, username="u", password="p")
    with pytest.raises(MailError, match=r"127.0.0.1:\d+"):
        Mailer(settings, timeout=5).send("someone@example.org", "Hello", "text")
    assert mailbox.messages == []


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENDERLENS_SMTP_HOST", "smtp.example.org")
    monkeypatch.setenv("TENDERLENS_SMTP_PORT", "587")
    monkeypatch.setenv("TENDERLENS_SMTP_STARTTLS", "true")
    monkeypatch.setenv("TENDERLENS_SMTP_FROM", "tenders@example.org")
    monkeypatch.setenv("TENDERLENS_BASE_URL", "https://tenders.example.org/")
    settings = MailSettings.load()
    assert (settings.host, settings.port, settings.starttls) == ("smtp.example.org", 587, True)
    assert Mailer(settings).link("/account") == "https://tenders.example.org/account"
    monkeypatch.setenv("TENDERLENS_SMTP_PORT", "many")
    with pytest.raises(Exception, match="TENDERLENS_SMTP_PORT"):
        MailSettings.load()
