"""Resetting a forgotten password with a link mailed to a verified address."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import update
from starlette.applications import Starlette

from forum.db import transaction, utcnow
from forum.mail.models import MailToken
from tests.conftest import AppFactory, Database, Persona, ok
from tests.email.conftest import Inbox, body, link_token, mailer, verified_email

NEW_PASSWORD = "a brand new passphrase"


async def ask_reset(app: Starlette, client: httpx.AsyncClient, login: str) -> httpx.Response:
    answer = await client.post("/api/v1/password-reset", json={"login": login})
    await mailer(app).drain()
    return answer


async def test_reset_by_username_end_to_end(
    app: Starlette, inbox: Inbox, client: httpx.AsyncClient, user: Persona
) -> None:
    await verified_email(app, inbox, user, "alex@example.org")
    await ok(await ask_reset(app, client, "ALEX"), 202)
    mail = inbox.to("alex@example.org")[-1]
    assert mail["Subject"] == "Choose a new Circles password"
    assert "within an hour" in body(mail)
    token = link_token(mail, "/reset-password")

    page = await client.get(f"/reset-password?token={token}")
    assert page.status_code == 200
    assert f'value="{token}"' in page.text

    confirm = {"token": token, "new_password": NEW_PASSWORD}
    assert await ok(await client.post("/api/v1/password-reset/confirm", json=confirm)) == {
        "changed": True
    }
    # Every other credential ends; the new password signs in, the old one doesn't.
    assert (await user.api.get("/api/v1/me")).status_code == 401
    sign_in = {"username": "alex", "password": NEW_PASSWORD}
    await ok(await client.post("/api/v1/auth/token", json=sign_in))
    old = {"username": "alex", "password": user.password}
    assert (await client.post("/api/v1/auth/token", json=old)).status_code == 401


async def test_reset_by_verified_address(
    app: Starlette, inbox: Inbox, client: httpx.AsyncClient, user: Persona
) -> None:
    await verified_email(app, inbox, user, "Alex@Example.org")
    await ok(await ask_reset(app, client, "alex@example.ORG"), 202)
    mail = inbox.to("Alex@Example.org")[-1]
    assert "“alex”" in body(mail)  # the username, so they know which account
    link_token(mail, "/reset-password")


async def test_answer_is_the_same_whoever_is_asked_for(
    app: Starlette,
    inbox: Inbox,
    client: httpx.AsyncClient,
    user: Persona,
    other_user: Persona,
) -> None:
    await verified_email(app, inbox, user, "alex@example.org")
    await ok(await other_user.api.put("/api/v1/me/email", json={"email": "blake@example.org"}), 202)
    await mailer(app).drain()
    before = len(inbox.messages)
    answers = [
        await ask_reset(app, client, login)
        for login in ("alex", "blake", "nobody-here", "nobody@example.org", "blake@example.org")
    ]
    assert {a.status_code for a in answers} == {202}
    assert len({a.text for a in answers}) == 1
    # Only the verified address got a mail; the unverified one is never used.
    assert [m["To"] for m in inbox.messages[before:]] == ["alex@example.org"]


async def test_used_token_gets_a_clear_error(
    app: Starlette, inbox: Inbox, client: httpx.AsyncClient, user: Persona
) -> None:
    await verified_email(app, inbox, user, "alex@example.org")
    await ask_reset(app, client, "alex")
    token = link_token(inbox.messages[-1], "/reset-password")
    confirm = {"token": token, "new_password": NEW_PASSWORD}
    await ok(await client.post("/api/v1/password-reset/confirm", json=confirm))
    again = await client.post(
        "/api/v1/password-reset/confirm", json={**confirm, "new_password": "yet another one!"}
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "link_used"
    assert "ask for a new one" in again.json()["error"]["message"]


async def test_expired_token_gets_a_clear_error(
    app: Starlette, inbox: Inbox, client: httpx.AsyncClient, user: Persona, database: Database
) -> None:
    await verified_email(app, inbox, user, "alex@example.org")
    await ask_reset(app, client, "alex")
    token = link_token(inbox.messages[-1], "/reset-password")
    async with transaction(database.sessions) as db:
        await db.execute(update(MailToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    confirm = {"token": token, "new_password": NEW_PASSWORD}
    answer = await client.post("/api/v1/password-reset/confirm", json=confirm)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "link_expired"
    assert "expired" in answer.json()["error"]["message"]
    await ok(await user.api.get("/api/v1/me"))  # nothing changed


async def test_unknown_token_is_404_and_a_short_password_keeps_the_link(
    app: Starlette, inbox: Inbox, client: httpx.AsyncClient, user: Persona
) -> None:
    unknown = {"token": "not-a-token-we-sent", "new_password": NEW_PASSWORD}
    answer = await client.post("/api/v1/password-reset/confirm", json=unknown)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "link_not_found"

    await verified_email(app, inbox, user, "alex@example.org")
    await ask_reset(app, client, "alex")
    token = link_token(inbox.messages[-1], "/reset-password")
    short = await client.post(
        "/api/v1/password-reset/confirm", json={"token": token, "new_password": "short-one"}
    )
    assert short.status_code == 422
    assert short.json()["error"]["field"] == "new_password"
    confirm = {"token": token, "new_password": NEW_PASSWORD}
    await ok(await client.post("/api/v1/password-reset/confirm", json=confirm))


async def test_newer_link_replaces_the_older(
    app: Starlette, inbox: Inbox, client: httpx.AsyncClient, user: Persona
) -> None:
    await verified_email(app, inbox, user, "alex@example.org")
    await ask_reset(app, client, "alex")
    first = link_token(inbox.messages[-1], "/reset-password")
    await ask_reset(app, client, "alex")
    answer = await client.post(
        "/api/v1/password-reset/confirm", json={"token": first, "new_password": NEW_PASSWORD}
    )
    assert answer.status_code == 409


async def test_asking_too_often_is_rate_limited(make_app: AppFactory, inbox: Inbox) -> None:
    app = make_app(reset_rate_burst=2, smtp_host="127.0.0.1", smtp_port=inbox.port)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        answers = [await ask_reset(app, client, f"someone-{n}") for n in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 429]
    assert answers[-1].headers["Retry-After"]


async def test_pages_send_the_link_and_set_the_password(
    app: Starlette, inbox: Inbox, client: httpx.AsyncClient, user: Persona
) -> None:
    await verified_email(app, inbox, user, "alex@example.org")
    login = await client.get("/login")
    assert 'href="/forgot-password"' in login.text
    form = await client.get("/forgot-password")
    csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    sent = await client.post("/forgot-password", data={"csrf_token": csrf, "login": "alex"})
    assert sent.status_code == 200
    assert "a link to choose a new password is on its way" in sent.text
    await mailer(app).drain()
    token = link_token(inbox.messages[-1], "/reset-password")
    done = await client.post(
        "/reset-password",
        data={"csrf_token": csrf, "token": token, "new_password": NEW_PASSWORD},
    )
    assert done.status_code == 200
    assert "Your new password is set" in done.text
    used = await client.post(
        "/reset-password",
        data={"csrf_token": csrf, "token": token, "new_password": NEW_PASSWORD},
    )
    assert used.status_code == 409
    assert "already been used" in used.text


async def test_blank_or_overlong_login_is_refused(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    for blank in ("", "  ", "\f", "\ufeff", "a" * 255):
        answer = await client.post("/api/v1/password-reset", json={"login": blank})
        assert answer.status_code == 422, repr(blank)
        assert answer.json()["error"]["field"] == "login"
