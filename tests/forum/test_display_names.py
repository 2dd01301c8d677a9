"""Display names and titles that cannot pass for staff or another member (API and forms)."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from forum.accounts.models import Role, User
from forum.errors import Conflict
from forum.names import name_key
from tests.conftest import (
    CircleFactory,
    Database,
    Persona,
    PersonaFactory,
    ThreadFactory,
    ok,
)
from tests.forum.test_accounts import FORM_ERROR, Browser, BrowserFactory, count_users, signed_in


def fullwidth(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) for char in text)


@pytest.fixture
async def browser(app: Starlette) -> AsyncIterator[BrowserFactory]:
    opened: list[Browser] = []

    def make() -> Browser:
        opened.append(Browser(app))
        return opened[-1]

    yield make
    for each in opened:
        await each.aclose()


RLO, ZWSP, ZWJ = "\u202e", "\u200b", "\u200d"
CYRILLIC_A, CYRILLIC_E = "\u0430", "\u0435"
PASS = "a long enough pass"


async def register(client: httpx.AsyncClient, username: str, name: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/register",
        json={"username": username, "password": PASS, "display_name": name},
    )


async def stored_name(database: Database, user_id: int) -> tuple[str, str]:
    async with database.sessions() as db:
        row = (
            await db.execute(
                select(User.display_name, User.display_name_key).where(User.id == user_id)
            )
        ).one()
    return row[0], row[1]


def refused(response: httpx.Response, code: str, status: int = 422) -> str:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert (error["code"], error["field"]) == (code, "display_name"), error
    return str(error["message"])


@pytest.mark.parametrize(
    "name",
    ["Moderator", "Admin", "Circles Team", "support team", "m o d", "4DM1N", f"{CYRILLIC_A}dmin"],
)
async def test_register_refuses_a_name_that_imitates_staff(
    client: httpx.AsyncClient, database: Database, name: str
) -> None:
    before = await count_users(database)
    message = refused(await register(client, "newcomer", name), "name_imitates_staff")
    assert "speak for Circles" in message
    assert await count_users(database) == before


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (f"Riv{ZWSP}er", "River"),
        (f"{RLO}reviR", "reviR"),
        (fullwidth("River"), "River"),
        (f"Ri{ZWJ}ver  Song", "River Song"),
    ],
)
async def test_register_stores_the_name_without_invisible_characters(
    client: httpx.AsyncClient, database: Database, typed: str, shown: str
) -> None:
    created = await ok(await register(client, "newcomer", typed), 201)
    assert created["display_name"] == shown
    assert await stored_name(database, created["id"]) == (shown, name_key(shown))


@pytest.mark.parametrize(
    "lookalike",
    [
        "Alex",
        "ALEX",
        f"Al{CYRILLIC_E}x",
        f"{CYRILLIC_A}lex",
        fullwidth("Alex"),
        f"Al{ZWSP}ex",
        "A l e x",
    ],
)
async def test_register_refuses_a_name_confusable_with_a_members(
    client: httpx.AsyncClient, database: Database, user: Persona, lookalike: str
) -> None:
    assert user.user.display_name == "Alex"
    before = await count_users(database)
    # Another member's stored name is what it conflicts with, like a taken username.
    message = refused(await register(client, "newcomer", lookalike), "name_looks_taken", 409)
    assert "another member" in message
    assert await count_users(database) == before


async def test_register_page_refuses_a_lookalike_and_says_why(
    browser: BrowserFactory, database: Database, user: Persona
) -> None:
    page = browser()
    response = await page.submit(
        "/register",
        {"username": "newcomer", "password": PASS, "display_name": f"{CYRILLIC_A}lex"},
    )
    assert response.status_code == 409  # like a taken username
    error = FORM_ERROR.search(response.text)
    assert error is not None and "another member" in html.unescape(error.group(1))
    assert page.session_cookie is None
    assert await count_users(database, "newcomer") == 0


async def test_register_page_refuses_a_staff_name(
    browser: BrowserFactory, database: Database
) -> None:
    page = browser()
    response = await page.submit(
        "/register", {"username": "newcomer", "password": PASS, "display_name": "Moderator"}
    )
    assert response.status_code == 422
    error = FORM_ERROR.search(response.text)
    assert error is not None and "speak for Circles" in html.unescape(error.group(1))
    assert await count_users(database, "newcomer") == 0


async def change_name(page: Any, name: str) -> httpx.Response:
    response: httpx.Response = await page.submit(
        "/account/profile", {"display_name": name}, "/account"
    )
    return response


@pytest.mark.parametrize(
    ("name", "message"),
    [("Blake", "another member"), (f"Bl{CYRILLIC_A}ke", "another member"), ("Admin", "Circles")],
)
async def test_profile_form_refuses_lookalike_or_staff_name_and_keeps_the_old(
    browser: BrowserFactory,
    database: Database,
    user: Persona,
    other_user: Persona,
    name: str,
    message: str,
) -> None:
    page = await signed_in(browser, user)
    response = await change_name(page, name)
    assert response.status_code == 422
    error = FORM_ERROR.search(response.text)
    assert error is not None and message in html.unescape(error.group(1))
    assert await stored_name(database, user.id) == ("Alex", name_key("Alex"))


@pytest.mark.parametrize("name", ["ALEX", "Alex.", f"{CYRILLIC_A}lex", "Alex"])
async def test_member_may_change_to_a_name_with_their_own_skeleton(
    browser: BrowserFactory, database: Database, user: Persona, other_user: Persona, name: str
) -> None:
    page = await signed_in(browser, user)
    response = await change_name(page, name)
    assert response.status_code == 303, response.text
    assert (await stored_name(database, user.id))[1] == name_key("Alex")


async def test_profile_form_stores_a_cleaned_name_and_its_key(
    browser: BrowserFactory, database: Database, user: Persona
) -> None:
    page = await signed_in(browser, user)
    assert (await change_name(page, f"Alex {RLO}R.{ZWSP}")).status_code == 303
    assert await stored_name(database, user.id) == ("Alex R.", name_key("Alex R."))
    me = await ok(await user.api.get("/api/v1/me"))
    assert me["display_name"] == "Alex R."


async def test_a_freed_name_can_be_taken_again(
    browser: BrowserFactory, client: httpx.AsyncClient, user: Persona
) -> None:
    page = await signed_in(browser, user)
    assert (await change_name(page, "Alexandra")).status_code == 303
    await ok(await register(client, "newcomer", "Alex"), 201)


async def test_staff_may_keep_a_staff_name_but_not_a_members(
    make_persona: PersonaFactory, user: Persona
) -> None:
    moderator = await make_persona("mod", role=Role.MODERATOR, display_name="Moderator")
    assert moderator.user.display_name == "Moderator"
    with pytest.raises(Conflict, match="another member"):
        await make_persona("mod2", role=Role.MODERATOR, display_name=f"{CYRILLIC_A}lex")


# Titles: cleaned the same way, but two may look alike


async def test_titles_lose_bidi_controls_and_invisible_characters(
    user: Persona, make_circle: CircleFactory, make_thread: ThreadFactory
) -> None:
    circle = await make_circle(user, name=f"Grief{ZWSP} and {RLO}loss")
    assert circle["name"] == "Grief and loss"
    thread = await make_thread(user, circle, title=fullwidth("Hello") + f"{ZWJ} {RLO}all")
    assert thread["title"] == "Hello all"
    room = await ok(
        await user.api.post(
            f"/api/v1/circles/{circle['slug']}/rooms", json={"name": f"Eve{ZWSP}nings\u2066"}
        ),
        201,
    )
    assert room["name"] == "Evenings"
    renamed = await ok(
        await user.api.patch(f"/api/v1/rooms/{room['id']}", json={"name": f"{RLO}Late"})
    )
    assert renamed["name"] == "Late"
    items = [
        {"id": i["id"], "title": i["title"], "text": i["text"]} for i in circle["rules"]["items"]
    ]
    items[0]["title"] = f"Be{ZWSP} kind{RLO}"
    edited = await ok(
        await user.api.put(f"/api/v1/circles/{circle['slug']}/rules", json={"items": items})
    )
    assert edited["items"][0]["title"] == "Be kind"


async def test_title_of_only_invisible_characters_is_refused(
    user: Persona, make_circle: CircleFactory
) -> None:
    circle = await make_circle(user)
    response = await user.api.post(
        f"/api/v1/circles/{circle['slug']}/threads",
        json={"title": ZWSP * 5 + RLO, "body": "Hello."},
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "title"
