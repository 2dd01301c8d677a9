"""CSRF on every state-changing form, and on cookie-authenticated JSON writes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from forum.accounts.models import ApiToken, AuthSession, User
from forum.circles.models import Circle, Membership
from forum.threads.models import Post, Thread
from tests.conftest import Database, Persona, join, ok
from tests.forum.test_accounts import Browser, BrowserFactory, browser, me_with_cookie, signed_in

__all__ = ["browser"]  # the fixture, shared with test_accounts

WRONG_TOKENS = {
    "missing": None,
    "forged": "0" * 64,
}


@dataclass
class Scene:
    app: Starlette
    database: Database
    user: Persona
    other_user: Persona
    circle: dict[str, Any]
    private_circle: dict[str, Any]
    thread: dict[str, Any]
    browser: BrowserFactory

    async def scalar(self, query: Any) -> Any:
        async with self.database.sessions() as db:
            return await db.scalar(query)

    async def membership_count(self, slug: str, persona: Persona) -> int:
        return int(
            await self.scalar(
                select(func.count())
                .select_from(Membership)
                .join(Circle, Circle.id == Membership.circle_id)
                .where(Circle.slug == slug, Membership.user_id == persona.id)
            )
        )

    async def first_post_id(self) -> int:
        return int(self.thread["post"]["id"])


@dataclass
class Form:
    """One form submission and a snapshot of what it should change."""

    browser: Browser
    path: str
    data: dict[str, str]
    state: Callable[[], Awaitable[Any]]


FormSetup = Callable[[Scene], Awaitable[Form]]


async def login_form(scene: Scene) -> Form:
    page = scene.browser()

    async def sessions() -> int:
        query = select(func.count()).select_from(AuthSession)
        count = await scene.scalar(query.where(AuthSession.user_id == scene.user.id))
        return int(count)

    return Form(page, "/login", {"username": "alex", "password": scene.user.password}, sessions)


async def register_form(scene: Scene) -> Form:
    async def newcomers() -> int:
        query = select(func.count()).select_from(User).where(User.username_key == "newcomer")
        return int(await scene.scalar(query))

    data = {"username": "newcomer", "password": "a long enough pass", "display_name": "New"}
    return Form(scene.browser(), "/register", data, newcomers)


async def logout_form(scene: Scene) -> Form:
    page = await signed_in(scene.browser, scene.user)
    cookie = page.session_cookie
    assert cookie is not None

    async def still_signed_in() -> int:
        return (await me_with_cookie(scene.app, cookie)).status_code

    return Form(page, "/logout", {}, still_signed_in)


async def profile_form(scene: Scene) -> Form:
    async def display_name() -> str:
        return str(await scene.scalar(select(User.display_name).where(User.id == scene.user.id)))

    page = await signed_in(scene.browser, scene.user)
    return Form(page, "/account/profile", {"display_name": "Alex R."}, display_name)


async def region_form(scene: Scene) -> Form:
    async def region() -> str | None:
        value: str | None = await scene.scalar(select(User.region).where(User.id == scene.user.id))
        return value

    page = await signed_in(scene.browser, scene.user)
    return Form(page, "/account/region", {"region": "GB"}, region)


async def new_token_form(scene: Scene) -> Form:
    async def tokens() -> int:
        query = select(func.count()).select_from(ApiToken)
        return int(await scene.scalar(query.where(ApiToken.user_id == scene.user.id)))

    page = await signed_in(scene.browser, scene.user)
    return Form(page, "/account/tokens", {"name": "my script"}, tokens)


async def revoke_token_form(scene: Scene) -> Form:
    token_id = await scene.scalar(select(ApiToken.id).where(ApiToken.user_id == scene.user.id))

    async def revoked() -> bool:
        query = select(ApiToken.revoked_at).where(ApiToken.id == token_id)
        return await scene.scalar(query) is not None

    page = await signed_in(scene.browser, scene.user)
    return Form(page, f"/account/tokens/{token_id}/revoke", {}, revoked)


async def revoke_session_form(scene: Scene) -> Form:
    phone = await signed_in(scene.browser, scene.user)
    assert phone.session_cookie is not None
    token_hash = hashlib.sha256(phone.session_cookie.encode()).hexdigest()
    session_id = await scene.scalar(
        select(AuthSession.id).where(AuthSession.token_hash == token_hash)
    )

    async def revoked() -> bool:
        query = select(AuthSession.revoked_at).where(AuthSession.id == session_id)
        return await scene.scalar(query) is not None

    page = await signed_in(scene.browser, scene.user)
    return Form(page, f"/account/sessions/{session_id}/revoke", {}, revoked)


async def join_form(scene: Scene) -> Form:
    slug = scene.circle["slug"]

    async def memberships() -> int:
        return await scene.membership_count(slug, scene.other_user)

    page = await signed_in(scene.browser, scene.other_user)
    version = str(scene.circle["rules"]["version"])
    return Form(page, f"/c/{slug}/join", {"accept_rules_version": version}, memberships)


async def leave_form(scene: Scene) -> Form:
    await join(scene.other_user, scene.circle)
    slug = scene.circle["slug"]

    async def memberships() -> int:
        return await scene.membership_count(slug, scene.other_user)

    page = await signed_in(scene.browser, scene.other_user)
    return Form(page, f"/c/{slug}/leave", {}, memberships)


async def invite_form(scene: Scene) -> Form:
    slug = scene.private_circle["slug"]

    async def memberships() -> int:
        return await scene.membership_count(slug, scene.other_user)

    page = await signed_in(scene.browser, scene.user)
    return Form(page, f"/c/{slug}/invite", {"username": "blake"}, memberships)


async def new_circle_form(scene: Scene) -> Form:
    async def circles() -> int:
        query = select(func.count()).select_from(Circle).where(Circle.slug == "night-owls")
        return int(await scene.scalar(query))

    page = await signed_in(scene.browser, scene.user)
    data = {
        "slug": "night-owls",
        "name": "Night owls",
        "description": "For the small hours.",
        "visibility": "public",
    }
    return Form(page, "/circles/new", data, circles)


async def new_thread_form(scene: Scene) -> Form:
    async def threads() -> int:
        query = select(func.count()).select_from(Thread).where(Thread.title == "Feeling low")
        return int(await scene.scalar(query))

    page = await signed_in(scene.browser, scene.user)
    data = {"title": "Feeling low", "body": "Anyone else?"}
    return Form(page, f"/c/{scene.circle['slug']}/new", data, threads)


async def reply_form(scene: Scene) -> Form:
    thread_id = scene.thread["id"]

    async def posts() -> int:
        query = select(func.count()).select_from(Post).where(Post.thread_id == thread_id)
        return int(await scene.scalar(query))

    page = await signed_in(scene.browser, scene.user)
    return Form(page, f"/threads/{thread_id}/reply", {"body": "Thank you all."}, posts)


async def edit_post_form(scene: Scene) -> Form:
    post_id = await scene.first_post_id()

    async def body() -> str:
        return str(await scene.scalar(select(Post.body).where(Post.id == post_id)))

    page = await signed_in(scene.browser, scene.user)
    return Form(page, f"/posts/{post_id}/edit", {"body": "Edited words."}, body)


async def delete_post_form(scene: Scene) -> Form:
    post_id = await scene.first_post_id()

    async def status() -> str:
        return str(await scene.scalar(select(Post.status).where(Post.id == post_id)))

    page = await signed_in(scene.browser, scene.user)
    return Form(page, f"/posts/{post_id}/delete", {}, status)


FORMS: dict[str, FormSetup] = {
    "login": login_form,
    "register": register_form,
    "logout": logout_form,
    "account-profile": profile_form,
    "account-region": region_form,
    "account-new-token": new_token_form,
    "account-revoke-token": revoke_token_form,
    "account-revoke-session": revoke_session_form,
    "circle-join": join_form,
    "circle-leave": leave_form,
    "circle-invite": invite_form,
    "new-circle": new_circle_form,
    "new-thread": new_thread_form,
    "thread-reply": reply_form,
    "post-edit": edit_post_form,
    "post-delete": delete_post_form,
}


@pytest.fixture
async def scene(
    app: Starlette,
    database: Database,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    private_circle: dict[str, Any],
    thread: dict[str, Any],
    browser: BrowserFactory,
) -> Scene:
    return Scene(app, database, user, other_user, circle, private_circle, thread, browser)


@pytest.mark.parametrize("bad", list(WRONG_TOKENS))
@pytest.mark.parametrize("form", list(FORMS))
async def test_form_without_valid_csrf_token_is_refused_and_changes_nothing(
    scene: Scene, form: str, bad: str
) -> None:
    setup = await FORMS[form](scene)
    await setup.browser.csrf_token()  # the browser has its CSRF cookie, as a real one would
    before = await setup.state()
    data = dict(setup.data)
    if (token := WRONG_TOKENS[bad]) is not None:
        data["csrf_token"] = token
    response = await setup.browser.http.post(setup.path, data=data)
    assert response.status_code == 403, response.text
    assert "This form has expired" in response.text
    assert await setup.state() == before


@pytest.mark.parametrize("form", list(FORMS))
async def test_form_with_another_browsers_csrf_token_is_refused(scene: Scene, form: str) -> None:
    setup = await FORMS[form](scene)
    attacker = scene.browser()
    stolen = await attacker.csrf_token()
    await setup.browser.csrf_token()
    before = await setup.state()
    response = await setup.browser.http.post(setup.path, data={**setup.data, "csrf_token": stolen})
    assert response.status_code == 403
    assert await setup.state() == before


@pytest.mark.parametrize("form", list(FORMS))
async def test_form_without_csrf_cookie_is_refused(scene: Scene, form: str) -> None:
    setup = await FORMS[form](scene)
    token = await setup.browser.csrf_token()
    setup.browser.http.cookies.delete("circles_csrf")
    before = await setup.state()
    response = await setup.browser.http.post(setup.path, data={**setup.data, "csrf_token": token})
    assert response.status_code == 403
    assert await setup.state() == before


@pytest.mark.parametrize("form", list(FORMS))
async def test_form_with_its_csrf_token_takes_effect(scene: Scene, form: str) -> None:
    setup = await FORMS[form](scene)
    before = await setup.state()
    response = await setup.browser.submit(setup.path, setup.data)
    assert response.status_code in (200, 303), response.text
    assert await setup.state() != before


async def test_csrf_token_survives_sign_in(scene: Scene) -> None:
    page = scene.browser()
    token_before = await page.csrf_token()
    assert (await page.login("alex", scene.user.password)).status_code == 303
    assert await page.csrf_token("/account") == token_before


# The JSON API


async def _thread_titles(scene: Scene) -> list[str]:
    async with scene.database.sessions() as db:
        titles = await db.scalars(select(Thread.title).order_by(Thread.id))
        return list(titles)


async def test_api_write_with_session_cookie_needs_csrf_header(scene: Scene) -> None:
    page = await signed_in(scene.browser, scene.user)
    path = f"/api/v1/circles/{scene.circle['slug']}/threads"
    body = {"title": "From a script", "body": "Hello"}
    before = await _thread_titles(scene)
    refused = await page.http.post(path, json=body)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    wrong = await page.http.post(path, json=body, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    assert await _thread_titles(scene) == before

    token = await page.csrf_token("/account")
    await ok(await page.http.post(path, json=body, headers={"X-CSRF-Token": token}), 201)
    assert await _thread_titles(scene) == [*before, "From a script"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/threads/{thread}/posts"),
        ("PATCH", "/api/v1/posts/{post}"),
        ("DELETE", "/api/v1/posts/{post}"),
        ("POST", "/api/v1/circles/{circle}/leave"),
        ("POST", "/api/v1/circles"),
    ],
)
async def test_every_api_write_with_session_cookie_checks_csrf(
    scene: Scene, method: str, path: str
) -> None:
    page = await signed_in(scene.browser, scene.user)
    url = path.format(
        thread=scene.thread["id"], post=scene.thread["post"]["id"], circle=scene.circle["slug"]
    )
    body = {"body": "x", "slug": "new-one", "name": "n", "description": "", "visibility": "public"}
    response = await page.http.request(method, url, json=body)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"


async def test_bearer_api_write_needs_no_csrf_token(scene: Scene) -> None:
    created = await ok(
        await scene.user.api.post(
            f"/api/v1/circles/{scene.circle['slug']}/threads",
            json={"title": "With a token", "body": "Hello"},
        ),
        201,
    )
    assert created["title"] == "With a token"
    assert "circles_session" not in scene.user.api.cookies


async def test_bearer_with_session_cookie_still_needs_csrf(scene: Scene) -> None:
    page = await signed_in(scene.browser, scene.user)
    response = await page.http.post(
        f"/api/v1/threads/{scene.thread['id']}/posts",
        json={"body": "Both credentials"},
        headers={"Authorization": f"Bearer {scene.user.token}"},
    )
    assert response.status_code == 403


async def test_anonymous_api_register_needs_no_csrf(client: httpx.AsyncClient) -> None:
    await ok(
        await client.post(
            "/api/v1/auth/register",
            json={"username": "script", "password": "a long enough pass", "display_name": "S"},
        ),
        201,
    )


# Form problems are shown on the form, never as a crash


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("/threads/{thread}/reply", {"body": "   "}, "Please write something before posting."),
        ("/c/{circle}/new", {"title": "x", "body": "Hello"}, "A title is 3 to"),
        ("/posts/{post}/edit", {"body": ""}, "Please write something before posting."),
        (
            "/circles/new",
            {"slug": "Bad Slug!", "name": "n", "description": "", "visibility": "public"},
            "",
        ),
        ("/account/profile", {"display_name": "   "}, "Display names are 1 to 48 characters."),
    ],
)
async def test_form_problem_is_shown_on_the_form_and_changes_nothing(
    scene: Scene, path: str, data: dict[str, str], message: str
) -> None:
    page = await signed_in(scene.browser, scene.user)
    url = path.format(
        thread=scene.thread["id"], circle=scene.circle["slug"], post=scene.thread["post"]["id"]
    )
    posts_before = await scene.scalar(select(func.count()).select_from(Post))
    response = await page.submit(url, data, "/account")
    assert response.status_code == 422, response.text
    assert '<p class="form-error" role="alert"' in response.text
    assert message in response.text
    assert await scene.scalar(select(func.count()).select_from(Post)) == posts_before
    assert await scene.scalar(select(User.display_name).where(User.id == scene.user.id)) == "Alex"


@pytest.mark.parametrize(
    ("alphabet", "count"),
    [("жизнь ", 13_200), ("😢", 20_000)],  # the Cyrillic post; the longest post
)
async def test_a_long_post_in_any_script_fits_whatever_the_encoding(
    scene: Scene, alphabet: str, count: int
) -> None:
    """Limits count characters: the longest post fits percent-encoded in a form, and as
    JSON with every character escaped."""
    body = (alphabet * (count // len(alphabet) + 1))[:count].strip()
    page = await signed_in(scene.browser, scene.user)
    response = await page.submit(f"/threads/{scene.thread['id']}/reply", {"body": body}, "/")
    assert response.status_code == 303, response.text[:300]
    escaped = json.dumps({"body": body}, ensure_ascii=True)
    assert len(escaped.encode()) > 64 * 1024  # what the old limit refused
    created = await scene.user.api.post(
        f"/api/v1/threads/{scene.thread['id']}/posts",
        content=escaped,
        headers={"Content-Type": "application/json"},
    )
    assert created.status_code == 201, created.text[:300]
    async with scene.database.sessions() as db:
        bodies = (await db.scalars(select(Post.body).where(Post.body == body))).all()
    assert len(bodies) == 2
