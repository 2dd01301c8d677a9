"""Accounts: registering, tokens, password storage, browser sessions and rate limits."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from forum.accounts.models import AuthSession, User
from moderation.content_warnings import WARNINGS
from tests.conftest import (
    PASSWORD,
    AppFactory,
    Database,
    Persona,
    PersonaFactory,
    ThreadFactory,
    join,
    ok,
)

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
FORM_ERROR = re.compile(r'<p class="form-error"[^>]*>([^<]*)</p>')
SESSION_REVOKE_FORM = re.compile(r'action="/account/sessions/(\d+)/revoke"')


class Browser:
    """A person using the pages: keeps cookies and submits forms with their CSRF token."""

    def __init__(self, app: Starlette) -> None:
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )

    async def csrf_token(self, page: str = "/login") -> str:
        response = await self.http.get(page)
        assert response.status_code == 200, response.text
        match = CSRF_INPUT.search(response.text)
        assert match is not None, f"no csrf_token input on {page}"
        return match.group(1)

    async def submit(self, path: str, data: dict[str, str], page: str = "/login") -> httpx.Response:
        """POST a form the way the page would: with the hidden csrf_token from `page`."""
        return await self.http.post(path, data={**data, "csrf_token": await self.csrf_token(page)})

    async def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        return await self.submit("/login", {"username": username, "password": password})

    @property
    def session_cookie(self) -> str | None:
        return self.http.cookies.get("circles_session")

    async def aclose(self) -> None:
        await self.http.aclose()


BrowserFactory = Callable[..., Browser]


@pytest.fixture
async def browser(app: Starlette) -> AsyncIterator[BrowserFactory]:
    """Opens browsers on the test app (or on another app given as argument)."""
    opened: list[Browser] = []

    def make(on: Starlette | None = None) -> Browser:
        opened.append(Browser(on or app))
        return opened[-1]

    yield make
    for each in opened:
        await each.aclose()


async def signed_in(make: BrowserFactory, persona: Persona) -> Browser:
    browser = make()
    response = await browser.login(persona.username, persona.password)
    assert response.status_code == 303, response.text
    assert browser.session_cookie
    return browser


async def me_with_cookie(app: Starlette, cookie: str) -> httpx.Response:
    """Ask who is signed in, carrying nothing but the given session cookie."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        cookies={"circles_session": cookie},
    ) as fresh:
        return await fresh.get("/api/v1/me")


async def count_users(database: Database, username: str | None = None) -> int:
    query = select(func.count()).select_from(User)
    if username is not None:
        query = query.where(User.username_key == username.casefold())
    async with database.sessions() as db:
        return int(await db.scalar(query) or 0)


# Registering


async def test_register_creates_member_who_can_get_a_token(client: httpx.AsyncClient) -> None:
    created = await ok(
        await client.post(
            "/api/v1/auth/register",
            json={"username": "Quiet.Fox", "password": "a long enough pass", "display_name": "Fox"},
        ),
        201,
    )
    assert set(created) >= {"id", "username", "display_name"}
    assert created["username"] == "Quiet.Fox"
    assert created["role"] == "member"
    token = await ok(
        await client.post(
            "/api/v1/auth/token", json={"username": "quiet.fox", "password": "a long enough pass"}
        )
    )
    assert token["user"]["id"] == created["id"]


async def test_register_squeezes_spaces_in_display_name(client: httpx.AsyncClient) -> None:
    created = await ok(
        await client.post(
            "/api/v1/auth/register",
            json={"username": "sam", "password": "a long enough pass", "display_name": " Sam  B "},
        ),
        201,
    )
    assert created["display_name"] == "Sam B"


@pytest.mark.parametrize("taken", ["alex", "ALEX", "Alex"])
async def test_register_refuses_username_taken_in_any_case(
    client: httpx.AsyncClient, user: Persona, database: Database, taken: str
) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={"username": taken, "password": "another long pass", "display_name": "Someone"},
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "username_taken"
    assert error["message"] == "That username is taken. Please choose another."
    assert await count_users(database, "alex") == 1
    # The original account still signs in with its own password only.
    refused = await client.post(
        "/api/v1/auth/token", json={"username": "alex", "password": "another long pass"}
    )
    assert refused.status_code == 401


@pytest.mark.parametrize(
    ("username", "password", "display_name", "field", "message"),
    [
        ("ab", "a long enough pass", "Ab", "username", "Usernames are 3 to 32 characters"),
        ("has space", "a long enough pass", "Has", "username", "Usernames are 3 to 32"),
        ("x" * 33, "a long enough pass", "Long", "username", "Usernames are 3 to 32"),
        ("émile", "a long enough pass", "Emile", "username", "letters, numbers, dots"),
        ("<script>", "a long enough pass", "Sneaky", "username", "Usernames are 3 to 32"),
        ("blank_name", "a long enough pass", "   ", "display_name", "Display names are 1 to 48"),
        ("long_name", "a long enough pass", "y" * 49, "display_name", "Display names are 1"),
        ("short_pw", "tooshort", "Short", "password", "Passwords need at least 10 characters"),
        ("huge_pw", "p" * 257, "Huge", "password", "Passwords can be at most 256 characters"),
    ],
)
async def test_register_refuses_invalid_details_and_writes_nothing(
    client: httpx.AsyncClient,
    database: Database,
    username: str,
    password: str,
    display_name: str,
    field: str,
    message: str,
) -> None:
    before = await count_users(database)
    response = await client.post(
        "/api/v1/auth/register",
        json={"username": username, "password": password, "display_name": display_name},
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["field"] == field
    assert message in error["message"]
    assert await count_users(database) == before
    login = await client.post(
        "/api/v1/auth/token", json={"username": username, "password": password}
    )
    assert login.status_code == 401


async def test_register_refuses_missing_field_with_its_name(
    client: httpx.AsyncClient, database: Database
) -> None:
    response = await client.post(
        "/api/v1/auth/register", json={"username": "nopass", "display_name": "No pass"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "'password' is required."
    assert await count_users(database, "nopass") == 0


async def test_register_page_shows_problem_and_writes_nothing(
    browser: BrowserFactory, database: Database
) -> None:
    page = browser()
    response = await page.submit(
        "/register", {"username": "newcomer", "password": "short", "display_name": "New"}
    )
    assert response.status_code == 422
    error = FORM_ERROR.search(response.text)
    assert error is not None
    assert "Passwords need at least 10 characters" in error.group(1)
    assert 'value="newcomer"' in response.text  # the form keeps what they typed
    assert "short" not in re.findall(r'value="([^"]*)"', response.text)
    assert page.session_cookie is None
    assert await count_users(database, "newcomer") == 0


async def test_register_page_signs_the_new_member_in(
    browser: BrowserFactory, app: Starlette, database: Database
) -> None:
    page = browser()
    response = await page.submit(
        "/register",
        {"username": "newcomer", "password": "a long enough pass", "display_name": "New"},
    )
    assert response.status_code == 303
    assert page.session_cookie
    me = await ok(await me_with_cookie(app, page.session_cookie))
    assert me["username"] == "newcomer"
    assert await count_users(database, "newcomer") == 1


# Tokens and /me


async def test_token_from_credentials_authenticates_api(
    client: httpx.AsyncClient, user: Persona
) -> None:
    issued = await ok(
        await client.post(
            "/api/v1/auth/token", json={"username": "alex", "password": user.password}
        )
    )
    assert issued["token"] != user.token
    me = await ok(
        await client.get("/api/v1/me", headers={"Authorization": f"Bearer {issued['token']}"})
    )
    assert me == {
        "id": user.id,
        "username": "alex",
        "display_name": "Alex",
        "role": "member",
        "hide_presence": False,
        "dm_policy": "nobody",
        "muted_words": [],
        "availability": "",
        "taking_break": False,
        "content_warning_prefs": dict.fromkeys(WARNINGS, "blur"),
        "check_ins": True,
        "locale": None,
    }


async def test_token_login_ignores_username_case(client: httpx.AsyncClient, user: Persona) -> None:
    issued = await ok(
        await client.post(
            "/api/v1/auth/token", json={"username": " ALEX ", "password": user.password}
        )
    )
    assert issued["user"]["username"] == "alex"


@pytest.mark.parametrize("header", ["Bearer not-a-real-token", "Bearer " + "A" * 43])
@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/circles"])
async def test_bad_bearer_token_is_refused(
    client: httpx.AsyncClient, user: Persona, header: str, path: str
) -> None:
    response = await client.get(path, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "bad_token",
        "message": "That API token is not valid.",
    }


async def test_me_without_credentials_asks_to_log_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "login_required"


async def test_me_reports_staff_role(moderator: Persona, admin: Persona) -> None:
    assert (await ok(await moderator.api.get("/api/v1/me")))["role"] == "moderator"
    assert (await ok(await admin.api.get("/api/v1/me")))["role"] == "admin"


async def test_revoked_api_token_stops_working(
    browser: BrowserFactory, user: Persona, app: Starlette
) -> None:
    page = await signed_in(browser, user)
    account = await page.http.get("/account")
    token_id = re.search(r'action="/account/tokens/(\d+)/revoke"', account.text)
    assert token_id is not None
    revoked = await page.submit(f"/account/tokens/{token_id.group(1)}/revoke", {}, "/account")
    assert revoked.status_code == 303
    assert (await user.api.get("/api/v1/me")).status_code == 401


# Password storage


async def test_passwords_are_stored_as_argon2id_hashes(
    client: httpx.AsyncClient, database: Database
) -> None:
    password = "my very secret words"
    await ok(
        await client.post(
            "/api/v1/auth/register",
            json={"username": "hashed", "password": password, "display_name": "Hashed"},
        ),
        201,
    )
    async with database.sessions() as db:
        stored = await db.scalar(select(User.password_hash).where(User.username == "hashed"))
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert password not in stored
    other = await ok(
        await client.post(
            "/api/v1/auth/register",
            json={"username": "hashed2", "password": password, "display_name": "Other"},
        ),
        201,
    )
    async with database.sessions() as db:
        second = await db.scalar(select(User.password_hash).where(User.id == other["id"]))
    assert second != stored  # salted: the same password never gives the same hash


# Browser sessions


async def test_login_form_sets_httponly_lax_session_cookie(
    browser: BrowserFactory, user: Persona
) -> None:
    page = browser()
    response = await page.login("alex", user.password)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    set_cookies = [
        c for c in response.headers.get_list("set-cookie") if c.startswith("circles_session=")
    ]
    assert len(set_cookies) == 1
    attributes = [part.strip().lower() for part in set_cookies[0].split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes
    assert any(a.startswith("max-age=") and int(a.split("=")[1]) > 0 for a in attributes)


async def test_session_cookie_is_stored_only_as_its_sha256(
    browser: BrowserFactory, user: Persona, database: Database
) -> None:
    page = await signed_in(browser, user)
    cookie = page.session_cookie
    assert cookie is not None and len(cookie) >= 32
    async with database.sessions() as db:
        rows = (await db.scalars(select(AuthSession).where(AuthSession.user_id == user.id))).all()
    assert [row.token_hash for row in rows] == [hashlib.sha256(cookie.encode()).hexdigest()]
    for row in rows:
        stored = " ".join(str(getattr(row, c.key)) for c in AuthSession.__table__.columns)
        assert cookie not in stored


async def test_login_redirects_only_to_local_next(browser: BrowserFactory, user: Persona) -> None:
    page = browser()
    local = await page.submit(
        "/login", {"username": "alex", "password": user.password, "next": "/account"}
    )
    assert local.headers["location"] == "/account"
    other = browser()
    away = await other.submit(
        "/login", {"username": "alex", "password": user.password, "next": "//evil.example/"}
    )
    assert away.headers["location"] == "/"


async def test_login_again_rotates_session_token(
    browser: BrowserFactory, user: Persona, app: Starlette
) -> None:
    page = await signed_in(browser, user)
    first = page.session_cookie
    assert first is not None
    again = await page.login("alex", user.password)
    assert again.status_code == 303
    second = page.session_cookie
    assert second is not None and second != first
    assert (await me_with_cookie(app, first)).status_code == 401
    assert (await ok(await me_with_cookie(app, second)))["username"] == "alex"


async def test_logout_revokes_the_session(
    browser: BrowserFactory, user: Persona, app: Starlette, database: Database
) -> None:
    page = await signed_in(browser, user)
    cookie = page.session_cookie
    assert cookie is not None
    response = await page.submit("/logout", {}, "/account")
    assert response.status_code == 303
    assert page.session_cookie is None
    assert (await me_with_cookie(app, cookie)).status_code == 401
    async with database.sessions() as db:
        revoked_at = await db.scalar(
            select(AuthSession.revoked_at).where(
                AuthSession.token_hash == hashlib.sha256(cookie.encode()).hexdigest()
            )
        )
    assert revoked_at is not None


async def test_account_page_revokes_another_session(
    browser: BrowserFactory, user: Persona, app: Starlette, database: Database
) -> None:
    laptop = await signed_in(browser, user)
    phone = await signed_in(browser, user)
    assert phone.session_cookie is not None and laptop.session_cookie is not None
    async with database.sessions() as db:
        phone_session = await db.scalar(
            select(AuthSession.id).where(
                AuthSession.token_hash == hashlib.sha256(phone.session_cookie.encode()).hexdigest()
            )
        )
    account = await laptop.http.get("/account")
    listed = {int(i) for i in SESSION_REVOKE_FORM.findall(account.text)}
    assert phone_session in listed and len(listed) == 2

    response = await laptop.submit(f"/account/sessions/{phone_session}/revoke", {}, "/account")
    assert response.status_code == 303
    assert (await me_with_cookie(app, phone.session_cookie)).status_code == 401
    assert (await me_with_cookie(app, laptop.session_cookie)).status_code == 200
    account = await laptop.http.get("/account")
    assert phone_session not in {int(i) for i in SESSION_REVOKE_FORM.findall(account.text)}


async def test_member_cannot_revoke_someone_elses_session(
    browser: BrowserFactory, user: Persona, other_user: Persona, app: Starlette, database: Database
) -> None:
    theirs = await signed_in(browser, other_user)
    assert theirs.session_cookie is not None
    async with database.sessions() as db:
        session_id = await db.scalar(
            select(AuthSession.id).where(AuthSession.user_id == other_user.id)
        )
    mine = await signed_in(browser, user)
    response = await mine.submit(f"/account/sessions/{session_id}/revoke", {}, "/account")
    assert response.status_code == 404
    assert (await me_with_cookie(app, theirs.session_cookie)).status_code == 200


# Login failures do not reveal whether a username exists


async def test_api_login_failure_is_identical_for_unknown_user_and_wrong_password(
    client: httpx.AsyncClient, user: Persona
) -> None:
    wrong = await client.post(
        "/api/v1/auth/token", json={"username": "alex", "password": "not my password"}
    )
    unknown = await client.post(
        "/api/v1/auth/token", json={"username": "nobody-here", "password": "not my password"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "don't match" in wrong.json()["error"]["message"]


async def test_page_login_failure_is_identical_for_unknown_user_and_wrong_password(
    browser: BrowserFactory, user: Persona
) -> None:
    wrong = await browser().login("alex", "not my password")
    unknown = await browser().login("nobody-here", "not my password")
    assert wrong.status_code == unknown.status_code == 401
    wrong_error, unknown_error = FORM_ERROR.search(wrong.text), FORM_ERROR.search(unknown.text)
    assert wrong_error is not None and unknown_error is not None
    assert wrong_error.group(1) == unknown_error.group(1)
    assert "don't match" in html.unescape(wrong_error.group(1))
    assert "circles_session" not in wrong.headers.get("set-cookie", "")


# Login rate limit


@pytest.mark.parametrize("username", ["alex", "nobody-here"])
async def test_api_login_is_rate_limited_whether_or_not_the_name_exists(
    make_app: AppFactory, user: Persona, username: str
) -> None:
    app = make_app(login_rate_attempts=3, login_delay_seconds=30)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        for _ in range(3):
            response = await client.post(
                "/api/v1/auth/token", json={"username": username, "password": "wrong password"}
            )
            assert response.status_code == 401
        blocked = await client.post(
            "/api/v1/auth/token", json={"username": username, "password": user.password}
        )
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["retry-after"]) <= 30
    error = blocked.json()["error"]
    assert error["code"] == "rate_limited"
    wait = blocked.headers["retry-after"]
    assert (
        error["message"] == f"Too many sign-in attempts. Please wait {wait} seconds and try again."
    )
    assert error["retry_after"] == int(blocked.headers["retry-after"])


@pytest.mark.parametrize("username", ["alex", "nobody-here"])
async def test_page_login_is_rate_limited_whether_or_not_the_name_exists(
    make_app: AppFactory, browser: BrowserFactory, user: Persona, username: str
) -> None:
    page = browser(make_app(login_rate_attempts=3, login_delay_seconds=30))
    for _ in range(3):
        assert (await page.login(username, "wrong password")).status_code == 401
    blocked = await page.login(username, user.password)
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) >= 1
    error = FORM_ERROR.search(blocked.text)
    assert error is not None and "Too many sign-in attempts" in error.group(1)
    assert page.session_cookie is None


async def test_successful_login_before_the_limit_is_not_blocked(
    make_app: AppFactory, user: Persona
) -> None:
    app = make_app(login_rate_attempts=3, login_delay_seconds=30)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        for _ in range(2):
            await client.post(
                "/api/v1/auth/token", json={"username": "alex", "password": "wrong password"}
            )
        await ok(
            await client.post(
                "/api/v1/auth/token", json={"username": "alex", "password": user.password}
            )
        )


# Write rate limit


async def _reply(client: httpx.AsyncClient, thread: dict[str, Any], n: int) -> httpx.Response:
    return await client.post(f"/api/v1/threads/{thread['id']}/posts", json={"body": f"Reply {n}"})


def _api_as(app: Starlette, persona: Persona) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {persona.token}"},
    )


async def test_writing_faster_than_the_limit_gets_429_with_retry_after(
    make_app: AppFactory, user: Persona, thread: dict[str, Any]
) -> None:
    app = make_app(post_rate_burst=2, post_rate_seconds=60)
    async with _api_as(app, user) as api:
        for n in range(2):
            await ok(await _reply(api, thread, n), 201)
        limited = await _reply(api, thread, 3)
    assert limited.status_code == 429
    retry_after = int(limited.headers["retry-after"])
    assert 50 <= retry_after <= 61
    error = limited.json()["error"]
    assert error["code"] == "rate_limited"
    assert "posting faster than this space allows" in error["message"]
    assert "try again in" in error["message"]
    page = await ok(await user.api.get(f"/api/v1/threads/{thread['id']}"))
    assert [p["body_html"] for p in page["posts"][1:]] == ["<p>Reply 0</p>\n", "<p>Reply 1</p>\n"]


async def test_write_limit_is_per_member(
    make_app: AppFactory,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    app = make_app(post_rate_burst=2, post_rate_seconds=60)
    async with _api_as(app, user) as mine, _api_as(app, other_user) as theirs:
        for n in range(2):
            await ok(await _reply(mine, thread, n), 201)
        assert (await _reply(mine, thread, 2)).status_code == 429
        await ok(await _reply(theirs, thread, 0), 201)


async def test_reply_form_over_the_limit_says_when_to_retry(
    make_app: AppFactory, browser: BrowserFactory, user: Persona, thread: dict[str, Any]
) -> None:
    page = browser(make_app(post_rate_burst=2, post_rate_seconds=60))
    assert (await page.login("alex", user.password)).status_code == 303
    path = f"/threads/{thread['id']}"
    for n in range(2):
        sent = await page.submit(f"{path}/reply", {"body": f"Reply {n}"}, path)
        assert sent.status_code == 303
    limited = await page.submit(f"{path}/reply", {"body": "One more"}, path)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    error = FORM_ERROR.search(limited.text)
    assert error is not None and "try again in" in error.group(1)
    assert "One more" in limited.text  # the draft is kept for them


@pytest.mark.parametrize("role", ["moderator", "admin"])
async def test_staff_are_exempt_from_the_write_limit(
    make_app: AppFactory,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
    make_thread: ThreadFactory,
    role: str,
) -> None:
    from forum.accounts.models import Role

    staff = await make_persona(f"staff-{role}", role=Role(role))
    await join(staff, circle)
    thread = await make_thread(staff, circle)
    app = make_app(post_rate_burst=2, post_rate_seconds=60)
    async with _api_as(app, staff) as api:
        for n in range(5):
            await ok(await _reply(api, thread, n), 201)
