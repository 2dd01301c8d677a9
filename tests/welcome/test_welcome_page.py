"""The first-run page: where a new member lands, and the choices it saves together or not
at all."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.accounts.models import User
from forum.circles.models import Membership
from forum.welcome import service
from tests.conftest import CircleFactory, Database, Persona, PersonaFactory
from tests.forum.test_accounts import FORM_ERROR, BrowserFactory, browser, signed_in

__all__ = ["browser"]  # the fixture, shared with test_accounts


async def _member(database: Database, username: str) -> tuple[User, list[Membership]]:
    async with database.sessions() as db:
        user = (await db.execute(select(User).where(User.username == username))).scalar_one()
        memberships = (
            await db.execute(select(Membership).where(Membership.user_id == user.id))
        ).scalars()
        return user, list(memberships)


async def test_a_new_member_lands_on_the_welcome_page(
    browser: BrowserFactory, user: Persona, make_circle: CircleFactory
) -> None:
    await make_circle(user, slug="carers-corner", name="Carers' corner")
    await make_circle(user, visibility="private", slug="quiet-room", name="Quiet room")
    page = browser()
    registered = await page.submit(
        "/register",
        {"username": "newcomer", "password": "a long enough pass", "display_name": "Noor"},
        "/register",
    )
    assert registered.status_code == 303 and registered.headers["location"] == "/welcome"
    welcome = (await page.http.get("/welcome")).text
    assert "Welcome, Noor" in welcome
    assert 'value="carers-corner"' in welcome and "Carers&#39; corner" in welcome
    assert "Quiet room" not in welcome  # a private circle is never offered
    assert "Its ground rules (version 1)" in welcome


async def test_the_choices_are_saved_and_the_circles_joined(
    browser: BrowserFactory,
    user: Persona,
    make_persona: PersonaFactory,
    make_circle: CircleFactory,
    database: Database,
) -> None:
    first = await make_circle(user, slug="grief-talk", name="Grief talk")
    second = await make_circle(user, slug="night-owls", name="Night owls")
    newcomer = await make_persona("noor", display_name="Noor")
    page = await signed_in(browser, newcomer)
    sent = await page.submit(
        "/welcome",
        {
            "region": "GB",
            "dm_policy": "circles",
            "muted_words": "anniversary\nhospital",
            "cw_self-harm": "hide",
            "circle": ["grief-talk", "night-owls"],  # type: ignore[dict-item]
            "rules_grief-talk": str(first["rules"]["version"]),
            "rules_night-owls": str(second["rules"]["version"]),
        },
        "/welcome",
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/?welcome=1"
    saved, memberships = await _member(database, "noor")
    assert saved.region == "GB" and saved.dm_policy == "circles"
    assert saved.muted_words == ["anniversary", "hospital"]
    assert (saved.content_warning_prefs or {}).get("self-harm") == "hide"
    assert sorted(m.accepted_rules_version for m in memberships) == [1, 1]
    assert len(memberships) == 2
    # Once in, a circle is no longer offered.
    assert 'value="grief-talk"' not in (await page.http.get("/welcome")).text


async def test_one_choice_that_cannot_be_saved_keeps_none_and_shows_the_form_again(
    browser: BrowserFactory,
    user: Persona,
    make_persona: PersonaFactory,
    make_circle: CircleFactory,
    database: Database,
) -> None:
    await make_circle(user, slug="grief-talk", name="Grief talk")
    newcomer = await make_persona("noor", display_name="Noor")
    page = await signed_in(browser, newcomer)
    # The rules changed after the page was shown: version 0 is not the current one.
    sent = await page.submit(
        "/welcome",
        {
            "region": "US",
            "muted_words": "anniversary",
            "circle": "grief-talk",
            "rules_grief-talk": "0",
        },
        "/welcome",
    )
    assert sent.status_code == 409
    error = FORM_ERROR.search(sent.text)
    assert error is not None and "ground rules are now at version 1" in error.group(1)
    # What was chosen is shown again...
    assert re.search(r'<option value="US" selected>', sent.text)
    assert ">anniversary</textarea>" in sent.text
    assert re.search(r'value="grief-talk" checked', sent.text)
    # ...and nothing of it was kept.
    saved, memberships = await _member(database, "noor")
    assert saved.region is None and not saved.muted_words and memberships == []


async def test_skipping_changes_nothing(
    browser: BrowserFactory, make_persona: PersonaFactory, database: Database
) -> None:
    newcomer = await make_persona("noor", display_name="Noor")
    page = await signed_in(browser, newcomer)
    before, _ = await _member(database, "noor")
    sent = await page.submit("/welcome", {}, "/welcome")
    assert sent.status_code == 303
    after, memberships = await _member(database, "noor")
    assert (after.region, after.dm_policy, memberships) == (before.region, before.dm_policy, [])


async def test_the_newest_circles_are_offered_when_there_are_too_many_to_list(
    browser: BrowserFactory,
    user: Persona,
    make_persona: PersonaFactory,
    make_circle: CircleFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(service, "MAX_SHOWN", 2)
    for slug, name in (("alpha-room", "Alpha"), ("beta-room", "Beta"), ("zulu-room", "Zulu")):
        await make_circle(user, slug=slug, name=name)
    page = await signed_in(browser, await make_persona("noor", display_name="Noor"))
    welcome = (await page.http.get("/welcome")).text
    assert 'value="zulu-room"' in welcome and 'value="beta-room"' in welcome
    assert 'value="alpha-room"' not in welcome
