"""Response headers: member pages and personal API answers are never cached; HSTS on HTTPS."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from forum.config import ConfigError, Settings
from tests.conftest import AppFactory, Persona
from tests.forum.test_accounts import Browser

PRIVATE = "private, no-store"


@pytest.fixture
async def anonymous(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        yield http


@pytest.fixture
async def member_browser(app: Starlette, user: Persona) -> AsyncIterator[Browser]:
    page = Browser(app)
    response = await page.login(user.username, user.password)
    assert response.status_code == 303 and page.session_cookie
    # Signing in is an answer that sets a cookie: never stored either.
    assert cache_control(response) == [PRIVATE]
    yield page
    await page.aclose()


def cache_control(response: httpx.Response) -> list[str]:
    return response.headers.get_list("cache-control")


@pytest.mark.parametrize("path", ["/", "/account", "/notifications", "/me/safety-plan"])
async def test_member_pages_are_private_and_not_stored(member_browser: Browser, path: str) -> None:
    response = await member_browser.http.get(path)
    assert response.status_code == 200, response.text
    assert cache_control(response) == [PRIVATE]


@pytest.mark.parametrize(
    "path", ["/api/v1/me", "/api/v1/me/safety-plan", "/api/v1/me/conversations", "/api/v1/circles"]
)
async def test_api_answers_to_a_token_are_private(user: Persona, path: str) -> None:
    response = await user.api.get(path)
    assert response.status_code == 200, response.text
    assert cache_control(response) == [PRIVATE]


async def test_me_is_private_even_when_refused(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get("/api/v1/me")
    assert response.status_code == 401
    assert cache_control(response) == [PRIVATE]


@pytest.mark.parametrize("path", ["/", "/api/v1/circles"])
async def test_anonymous_public_pages_stay_cacheable(
    anonymous: httpx.AsyncClient, user: Persona, path: str
) -> None:
    response = await anonymous.get(path)
    assert response.status_code == 200
    assert "no-store" not in ",".join(cache_control(response))


async def test_static_files_stay_cacheable_for_members(member_browser: Browser) -> None:
    response = await member_browser.http.get("/static/favicon.svg")
    assert response.status_code == 200
    assert "no-store" not in ",".join(cache_control(response))


async def test_hsts_only_over_https_when_set(make_app: AppFactory) -> None:
    app = make_app(hsts_seconds=600)
    for base, expected in (("https://testserver", "max-age=600"), ("http://testserver", None)):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as http:
            response = await http.get("/")
        assert response.headers.get("strict-transport-security") == expected, base
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=make_app(hsts_seconds=0)), base_url="https://testserver"
    ) as http:
        assert "strict-transport-security" not in (await http.get("/")).headers


def test_hsts_setting_defaults_on_in_production_and_can_be_turned_off() -> None:
    production = {"CIRCLES_ENV": "production", "CIRCLES_SECRET_KEY": "k" * 40}
    assert Settings.from_env(production).hsts_seconds == 31_536_000
    assert Settings.from_env({**production, "CIRCLES_HSTS_SECONDS": "0"}).hsts_seconds == 0
    assert Settings.from_env({}).hsts_seconds == 0
    with pytest.raises(ConfigError, match="CIRCLES_HSTS_SECONDS must be a whole number"):
        Settings.from_env({"CIRCLES_HSTS_SECONDS": "a year"})
