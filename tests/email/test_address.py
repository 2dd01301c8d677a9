"""Adding, verifying and removing one's own e-mail address; it is never shown to others."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from starlette.applications import Starlette

from forum.db import transaction, utcnow
from forum.mail.models import MailToken
from tests.conftest import Database, Persona, ok
from tests.email.conftest import Inbox, add_email, body, mailer, verified_email


async def test_added_address_is_verified_with_the_mailed_link(
    app: Starlette, inbox: Inbox, user: Persona
) -> None:
    token = await add_email(app, inbox, user, "alex@example.org")
    [mail] = inbox.to("alex@example.org")
    assert mail["Subject"] == "Confirm your e-mail address for Circles"
    assert "within 24 hours" in body(mail)
    assert (await ok(await user.api.get("/api/v1/me/email"))) == {
        "email": "alex@example.org",
        "verified": False,
        "digest": False,
    }
    state = await ok(await user.api.post("/api/v1/me/email/verify", json={"token": token}))
    assert state == {"email": "alex@example.org", "verified": True, "digest": False}


async def test_verification_link_works_once(app: Starlette, inbox: Inbox, user: Persona) -> None:
    token = await add_email(app, inbox, user, "alex@example.org")
    await ok(await user.api.post("/api/v1/me/email/verify", json={"token": token}))
    again = await user.api.post("/api/v1/me/email/verify", json={"token": token})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "link_used"
    assert "already been used" in again.json()["error"]["message"]


async def test_expired_verification_link_is_refused_clearly(
    app: Starlette, inbox: Inbox, user: Persona, database: Database
) -> None:
    token = await add_email(app, inbox, user, "alex@example.org")
    async with transaction(database.sessions) as db:
        await db.execute(update(MailToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    answer = await user.api.post("/api/v1/me/email/verify", json={"token": token})
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "link_expired"
    assert (await ok(await user.api.get("/api/v1/me/email")))["verified"] is False


async def test_someone_elses_link_verifies_nothing(
    app: Starlette, inbox: Inbox, user: Persona, other_user: Persona
) -> None:
    token = await add_email(app, inbox, user, "alex@example.org")
    answer = await other_user.api.post("/api/v1/me/email/verify", json={"token": token})
    assert answer.status_code == 404
    assert (await ok(await user.api.get("/api/v1/me/email")))["verified"] is False


async def test_a_changed_address_is_unverified_and_old_links_stop_working(
    app: Starlette, inbox: Inbox, user: Persona
) -> None:
    first = await add_email(app, inbox, user, "alex@example.org")
    await add_email(app, inbox, user, "alex@example.net")
    answer = await user.api.post("/api/v1/me/email/verify", json={"token": first})
    assert answer.status_code == 409
    assert (await ok(await user.api.get("/api/v1/me/email")))["email"] == "alex@example.net"


async def test_not_an_address_gets_a_clear_422(app: Starlette, inbox: Inbox, user: Persona) -> None:
    for bad in ("alex", "alex@", "@example.org", "alex@example", "a b@example.org"):
        answer = await user.api.put("/api/v1/me/email", json={"email": bad})
        assert answer.status_code == 422, bad
        error = answer.json()["error"]
        assert error["code"] == "bad_email"
        assert "name@example.org" in error["message"]
    await mailer(app).drain()
    assert inbox.messages == []


async def test_address_is_never_in_public_or_profile_json(
    app: Starlette, inbox: Inbox, user: Persona, other_user: Persona
) -> None:
    await verified_email(app, inbox, user, "alex-private@example.org")
    seen = [
        await user.api.get("/api/v1/me"),
        await other_user.api.get(f"/api/v1/users/{user.username}"),
        await other_user.api.get("/api/v1/me/email"),
    ]
    for answer in seen:
        assert answer.status_code == 200
        assert "alex-private" not in answer.text


async def test_removed_address_is_forgotten(app: Starlette, inbox: Inbox, user: Persona) -> None:
    await verified_email(app, inbox, user, "alex@example.org")
    state = await ok(await user.api.delete("/api/v1/me/email"))
    assert state == {"email": None, "verified": False, "digest": False}
    await ok(await user.api.post("/api/v1/password-reset", json={"login": "alex"}), 202)
    await mailer(app).drain()
    assert len(inbox.messages) == 1  # only the verification mail


async def test_digest_needs_an_address(app: Starlette, inbox: Inbox, user: Persona) -> None:
    answer = await user.api.patch("/api/v1/me/email", json={"digest": True})
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "no_email"
    await verified_email(app, inbox, user, "alex@example.org")
    state = await ok(await user.api.patch("/api/v1/me/email", json={"digest": True}))
    assert state["digest"] is True


async def test_own_address_is_in_the_members_own_export(
    app: Starlette, inbox: Inbox, user: Persona
) -> None:
    await verified_email(app, inbox, user, "alex@example.org")
    export = await ok(await user.api.get("/api/v1/me/export"))
    assert export["settings"]["email"] == {
        "email": "alex@example.org",
        "verified": True,
        "digest": False,
    }
