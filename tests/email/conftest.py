"""A real SMTP server (aiosmtpd) on a free port, and the app sending its mail there."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from starlette.applications import Starlette

from forum.mail.sender import Mailer
from tests.conftest import AppFactory, Persona, ok
from tests.live import free_port

BASE_URL = "http://circles.example"


@dataclass
class Inbox:
    """What the SMTP server received, in order."""

    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = cast(bytes, envelope.content)
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        self.messages.append(cast(EmailMessage, parsed))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return cast(str, cast(Any, part).get_content())


def link_token(message: EmailMessage, path: str) -> str:
    """The token of the one link to `path` in the mail."""
    found = re.findall(re.escape(f"{BASE_URL}{path}?token=") + r"([A-Za-z0-9_-]+)", body(message))
    assert len(found) == 1, body(message)
    return str(found[0])


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def app(make_app: AppFactory, inbox: Inbox) -> Starlette:
    """Every persona's client talks to this app, which mails through the SMTP server."""
    return make_app(
        smtp_host="127.0.0.1",
        smtp_port=inbox.port,
        smtp_starttls=False,
        base_url=BASE_URL,
    )


def mailer(app: Starlette) -> Mailer:
    found: Mailer = app.state.circles.mailer
    return found


async def add_email(app: Starlette, inbox: Inbox, persona: Persona, address: str) -> str:
    """Add the address through the API; the verification token from the mail received."""
    await ok(await persona.api.put("/api/v1/me/email", json={"email": address}), 202)
    await mailer(app).drain()
    return link_token(inbox.to(address)[-1], "/account/email/verify")


async def verified_email(app: Starlette, inbox: Inbox, persona: Persona, address: str) -> None:
    token = await add_email(app, inbox, persona, address)
    state = await ok(await persona.api.post("/api/v1/me/email/verify", json={"token": token}))
    assert state["verified"] is True
