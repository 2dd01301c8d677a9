"""Choosing a language: `locale` in /api/v1/me and the account page's Language form."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.conftest import Persona, ok
from tests.forum.test_pages import Opener, signed_in

__all__ = ["signed_in"]  # the fixture, shared with test_pages

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


async def test_me_shows_no_locale_until_one_is_chosen(user: Persona) -> None:
    assert (await ok(await user.api.get("/api/v1/me")))["locale"] is None


async def test_patch_me_sets_and_clears_the_locale(user: Persona) -> None:
    assert (await ok(await user.api.patch("/api/v1/me", json={"locale": "es"})))["locale"] == "es"
    assert (await ok(await user.api.get("/api/v1/me")))["locale"] == "es"
    # Other changes leave the choice alone; null goes back to the browser's language.
    kept = await ok(await user.api.patch("/api/v1/me", json={"hide_presence": True}))
    assert kept["locale"] == "es"
    cleared = await ok(await user.api.patch("/api/v1/me", json={"locale": None}))
    assert cleared["locale"] is None


@pytest.mark.parametrize("value", ["fr", "ES", "es-MX", ""])
async def test_patch_me_refuses_a_language_circles_does_not_speak(
    user: Persona, value: str
) -> None:
    response = await user.api.patch("/api/v1/me", json={"locale": value})
    if value == "":  # empty is the same as null: follow the browser
        assert (await ok(response))["locale"] is None
        return
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "unknown_locale"
    assert error["field"] == "locale"
    assert "English (en), Español (es)" in error["message"]


async def test_patch_me_refuses_a_locale_that_is_not_text(user: Persona) -> None:
    response = await user.api.patch("/api/v1/me", json={"locale": 5})
    assert response.status_code == 422, response.text


async def test_the_refusal_is_worded_in_the_readers_language(user: Persona) -> None:
    response = await user.api.patch(
        "/api/v1/me", json={"locale": "fr"}, headers={"Accept-Language": "es"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("Circles está disponible en")


async def _csrf(browser: httpx.AsyncClient) -> str:
    match = CSRF_INPUT.search((await browser.get("/account")).text)
    assert match is not None
    return match.group(1)


async def test_language_form_saves_the_choice(signed_in: Opener, user: Persona) -> None:
    browser = await signed_in(user)
    response = await browser.post(
        "/account/language", data={"locale": "es", "csrf_token": await _csrf(browser)}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account?saved=language#language-heading"
    assert (await ok(await user.api.get("/api/v1/me")))["locale"] == "es"
    page = await browser.get("/account?saved=language")
    assert page.headers["content-language"] == "es"
    assert "Guardado." in page.text


async def test_language_form_refuses_an_unknown_language(signed_in: Opener, user: Persona) -> None:
    browser = await signed_in(user)
    response = await browser.post(
        "/account/language", data={"locale": "xx", "csrf_token": await _csrf(browser)}
    )
    assert response.status_code == 422
    assert "Circles speaks English (en), Español (es)." in response.text
    assert (await ok(await user.api.get("/api/v1/me")))["locale"] is None


async def test_language_form_needs_the_csrf_token(signed_in: Opener, user: Persona) -> None:
    browser = await signed_in(user)
    await browser.get("/account")
    response = await browser.post("/account/language", data={"locale": "es"})
    assert response.status_code == 403
    assert (await ok(await user.api.get("/api/v1/me")))["locale"] is None
