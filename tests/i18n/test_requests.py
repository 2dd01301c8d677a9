"""Each request speaks one language, says so, and never gets a page cached for another."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Persona, ok
from tests.forum.test_pages import Opener, signed_in

__all__ = ["signed_in"]  # the fixture, shared with test_pages

SPANISH = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
LANGUAGE_LABEL_ES = "El idioma en el que Circles te habla"
LANGUAGE_LABEL_EN = "The language Circles speaks to you"


async def test_accept_language_sets_content_language_and_vary(client: httpx.AsyncClient) -> None:
    spanish = await client.get("/", headers=SPANISH)
    english = await client.get("/", headers=ENGLISH)
    nothing = await client.get("/")
    assert spanish.headers["content-language"] == "es"
    assert english.headers["content-language"] == "en"
    assert nothing.headers["content-language"] == "en"
    assert {"Accept-Language", "Cookie"} <= {
        part.strip() for part in spanish.headers["vary"].split(",")
    }


async def test_error_pages_speak_the_browsers_language(client: httpx.AsyncClient) -> None:
    response = await client.get("/threads/987654321", headers=SPANISH)
    assert response.status_code == 404
    assert response.headers["content-language"] == "es"


async def test_account_page_speaks_spanish_to_a_spanish_browser(
    signed_in: Opener, user: Persona
) -> None:
    browser = await signed_in(user)
    response = await browser.get("/account", headers=SPANISH)
    assert response.status_code == 200
    assert LANGUAGE_LABEL_ES in response.text
    assert LANGUAGE_LABEL_EN not in response.text


async def test_the_members_own_language_outranks_accept_language(
    signed_in: Opener, user: Persona
) -> None:
    await ok(await user.api.patch("/api/v1/me", json={"locale": "es"}))
    browser = await signed_in(user)
    response = await browser.get("/account", headers=ENGLISH)
    assert response.headers["content-language"] == "es"
    assert LANGUAGE_LABEL_ES in response.text
    assert '<option value="es" lang="es" selected>Español</option>' in response.text


async def test_following_the_browser_again_after_choosing(signed_in: Opener, user: Persona) -> None:
    await ok(await user.api.patch("/api/v1/me", json={"locale": "es"}))
    await ok(await user.api.patch("/api/v1/me", json={"locale": None}))
    browser = await signed_in(user)
    response = await browser.get("/account", headers=ENGLISH)
    assert response.headers["content-language"] == "en"
    assert LANGUAGE_LABEL_EN in response.text


async def test_anonymous_page_cache_keeps_each_language_apart(
    client: httpx.AsyncClient, thread: dict[str, Any]
) -> None:
    url = f"/threads/{thread['id']}"
    spanish = [await client.get(url, headers=SPANISH) for _ in range(2)]
    english = [await client.get(url, headers=ENGLISH) for _ in range(2)]
    for response in spanish:
        assert response.headers["content-language"] == "es"
        assert ">ahora</time>" in response.text and ">just now</time>" not in response.text
    for response in english:
        assert response.headers["content-language"] == "en"
        assert ">just now</time>" in response.text and ">ahora</time>" not in response.text
    assert spanish[0].content == spanish[1].content
    assert english[0].content == english[1].content
    assert spanish[0].headers["etag"] != english[0].headers["etag"]
    assert "Accept-Language" in english[1].headers["vary"]


async def test_an_english_etag_does_not_revalidate_the_spanish_page(
    client: httpx.AsyncClient, thread: dict[str, Any]
) -> None:
    url = f"/threads/{thread['id']}"
    english = await client.get(url, headers=ENGLISH)
    again = await client.get(url, headers={**SPANISH, "If-None-Match": english.headers["etag"]})
    assert again.status_code == 200
    assert ">ahora</time>" in again.text
    same = await client.get(url, headers={**ENGLISH, "If-None-Match": english.headers["etag"]})
    assert same.status_code == 304
    assert same.headers["content-language"] == "en"
