"""Error replies: JSON `{"error": {"code", "message"}}` on the API, a calm page elsewhere."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.app import create_app
from forum.db import make_sessionmaker
from tests.conftest import (
    AppFactory,
    CircleFactory,
    Database,
    Persona,
    join,
    make_settings,
    ok,
)
from tests.forum.test_accounts import Browser, BrowserFactory, browser, signed_in

__all__ = ["browser"]  # the fixture, shared with test_accounts


def api_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is the API's error shape with this status; returns the error object."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert set(error) >= {"code", "message"}
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and len(error["message"]) > 10
    assert "Traceback" not in response.text
    if code is not None:
        assert error["code"] == code
    return error


def calm_page(response: httpx.Response, status: int) -> str:
    """The response is the HTML error page with this status; returns its text."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert '<section class="card calm">' in response.text
    assert "Back to the circles" in response.text
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    return response.text


def _client(app: Starlette, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, **kwargs), base_url="http://testserver"
    )


# JSON API errors


async def test_malformed_json_is_400(user: Persona) -> None:
    response = await user.api.post(
        "/api/v1/circles", content=b'{"slug": "x",', headers={"content-type": "application/json"}
    )
    error = api_error(response, 400, "bad_json")
    assert error["message"] == "The request body is not valid JSON."


async def test_json_that_is_not_an_object_is_422(user: Persona) -> None:
    response = await user.api.post("/api/v1/circles", json=["a", "list"])
    api_error(response, 422, "invalid")


async def test_bad_page_cursor_is_400(client: httpx.AsyncClient, thread: dict[str, Any]) -> None:
    response = await client.get(f"/api/v1/threads/{thread['id']}", params={"cursor": "%%%"})
    api_error(response, 400, "bad_cursor")


async def test_write_without_credentials_is_401(
    client: httpx.AsyncClient, circle: dict[str, Any]
) -> None:
    response = await client.post(
        f"/api/v1/circles/{circle['slug']}/threads", json={"title": "Hi there", "body": "x"}
    )
    error = api_error(response, 401, "login_required")
    assert error["message"] == "Please log in first."


async def test_editing_someone_elses_post_is_403(
    other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    await join(other_user, circle)
    response = await other_user.api.patch(
        f"/api/v1/posts/{thread['post']['id']}", json={"body": "Not mine"}
    )
    api_error(response, 403, "not_author")


async def test_posting_without_joining_is_403(other_user: Persona, thread: dict[str, Any]) -> None:
    response = await other_user.api.post(
        f"/api/v1/threads/{thread['id']}/posts", json={"body": "Hello"}
    )
    error = api_error(response, 403, "not_a_member")
    assert "Join this circle" in error["message"]


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here", "/api/v1/threads/not-a-number", "/api/v2/circles"]
)
async def test_unknown_api_route_is_404_json(client: httpx.AsyncClient, path: str) -> None:
    api_error(await client.get(path), 404, "not_found")


async def test_missing_thread_is_404(user: Persona) -> None:
    error = api_error(await user.api.get("/api/v1/threads/987654321"), 404, "not_found")
    assert "doesn't exist" in error["message"]


async def test_private_thread_is_404_like_a_missing_one(
    user: Persona, other_user: Persona, private_circle: dict[str, Any]
) -> None:
    created = await ok(
        await user.api.post(
            f"/api/v1/circles/{private_circle['slug']}/threads",
            json={"title": "Just us", "body": "Private words"},
        ),
        201,
    )
    hidden = await other_user.api.get(f"/api/v1/threads/{created['id']}")
    missing = await other_user.api.get("/api/v1/threads/987654321")
    assert api_error(hidden, 404) == api_error(missing, 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/api/v1/auth/token", "POST"),
        ("PUT", "/api/v1/me", "GET, HEAD, PATCH"),
        ("DELETE", "/api/v1/circles", "GET, HEAD, POST"),
        ("TRACE", "/api/v1/threads/1", "GET, HEAD"),
    ],
)
async def test_wrong_method_is_405_json_naming_every_allowed_method(
    client: httpx.AsyncClient, method: str, path: str, allowed: str
) -> None:
    response = await client.request(method, path)
    api_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == allowed


async def test_duplicate_circle_slug_is_409(
    user: Persona, other_user: Persona, circle: dict[str, Any], make_circle: CircleFactory
) -> None:
    response = await other_user.api.post(
        "/api/v1/circles",
        json={"slug": circle["slug"], "name": "Again", "description": "", "visibility": "public"},
    )
    api_error(response, 409, "slug_taken")


async def test_stale_rules_version_is_409_with_current_version(
    other_user: Persona, circle: dict[str, Any]
) -> None:
    response = await other_user.api.post(
        f"/api/v1/circles/{circle['slug']}/join", json={"accept_rules_version": 0}
    )
    error = api_error(response, 409, "rules_version_stale")
    assert error["current_version"] == circle["rules"]["version"]


async def test_body_over_the_limit_is_413(make_app: AppFactory, user: Persona) -> None:
    app = make_app(max_body_bytes=1000)
    async with _client(app) as client:
        client.headers["Authorization"] = f"Bearer {user.token}"
        body = {"slug": "big-one", "name": "Big", "description": "x" * 2000, "visibility": "public"}
        response = await client.post("/api/v1/circles", json=body)
        error = api_error(response, 413, "payload_too_large")
        assert "1,000 bytes" in error["message"]
        assert (await client.get("/api/v1/circles/big-one")).status_code == 404


async def test_body_over_the_limit_without_content_length_is_413(
    make_app: AppFactory, user: Persona
) -> None:
    app = make_app(max_body_bytes=1000)

    async def chunks() -> Any:
        for _ in range(4):
            yield b"x" * 400

    async with _client(app) as client:
        response = await client.post(
            "/api/v1/auth/register",
            content=chunks(),
            headers={"content-type": "application/json"},
        )
    api_error(response, 413, "payload_too_large")


async def test_body_under_the_limit_is_accepted(make_app: AppFactory, user: Persona) -> None:
    app = make_app(max_body_bytes=1000)
    async with _client(app) as client:
        client.headers["Authorization"] = f"Bearer {user.token}"
        body = {"slug": "small-one", "name": "Small", "description": "ok", "visibility": "public"}
        await ok(await client.post("/api/v1/circles", json=body), 201)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "No slug", "description": "", "visibility": "public"}, "slug"),
        ({"slug": "ok-slug", "name": "", "description": "", "visibility": "public"}, "name"),
        ({"slug": "Not A Slug!", "name": "n", "description": "", "visibility": "public"}, "slug"),
        ({"slug": "ok-slug", "name": "n", "description": "", "visibility": "secret"}, None),
    ],
)
async def test_invalid_fields_are_422_naming_the_field(
    user: Persona, body: dict[str, Any], field: str | None
) -> None:
    error = api_error(await user.api.post("/api/v1/circles", json=body), 422, "invalid")
    if field is not None:
        assert error["field"] == field


async def test_too_many_writes_is_429_json(
    make_app: AppFactory, user: Persona, thread: dict[str, Any]
) -> None:
    app = make_app(post_rate_burst=1, post_rate_seconds=60)
    async with _client(app) as client:
        client.headers["Authorization"] = f"Bearer {user.token}"
        path = f"/api/v1/threads/{thread['id']}/posts"
        await ok(await client.post(path, json={"body": "one"}), 201)
        response = await client.post(path, json={"body": "two"})
    error = api_error(response, 429, "rate_limited")
    assert error["retry_after"] == int(response.headers["retry-after"])


async def test_errors_on_json_requests_to_pages_are_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/c/no-such-circle", headers={"accept": "application/json"})
    api_error(response, 404, "not_found")


# HTML error pages


@pytest.mark.parametrize("path", ["/nothing-here", "/c/no-such-circle", "/threads/987654321"])
async def test_missing_page_is_calm_404(client: httpx.AsyncClient, path: str) -> None:
    calm_page(await client.get(path), 404)


async def test_private_circle_page_is_calm_404_for_signed_in_outsider(
    browser: BrowserFactory, other_user: Persona, private_circle: dict[str, Any]
) -> None:
    page = await signed_in(browser, other_user)
    text = calm_page(await page.http.get(f"/c/{private_circle['slug']}"), 404)
    assert "There is no circle at this address." in text


async def test_wrong_method_on_page_is_calm_405(client: httpx.AsyncClient) -> None:
    calm_page(await client.get("/logout"), 405)


async def test_expired_form_is_calm_403(browser: BrowserFactory) -> None:
    page = browser()
    await page.csrf_token()
    response = await page.http.post("/login", data={"username": "a", "password": "b"})
    text = calm_page(response, 403)
    assert "This form has expired" in text


async def test_page_error_for_signed_in_member_is_calm(
    browser: BrowserFactory, other_user: Persona, thread: dict[str, Any]
) -> None:
    page = await signed_in(browser, other_user)
    response = await page.submit(f"/posts/{thread['post']['id']}/delete", {}, "/account")
    text = calm_page(response, 403)
    assert "You can only change your own posts." in text
    assert "Blake" in text  # still rendered as the signed-in member


async def test_form_body_over_the_limit_is_calm_413(make_app: AppFactory) -> None:
    page = Browser(make_app(max_body_bytes=1000))
    try:
        response = await page.submit(
            "/register", {"username": "big", "password": "x" * 2000, "display_name": "Big"}
        )
    finally:
        await page.aclose()
    text = calm_page(response, 413)
    assert "1,000 bytes" in text


async def test_signed_out_page_write_redirects_to_login(
    client: httpx.AsyncClient, circle: dict[str, Any]
) -> None:
    response = await client.get(f"/c/{circle['slug']}/new")
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/c/{circle['slug']}/new"


# Unexpected failures


async def boom(request: Request) -> Response:
    raise RuntimeError("secret internal detail")


@pytest.mark.parametrize(
    ("path", "content_type"), [("/api/v1/boom", "application/json"), ("/boom", "text/html")]
)
async def test_unexpected_failure_is_500_without_details(
    make_app: AppFactory, path: str, content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app()
    app.router.routes.insert(0, Route(path, boom))
    async with _client(app, raise_app_exceptions=False) as client:
        response = await client.get(path)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith(content_type)
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert "Nothing you did caused this" in response.text
    if content_type == "application/json":
        assert json.loads(response.text)["error"]["code"] == "server_error"
    # ...while the operator's log keeps the details.
    assert any("secret internal detail" in str(r.exc_info) for r in caplog.records)


async def test_busy_database_pool_answers_503_with_retry_after(database: Database) -> None:
    # One connection, held here, and a pool that stops waiting at once: as when every
    # connection is busy under load for the whole pool timeout.
    engine = create_async_engine(database.url, pool_size=1, max_overflow=0, pool_timeout=0.1)
    app = create_app(make_settings(database.url), engine=engine, sessions=make_sessionmaker(engine))
    transport = httpx.ASGITransport(app=app)
    try:
        async with (
            engine.connect(),
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
        ):
            response = await client.get("/api/v1/circles")
            page = await client.get("/")
    finally:
        await engine.dispose()
    error = api_error(response, 503, "busy")
    assert "try again" in error["message"]
    assert response.headers["retry-after"] == "5"
    assert page.status_code == 503 and page.headers["retry-after"] == "5"
    assert "very busy" in page.text and "Traceback" not in page.text
