"""Changing one's password (API and account page) and admins setting site roles."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select
from starlette.applications import Starlette

from forum.accounts.models import ApiToken, AuthSession, User
from forum.db import utcnow
from tests.conftest import PASSWORD, Database, Persona, PersonaFactory, ok
from tests.forum.test_accounts import BrowserFactory, browser, me_with_cookie, signed_in

__all__ = ["browser"]  # the fixture, shared with test_accounts

NEW = "a brand new passphrase"


async def live_credentials(database: Database, user_id: int) -> tuple[int, int]:
    """(sessions still signed in, tokens not revoked) of one member."""
    async with database.sessions() as db:
        sessions = await db.scalar(
            select(func.count())
            .select_from(AuthSession)
            .where(
                AuthSession.user_id == user_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > utcnow(),
            )
        )
        tokens = await db.scalar(
            select(func.count())
            .select_from(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        )
        return int(sessions or 0), int(tokens or 0)


async def password_hash(database: Database, user_id: int) -> str:
    async with database.sessions() as db:
        return str(await db.scalar(select(User.password_hash).where(User.id == user_id)))


async def change(persona: Persona, current: str, new: str = NEW) -> httpx.Response:
    return await persona.api.post(
        "/api/v1/me/password", json={"current_password": current, "new_password": new}
    )


async def test_changing_the_password_ends_every_other_sign_in_but_keeps_this_token(
    app: Starlette,
    database: Database,
    user: Persona,
    browser: BrowserFactory,
    make_persona: PersonaFactory,
) -> None:
    laptop = await signed_in(browser, user)
    spare = await ok(
        await user.api.post(
            "/api/v1/auth/token", json={"username": "alex", "password": PASSWORD, "name": "spare"}
        )
    )
    bystander = await make_persona("blake")
    assert await live_credentials(database, user.id) == (1, 2)
    changed = await ok(await change(user, PASSWORD))
    assert changed == {"changed": True, "sessions_ended": 1, "tokens_revoked": 1}
    assert await live_credentials(database, user.id) == (0, 1)
    await ok(await user.api.get("/api/v1/me"))  # the token it was changed with
    assert laptop.session_cookie is not None
    assert (await me_with_cookie(app, laptop.session_cookie)).status_code == 401
    spare_me = await user.api.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {spare['token']}"}
    )
    assert spare_me.status_code == 401
    # The new password signs in; the old one no longer does; others are untouched.
    assert (await browser().login("alex", NEW)).status_code == 303
    assert (await browser().login("alex", PASSWORD)).status_code == 401
    assert await live_credentials(database, bystander.id) == (0, 1)


async def test_a_wrong_current_password_changes_nothing_and_is_limited(
    database: Database, user: Persona, browser: BrowserFactory
) -> None:
    laptop = await signed_in(browser, user)
    before = await password_hash(database, user.id)
    for _ in range(5):
        wrong = await change(user, "not my password")
        assert wrong.status_code == 403, wrong.text
        assert wrong.json()["error"]["code"] == "wrong_password"
        assert "current password" in wrong.json()["error"]["message"]
    limited = await change(user, PASSWORD)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert await password_hash(database, user.id) == before
    assert await live_credentials(database, user.id) == (1, 1)
    assert laptop.session_cookie is not None


async def test_the_new_password_follows_the_registration_rules(
    database: Database, user: Persona
) -> None:
    before = await password_hash(database, user.id)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"current_password": PASSWORD, "new_password": "short"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "x" * 257}, "new_password"),
        ({"current_password": PASSWORD, "new_password": PASSWORD}, "new_password"),
        ({"current_password": PASSWORD}, "new_password"),
        ({"new_password": NEW}, "current_password"),
    ]
    for body, field in cases:
        response = await user.api.post("/api/v1/me/password", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["field"] == field
        assert response.json()["error"]["message"]
    assert await password_hash(database, user.id) == before
    assert await live_credentials(database, user.id) == (0, 1)


async def test_changing_the_password_needs_a_signed_in_member(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW}
    )
    assert response.status_code == 401


async def test_the_account_page_changes_the_password_and_keeps_this_browser(
    app: Starlette, database: Database, user: Persona, browser: BrowserFactory
) -> None:
    phone = await signed_in(browser, user)
    laptop = await signed_in(browser, user)
    page = await laptop.http.get("/account")
    assert 'action="/account/password"' in page.text
    wrong = await laptop.submit(
        "/account/password",
        {"current_password": "nope nope nope", "new_password": NEW},
        page="/account",
    )
    assert wrong.status_code == 403
    assert "current password" in wrong.text
    done = await laptop.submit(
        "/account/password", {"current_password": PASSWORD, "new_password": NEW}, page="/account"
    )
    assert done.status_code == 303, done.text
    shown = await laptop.http.get(done.headers["location"])
    assert "Your password is changed" in shown.text
    assert phone.session_cookie is not None
    assert (await me_with_cookie(app, phone.session_cookie)).status_code == 401
    assert laptop.session_cookie is not None
    assert (await me_with_cookie(app, laptop.session_cookie)).status_code == 200
    assert await live_credentials(database, user.id) == (1, 0)


async def test_the_password_form_needs_its_csrf_token(
    database: Database, user: Persona, browser: BrowserFactory
) -> None:
    laptop = await signed_in(browser, user)
    before = await password_hash(database, user.id)
    response = await laptop.http.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": NEW}
    )
    assert response.status_code == 403
    assert await password_hash(database, user.id) == before


async def role(actor: Persona, username: str, value: object) -> httpx.Response:
    return await actor.api.put(f"/api/v1/admin/users/{username}/role", json={"role": value})


async def stored_role(database: Database, user_id: int) -> str:
    async with database.sessions() as db:
        return str(await db.scalar(select(User.role).where(User.id == user_id)))


async def test_admins_set_site_roles(
    database: Database, admin: Persona, user: Persona, moderator: Persona
) -> None:
    promoted = await ok(await role(admin, "alex", "moderator"))
    assert promoted == {"username": "alex", "display_name": "Alex", "role": "moderator"}
    assert (await ok(await user.api.get("/api/v1/me")))["role"] == "moderator"
    await ok(await role(admin, "mod", "member"))
    assert await stored_role(database, moderator.id) == "member"
    queue = await moderator.api.get("/api/v1/moderation/queue")
    assert queue.status_code == 403


async def test_only_admins_set_roles_and_never_demote_the_last_admin(
    database: Database, admin: Persona, user: Persona, moderator: Persona
) -> None:
    for actor in (user, moderator):
        refused = await role(actor, "alex", "admin")
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "not_an_admin"
    last = await role(admin, "root", "member")
    assert last.status_code == 409
    assert last.json()["error"]["code"] == "last_admin"
    assert await stored_role(database, admin.id) == "admin"
    await ok(await role(admin, "alex", "admin"))
    await ok(await role(admin, "root", "member"))  # another admin remains
    assert await stored_role(database, admin.id) == "member"


async def test_a_role_must_be_one_of_three_and_the_member_must_exist(
    database: Database, admin: Persona, user: Persona
) -> None:
    for value in ("owner", "", None, 3):
        response = await role(admin, "alex", value)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == "role"
    missing = await role(admin, "nobody-here", "moderator")
    assert missing.status_code == 404
    assert await stored_role(database, user.id) == "member"


async def test_the_admin_page_sets_a_role_with_its_form(
    database: Database, admin: Persona, user: Persona, browser: BrowserFactory
) -> None:
    page = await signed_in(browser, admin)
    shown = await page.http.get("/admin")
    assert 'action="/admin/roles"' in shown.text
    done = await page.submit("/admin/roles", {"username": "alex", "role": "moderator"}, "/admin")
    assert done.status_code == 303, done.text
    assert await stored_role(database, user.id) == "moderator"
    listed = await page.http.get(done.headers["location"])
    assert "alex" in listed.text and "Role saved." in listed.text
    refused = await page.submit("/admin/roles", {"username": "root", "role": "member"}, "/admin")
    assert refused.status_code == 409
    assert "only admin" in refused.text
    assert await stored_role(database, admin.id) == "admin"
