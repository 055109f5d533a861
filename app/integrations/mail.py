"""Sending e-mail over SMTP (thư điện tử) for notifications, when a server is configured."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Protocol

from app.integrations.errors import IntegrationError


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str, message_id: str) -> None: ...


class SmtpMailer:
    def __init__(self, server: str, sender: str, timeout: float = 5.0) -> None:
        host, _, port = server.partition(":")
        self.host, self.port = host, int(port or 25)
        self.sender, self.timeout = sender, timeout

    def send(self, to: str, subject: str, body: str, message_id: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        # The outbox id makes the Message-ID stable, so a retried delivery is recognisable.
        message["Message-ID"] = f"<{message_id}@gqtthc>"
        message.set_content(body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise IntegrationError(f"mail refused for {to}: {exc}", retryable=False) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise IntegrationError(f"mail not sent: {exc}", retryable=True) from exc
