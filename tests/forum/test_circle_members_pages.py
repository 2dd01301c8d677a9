"""The members page: who is in a circle, and the remove and ban buttons with CSRF."""

from __future__ import annotations

from typing import Any

from forum.circles.models import CircleBan, Membership
from tests.conftest import Database, Persona, PersonaFactory, join
from tests.forum.test_accounts import BrowserFactory, browser, signed_in
from tests.forum.test_circle_members import count as rows

__all__ = ["browser"]  # the fixture, shared with test_accounts


async def test_owner_sees_members_with_roles_and_removes_one(
    database: Database,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    await join(other_user, circle)
    owner = await signed_in(browser, user)
    circle_page = await owner.http.get(f"/c/{circle['slug']}")
    assert f'href="/c/{circle["slug"]}/members"' in circle_page.text
    page = await owner.http.get(f"/c/{circle['slug']}/members")
    assert page.status_code == 200
    assert "Blake" in page.text and "owner" in page.text
    remove_action = f"/c/{circle['slug']}/members/blake/remove"
    assert f'action="{remove_action}"' in page.text
    # The owner has no button against themselves.
    assert f"/c/{circle['slug']}/members/alex/remove" not in page.text
    done = await owner.submit(remove_action, {}, page=f"/c/{circle['slug']}/members")
    assert done.status_code == 303, done.text
    assert "removed" in (await owner.http.get(done.headers["location"])).text
    assert await rows(database, Membership, circle["slug"], other_user.id) == 0


async def test_the_ban_button_bans_and_the_list_lifts(
    database: Database,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    await join(other_user, circle)
    owner = await signed_in(browser, user)
    members = f"/c/{circle['slug']}/members"
    done = await owner.submit(
        f"{members}/blake/ban", {"reason": "Kept hurting people"}, page=members
    )
    assert done.status_code == 303, done.text
    assert await rows(database, CircleBan, circle["slug"], other_user.id) == 1
    listed = await owner.http.get(members)
    assert "Kept hurting people" in listed.text
    lift = f"/c/{circle['slug']}/bans/blake/lift"
    assert f'action="{lift}"' in listed.text
    lifted = await owner.submit(lift, {}, page=members)
    assert lifted.status_code == 303
    assert await rows(database, CircleBan, circle["slug"], other_user.id) == 0


async def test_a_refused_removal_says_why_and_changes_nothing(
    database: Database,
    user: Persona,
    other_user: Persona,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    carol = await make_persona("carol")
    await join(other_user, circle)
    await join(carol, circle)
    member = await signed_in(browser, other_user)
    members = f"/c/{circle['slug']}/members"
    page = await member.http.get(members)
    assert page.status_code == 200 and "Carol" in page.text
    assert "/remove" not in page.text and "Banned" not in page.text  # no buttons for members
    refused = await member.submit(f"{members}/carol/remove", {}, page=members)
    assert refused.status_code == 403
    assert "owners and moderators" in refused.text
    assert await rows(database, Membership, circle["slug"], carol.id) == 1


async def test_the_forms_need_their_csrf_token(
    database: Database,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    browser: BrowserFactory,
) -> None:
    await join(other_user, circle)
    owner = await signed_in(browser, user)
    members = f"/c/{circle['slug']}/members"
    assert (await owner.http.post(f"{members}/blake/remove", data={})).status_code == 403
    banned = await owner.http.post(f"{members}/blake/ban", data={"reason": "x"})
    assert banned.status_code == 403
    assert await rows(database, Membership, circle["slug"], other_user.id) == 1
    assert await rows(database, CircleBan, circle["slug"], other_user.id) == 0


async def test_outsiders_cannot_see_who_is_in_a_circle(
    user: Persona, make_persona: PersonaFactory, circle: dict[str, Any], browser: BrowserFactory
) -> None:
    stranger = await signed_in(browser, await make_persona("dana"))
    assert (await stranger.http.get(f"/c/{circle['slug']}/members")).status_code == 403
    visitor = browser()
    response = await visitor.http.get(f"/c/{circle['slug']}/members")
    assert response.status_code in (303, 401)
