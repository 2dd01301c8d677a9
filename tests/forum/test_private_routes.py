"""Every route of the app, tried against a private circle by people outside it.

The routes come from `app.routes`, not from a list kept here: a new route whose path
names something this file doesn't know how to fill in fails the sweep until it is
classified below.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from forum.accounts import service as accounts
from forum.accounts.models import ApiToken, AuthSession
from forum.chat import repository as chat_repository
from forum.chat.models import ChatMessage, Room
from forum.circles.models import Circle, Membership
from forum.db import transaction
from forum.review.models import CrisisResource, ReviewItem
from forum.threads.models import Post, Thread
from tests.conftest import Database, Persona, ThreadFactory, ok

PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")

# What each path parameter names, and so what an outsider may get back:
# "circle" - the private circle or something in it: a non-member gets exactly 404;
# "personal" - the circle owner's own account things (tokens, sessions);
# "staff" - moderation and admin records (here, the private post's review item);
# "member" - another member (here, the owner): any signed-in member may see their profile
#   and block or unblock them, so only what the answer shows is checked;
# "open" - nothing anyone owns (a language): only what the answer shows is checked.
PARAM_KINDS = {
    "slug": "circle",
    "thread_id": "circle",
    "post_id": "circle",
    "room_id": "circle",
    "message_id": "circle",
    # A reaction's name ("with_you"): it only ever comes after a post or message id.
    "kind": "circle",
    "proposal_id": "circle",
    "word_id": "circle",
    "token_id": "personal",
    "session_id": "personal",
    "item_id": "staff",
    "resource_id": "staff",
    "username": "member",
    "user_id": "member",
    "locale": "open",  # the scripts' words in a language: the same for everyone
}

# Requested last: it ends the session of whoever asks.
SIGN_OUT = "/logout"

SECRET_NAME = "Hidden harbour"
SECRET_SLUG = "hidden-harbour"
SECRET_TITLE = "Something I have never told anyone"
SECRET_BODY = "The words only this circle may read"

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Secret:
    values: dict[str, int | str]
    thread_id: int
    post_id: int


@dataclass
class Outsider:
    name: str
    http: httpx.AsyncClient
    csrf: str


def path_params(route: BaseRoute) -> list[str]:
    return PARAM.findall(getattr(route, "path", ""))


def fill(path: str, values: dict[str, int | str]) -> str:
    return PARAM.sub(lambda m: str(values[m.group(1)]), path)


def swept_routes(app: Starlette) -> list[tuple[str, str, str]]:
    """(method, path template, kind) for every route and method; fails on unknown ones."""
    found: list[tuple[str, str, str]] = []
    unclassified: list[str] = []
    for route in app.routes:
        if isinstance(route, Mount) and isinstance(route.app, StaticFiles):
            continue
        if isinstance(route, WebSocketRoute):
            continue  # refused before the handshake; tests/chat/test_chat_ws.py covers it
        if not isinstance(route, Route) or route.methods is None:
            unclassified.append(f"{type(route).__name__} {getattr(route, 'path', route)!r}")
            continue
        params = path_params(route)
        unknown = [name for name in params if name not in PARAM_KINDS]
        if unknown:
            unclassified.append(f"{route.path} (parameters {unknown})")
            continue
        kinds = {PARAM_KINDS[name] for name in params} - {"open"}
        kind = (
            "circle"
            if "circle" in kinds
            else "member"
            if kinds == {"member"}
            else "other"
            if kinds
            else "open"
        )
        found.extend((method, route.path, kind) for method in sorted(route.methods))
    assert not unclassified, (
        "routes this sweep doesn't know how to try against a private circle; add their "
        f"parameters to PARAM_KINDS: {unclassified}"
    )
    return sorted(found, key=lambda entry: entry[1] == SIGN_OUT)


@pytest.fixture
async def secret(user: Persona, database: Database, make_thread: ThreadFactory) -> Secret:
    circle = await ok(
        await user.api.post(
            "/api/v1/circles",
            json={
                "slug": SECRET_SLUG,
                "name": SECRET_NAME,
                "description": "Invite only.",
                "visibility": "private",
            },
        ),
        201,
    )
    made = await make_thread(user, circle, title=SECRET_TITLE, body=SECRET_BODY)
    post_id = made["post"]["id"]
    await ok(
        await user.api.post(
            "/api/v1/reports", json={"content_type": "post", "content_id": post_id, "reason": "x"}
        ),
        201,
    )
    proposal = await ok(
        await user.api.post(
            f"/api/v1/circles/{SECRET_SLUG}/rules/proposals",
            json={"kind": "add", "title": "A secret rule", "text": "Hush.", "rationale": "x"},
        ),
        201,
    )
    word = await ok(
        await user.api.post(
            f"/api/v1/circles/{SECRET_SLUG}/moderation/watched-words",
            json={"phrase": "lighthouse", "action": "hold"},
        ),
        201,
    )
    async with transaction(database.sessions) as db:
        await accounts.start_session(db, user.user, "owner's browser", 1)
    async with database.sessions() as db:
        item_id = await db.scalar(select(ReviewItem.id).where(ReviewItem.content_id == post_id))
        token_id = await db.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
        session_id = await db.scalar(select(AuthSession.id).where(AuthSession.user_id == user.id))
        resource_id = await db.scalar(select(func.min(CrisisResource.id)))
        room_id = await db.scalar(
            select(Room.id)
            .join(Circle, Circle.id == Room.circle_id)
            .where(Circle.slug == SECRET_SLUG)
        )
    assert None not in (item_id, token_id, session_id, resource_id, room_id)
    async with transaction(database.sessions) as db:
        message = ChatMessage(
            room_id=int(room_id or 0),
            seq=await chat_repository.next_seq(db, int(room_id or 0)),
            author_id=user.id,
            client_msg_id="secret",
            body=SECRET_BODY,
            body_html=f"<p>{SECRET_BODY}</p>",
        )
        db.add(message)
        await db.flush()
        message_id = message.id
    values: dict[str, int | str] = {
        "slug": SECRET_SLUG,
        "thread_id": made["id"],
        "post_id": post_id,
        "token_id": int(token_id or 0),
        "session_id": int(session_id or 0),
        "item_id": int(item_id or 0),
        "resource_id": int(resource_id or 0),
        "room_id": int(room_id or 0),
        "message_id": message_id,
        "kind": "with_you",
        "locale": "es",
        "username": user.username,
        "user_id": user.id,
        "proposal_id": proposal["id"],
        "word_id": word["id"],
    }
    return Secret(values, made["id"], post_id)


async def csrf_for(http: httpx.AsyncClient) -> str:
    response = await http.get("/login")
    match = CSRF_INPUT.search(response.text)
    assert match is not None
    return match.group(1)


@pytest.fixture
async def outsiders(
    app: Starlette, other_user: Persona, database: Database
) -> AsyncIterator[list[Outsider]]:
    async with transaction(database.sessions) as db:
        cookie = await accounts.start_session(db, other_user.user, "pytest", 1)
    clients = {
        "anonymous": httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ),
        "non-member with a token": httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {other_user.token}"},
        ),
        "non-member signed in": httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            cookies={"circles_session": cookie},
        ),
    }
    yield [Outsider(name, http, await csrf_for(http)) for name, http in clients.items()]
    for http in clients.values():
        await http.aclose()


def attempt_body(secret: Secret, outsider: Outsider) -> dict[str, Any]:
    """Fields that would make each write succeed, were the outsider allowed to make it."""
    return {
        "body": "An outsider's words",
        "title": "An outsider's thread",
        "accept_rules_version": 1,
        "username": "blake",
        "content_type": "post",
        "content_id": secret.post_id,
        "reason": "curious",
        "action": "approve",
        "name": "Outsider",
        "kind": "add",
        "text": "An outsider's rule",
        "rationale": "curious",
        "stance": "endorse",
        "csrf_token": outsider.csrf,
    }


async def attempt(outsider: Outsider, method: str, path: str, secret: Secret) -> httpx.Response:
    body = attempt_body(secret, outsider)
    headers = {"X-CSRF-Token": outsider.csrf}
    if method in ("GET", "HEAD"):
        return await outsider.http.request(method, path)
    if path.startswith("/api/"):
        return await outsider.http.request(method, path, json=body, headers=headers)
    return await outsider.http.request(method, path, data=body, headers=headers)


def leaks(response: httpx.Response) -> list[str]:
    body = response.text
    shown = [s for s in (SECRET_NAME, SECRET_TITLE, SECRET_BODY, SECRET_SLUG) if s in body]
    headers = " ".join(f"{k}: {v}" for k, v in response.headers.items() if k != "location")
    return shown + [s for s in (SECRET_NAME, SECRET_TITLE, SECRET_BODY) if s in headers]


def refusal_problem(outsider: Outsider, kind: str, response: httpx.Response) -> str | None:
    status = response.status_code
    to_login = status in (302, 303) and response.headers["location"].startswith("/login")
    if outsider.name == "anonymous":
        allowed = status in (401, 404) or to_login
    elif kind == "circle":
        allowed = status == 404
    elif kind == "member":
        return None
    else:
        allowed = status in (403, 404)
    return None if allowed else f"{status} {response.text[:200]!r}"


async def test_sweep_covers_every_kind_of_private_route(app: Starlette) -> None:
    routes = swept_routes(app)
    covered = {(method, path) for method, path, kind in routes if kind == "circle"}
    for must in [
        ("GET", "/c/{slug}"),
        ("GET", "/threads/{thread_id:id}"),
        ("GET", "/api/v1/circles/{slug}"),
        ("GET", "/api/v1/threads/{thread_id:id}"),
        ("POST", "/api/v1/threads/{thread_id:id}/posts"),
        ("PATCH", "/api/v1/posts/{post_id:id}"),
        ("DELETE", "/api/v1/posts/{post_id:id}"),
    ]:
        assert must in covered
    assert routes[-1][1] == SIGN_OUT


def test_unclassified_route_parameters_fail_the_sweep() -> None:
    async def handler(request: Any) -> Any:
        raise AssertionError("never called")

    app = Starlette(routes=[Route("/widgets/{widget_id:id}", handler, methods=["GET"])])
    with pytest.raises(AssertionError, match="widget_id"):
        swept_routes(app)


async def test_outsiders_get_nothing_from_any_route(
    app: Starlette,
    secret: Secret,
    outsiders: list[Outsider],
    user: Persona,
    database: Database,
) -> None:
    problems: list[str] = []
    tried = 0
    for outsider in outsiders:
        for method, template, kind in swept_routes(app):
            path = fill(template, secret.values)
            response = await attempt(outsider, method, path, secret)
            tried += 1
            where = f"{outsider.name}: {method} {path}"
            if found := leaks(response):
                problems.append(f"{where} shows {found}")
            if kind != "open" and (problem := refusal_problem(outsider, kind, response)):
                problems.append(f"{where} answered {problem}")
    assert tried > 3 * 40
    assert not problems, "\n".join(problems)
    await assert_untouched(database, user, secret)


async def assert_untouched(database: Database, owner: Persona, secret: Secret) -> None:
    """Nothing the outsiders tried changed the private circle or its owner's access."""
    async with database.sessions() as db:
        posts = (await db.scalars(select(Post).where(Post.thread_id == secret.thread_id))).all()
        thread = await db.get(Thread, secret.thread_id)
        members = (
            await db.scalars(
                select(Membership.user_id)
                .join(Circle, Circle.id == Membership.circle_id)
                .where(Circle.slug == SECRET_SLUG)
            )
        ).all()
        item = await db.get(ReviewItem, secret.values["item_id"])
        resource = await db.get(CrisisResource, secret.values["resource_id"])
        live_sessions = await db.scalar(
            select(func.count())
            .select_from(AuthSession)
            .where(AuthSession.user_id == owner.id, AuthSession.revoked_at.is_(None))
        )
    assert [(p.id, p.body, p.status) for p in posts] == [(secret.post_id, SECRET_BODY, "published")]
    assert thread is not None and thread.title == SECRET_TITLE
    assert list(members) == [owner.id]
    assert item is not None and item.status == "open" and item.claimed_by is None
    assert resource is not None
    assert live_sessions == 1
    await ok(await owner.api.get("/api/v1/me"))
    settings = await ok(await owner.api.get(f"/api/v1/circles/{SECRET_SLUG}/moderation"))
    assert [w["phrase"] for w in settings["watched_words"]] == ["lighthouse"]


async def test_private_circle_not_listed_for_outsiders(
    secret: Secret, outsiders: list[Outsider], circle: dict[str, Any]
) -> None:
    for outsider in outsiders:
        listing = await ok(await outsider.http.get("/api/v1/circles"))
        assert [c["slug"] for c in listing["circles"]] == ["grief-and-loss"], outsider.name
        home = await outsider.http.get("/")
        assert home.status_code == 200
        assert "Grief and loss" in home.text
        assert SECRET_NAME not in home.text and SECRET_SLUG not in home.text


async def test_owner_still_sees_everything(secret: Secret, user: Persona) -> None:
    """The sweep's 404s are about who asks: the same routes answer the owner."""
    circle = await ok(await user.api.get(f"/api/v1/circles/{SECRET_SLUG}"))
    assert circle["name"] == SECRET_NAME
    thread = await ok(await user.api.get(f"/api/v1/threads/{secret.thread_id}"))
    assert thread["title"] == SECRET_TITLE
    assert SECRET_BODY in thread["posts"][0]["body_html"]
    listing = await ok(await user.api.get("/api/v1/circles"))
    assert SECRET_SLUG in [c["slug"] for c in listing["circles"]]
