"""Sending mail: over SMTP when a host is configured, else as .eml files in a local outbox.

Mail leaves after the request has committed and answered, in a task of its own: a slow
or failing mail server never holds a transaction, and how long an answer takes never
says whether a message was sent (password resets must not reveal who has an account).
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from forum.config import Settings

log = logging.getLogger("circles.mail")
SMTP_TIMEOUT = 30.0


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pending: set[asyncio.Task[None]] = set()

    @property
    def outbox(self) -> Path | None:
        """The folder mail is written to, or None when it goes to an SMTP server."""
        return None if self.settings.smtp_host else self.settings.mail_outbox

    def message(self, mail: Mail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.mail_from
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="circles")
        message.set_content(mail.text)
        return message

    async def send(self, mail: Mail) -> None:
        """Deliver now (the digest command waits for each message it sends)."""
        await asyncio.to_thread(self._deliver, self.message(mail))

    def send_later(self, mail: Mail) -> None:
        """Deliver in the background; a failure is logged, never shown to the asker."""
        task = asyncio.get_running_loop().create_task(self._send_logged(mail))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def drain(self) -> None:
        """Wait for every message handed to `send_later` so far (tests, shutdown)."""
        while self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    async def _send_logged(self, mail: Mail) -> None:
        try:
            await self.send(mail)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("mail to a member could not be sent: %s", exc)

    def _deliver(self, message: EmailMessage) -> None:
        settings = self.settings
        if settings.smtp_host is None:
            self._write(message)
            return
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(message)

    def _write(self, message: EmailMessage) -> None:
        folder = self.settings.mail_outbox
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{uuid.uuid4().hex}.eml"
        path.write_bytes(bytes(message))
        log.info("mail written to %s", path)
