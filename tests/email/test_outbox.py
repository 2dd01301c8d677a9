"""Without an SMTP host, mail is written as .eml files to the outbox folder."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import httpx

from forum.config import Settings
from tests.conftest import AppFactory, Persona
from tests.email.conftest import mailer


def test_outbox_is_configurable_and_off_with_an_smtp_host() -> None:
    assert Settings.from_env({}).mail_outbox == Path("var/outbox")
    settings = Settings.from_env({"CIRCLES_MAIL_OUTBOX": "/tmp/mail-here"})
    assert settings.mail_outbox == Path("/tmp/mail-here")
    assert settings.smtp_host is None
    smtp = Settings.from_env({"CIRCLES_SMTP_HOST": "mail.example.org", "CIRCLES_SMTP_PORT": "25"})
    assert (smtp.smtp_host, smtp.smtp_port, smtp.smtp_starttls) == ("mail.example.org", 25, True)


async def test_mail_goes_to_the_outbox_folder_without_smtp(
    make_app: AppFactory, user: Persona, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    app = make_app(mail_outbox=outbox)
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {user.token}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers
    ) as api:
        answer = await api.put("/api/v1/me/email", json={"email": "alex@example.org"})
    assert answer.status_code == 202
    await mailer(app).drain()
    [written] = list(outbox.glob("*.eml"))
    message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert message["To"] == "alex@example.org"
    assert message["Subject"] == "Confirm your e-mail address for Circles"
