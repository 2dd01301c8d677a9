"""The daily digest: once a day, only to verified addresses that asked, only texts and links."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.applications import Starlette

from forum.db import transaction, utcnow
from forum.mail.digest import send_digests
from forum.notifications import service as notifications
from tests.conftest import Database, Persona, ok
from tests.email.conftest import BASE_URL, Inbox, body, mailer, verified_email

REPLY = {"member": "Blake", "thread_title": "Small steps", "thread_id": 7, "post_id": 9}
SUPPORT = {
    "message": "We haven't forgotten what you wrote.",
    "lines": ["Samaritans: call 116 123"],
    "region": "GB",
}


async def tell(database: Database, user_id: int, kind: str, data: dict[str, Any]) -> None:
    async with transaction(database.sessions) as db:
        await notifications.notify(db, user_id, kind, data)


async def test_digest_sends_once_a_day_with_the_unread_notifications(
    app: Starlette, inbox: Inbox, user: Persona, database: Database
) -> None:
    await verified_email(app, inbox, user, "alex@example.org")
    await ok(await user.api.patch("/api/v1/me/email", json={"digest": True}))
    await tell(database, user.id, "reply", REPLY)
    await tell(database, user.id, "support_waiting", SUPPORT)
    read = {"member": "Casey", "thread_title": "Already read", "thread_id": 8, "post_id": 1}
    await tell(database, user.id, "reply", read)
    last = (await ok(await user.api.get("/api/v1/me/notifications")))["items"][0]
    await ok(await user.api.post("/api/v1/me/notifications/read", json={"ids": [last["id"]]}))
    before = len(inbox.messages)

    assert await send_digests(database.sessions, mailer(app)) == 1
    [mail] = inbox.messages[before:]
    assert mail["To"] == "alex@example.org"
    assert mail["Subject"] == "Your Circles notifications"
    text = body(mail)
    assert "Blake replied to your thread “Small steps”." in text
    assert f"{BASE_URL}/threads/7#post-9" in text
    assert "Already read" not in text
    # Crisis care is said gently, and what was said stays on the site.
    assert "Whenever you feel ready" in text
    assert "haven't forgotten" not in text and "116 123" not in text

    assert await send_digests(database.sessions, mailer(app)) == 0  # not twice a day
    assert len(inbox.messages) == before + 1

    tomorrow = utcnow() + timedelta(days=1)
    assert await send_digests(database.sessions, mailer(app), tomorrow) == 0  # nothing new
    await tell(database, user.id, "reply", {**REPLY, "thread_title": "The next day"})
    assert await send_digests(database.sessions, mailer(app), tomorrow) == 1
    text = body(inbox.messages[-1])
    assert "The next day" in text and "Small steps" not in text


async def test_no_digest_unless_asked_for_and_verified(
    app: Starlette, inbox: Inbox, user: Persona, other_user: Persona, database: Database
) -> None:
    # Alex verified an address but never asked for the digest.
    await verified_email(app, inbox, user, "alex@example.org")
    # Blake asked for it, but never opened the verification link.
    await ok(await other_user.api.put("/api/v1/me/email", json={"email": "blake@example.org"}), 202)
    await ok(await other_user.api.patch("/api/v1/me/email", json={"digest": True}))
    await mailer(app).drain()
    for persona in (user, other_user):
        await tell(database, persona.id, "reply", REPLY)
    before = len(inbox.messages)
    assert await send_digests(database.sessions, mailer(app)) == 0
    assert inbox.messages[before:] == []
