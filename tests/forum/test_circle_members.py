"""Owners and moderators remove and ban members; a ban keeps them out (API)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from forum.circle_moderation.models import SettingsChange
from forum.circles.models import Circle, CircleBan, Membership
from tests.conftest import Database, Persona, PersonaFactory, join, ok


async def count(database: Database, model: Any, slug: str, user_id: int) -> int:
    async with database.sessions() as db:
        found = await db.scalar(
            select(func.count())
            .select_from(model)
            .join(Circle, Circle.id == model.circle_id)
            .where(Circle.slug == slug, model.user_id == user_id)
        )
        return int(found or 0)


async def logged(database: Database, slug: str) -> list[dict[str, Any]]:
    async with database.sessions() as db:
        rows = await db.scalars(
            select(SettingsChange)
            .join(Circle, Circle.id == SettingsChange.circle_id)
            .where(Circle.slug == slug)
            .order_by(SettingsChange.id)
        )
        return [change for row in rows for change in row.changes]


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    found: dict[str, Any] = response.json()["error"]
    assert found["message"] and "Traceback" not in found["message"]
    return found


async def make_moderator(database: Database, circle: dict[str, Any], persona: Persona) -> None:
    async with database.sessions() as db:
        membership = await db.scalar(
            select(Membership)
            .join(Circle, Circle.id == Membership.circle_id)
            .where(Circle.slug == circle["slug"], Membership.user_id == persona.id)
        )
        assert membership is not None
        membership.role = "moderator"
        await db.commit()


async def remove(actor: Persona, circle: dict[str, Any], who: Persona) -> httpx.Response:
    return await actor.api.delete(f"/api/v1/circles/{circle['slug']}/members/{who.username}")


async def ban(
    actor: Persona, circle: dict[str, Any], who: Persona | str, reason: str = "Kept hurting people"
) -> httpx.Response:
    username = who if isinstance(who, str) else who.username
    return await actor.api.post(
        f"/api/v1/circles/{circle['slug']}/bans", json={"username": username, "reason": reason}
    )


async def test_owner_removes_a_member_who_may_join_again(
    database: Database, user: Persona, other_user: Persona, circle: dict[str, Any]
) -> None:
    await join(other_user, circle)
    body = await ok(await remove(user, circle, other_user))
    assert body == {"slug": circle["slug"], "username": "blake", "removed": True}
    assert await count(database, Membership, circle["slug"], other_user.id) == 0
    assert await logged(database, circle["slug"]) == [
        {"kind": "member_removed", "member": "Blake", "user_id": other_user.id}
    ]
    log = await ok(await user.api.get(f"/api/v1/circles/{circle['slug']}/moderation/log"))
    assert log["entries"][0]["summary"] == ["Removed Blake from the circle"]
    await join(other_user, circle)  # removal is not a ban


async def test_members_cannot_remove_or_ban(
    database: Database,
    user: Persona,
    other_user: Persona,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
) -> None:
    carol = await make_persona("carol")
    await join(other_user, circle)
    await join(carol, circle)
    assert error(await remove(other_user, circle, carol), 403)["code"] == "not_a_moderator"
    assert error(await ban(other_user, circle, carol), 403)["code"] == "not_a_moderator"
    listed = await other_user.api.get(f"/api/v1/circles/{circle['slug']}/bans")
    assert error(listed, 403)["code"] == "not_a_moderator"
    assert await count(database, Membership, circle["slug"], carol.id) == 1
    assert await count(database, CircleBan, circle["slug"], carol.id) == 0


async def test_outsiders_of_a_private_circle_get_404(
    user: Persona, other_user: Persona, private_circle: dict[str, Any]
) -> None:
    error(await remove(other_user, private_circle, user), 404)
    error(await ban(other_user, private_circle, user), 404)
    error(await other_user.api.get(f"/api/v1/circles/{private_circle['slug']}/members"), 404)


async def test_circle_moderator_removes_members_but_not_owners(
    database: Database,
    user: Persona,
    other_user: Persona,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
) -> None:
    carol = await make_persona("carol")
    await join(other_user, circle)
    await join(carol, circle)
    await make_moderator(database, circle, other_user)
    assert error(await remove(other_user, circle, user), 403)["code"] == "target_is_owner"
    assert error(await ban(other_user, circle, user), 403)["code"] == "target_is_owner"
    assert await count(database, Membership, circle["slug"], user.id) == 1
    assert await count(database, CircleBan, circle["slug"], user.id) == 0
    await ok(await remove(other_user, circle, carol))


async def test_site_staff_act_in_a_private_circle_but_never_remove_the_last_owner(
    database: Database,
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    admin: Persona,
    private_circle: dict[str, Any],
) -> None:
    invited = await user.api.post(
        f"/api/v1/circles/{private_circle['slug']}/members", json={"username": "blake"}
    )
    assert invited.status_code == 201, invited.text
    await ok(await remove(moderator, private_circle, other_user))
    assert error(await remove(moderator, private_circle, user), 403)["code"] == "target_is_owner"
    assert error(await remove(admin, private_circle, user), 409)["code"] == "last_owner"
    assert error(await ban(admin, private_circle, user), 409)["code"] == "last_owner"
    assert await count(database, Membership, private_circle["slug"], user.id) == 1
    assert await count(database, CircleBan, private_circle["slug"], user.id) == 0


async def test_nobody_removes_or_bans_themselves_or_strangers(
    user: Persona, other_user: Persona, circle: dict[str, Any]
) -> None:
    assert error(await remove(user, circle, user), 409)["code"] == "yourself"
    assert error(await ban(user, circle, user), 409)["code"] == "yourself"
    assert error(await remove(user, circle, other_user), 404)["code"] == "not_a_member"
    gone = await user.api.delete(f"/api/v1/circles/{circle['slug']}/members/nobody-here")
    assert error(gone, 404)["code"] == "no_such_user"
    assert error(await ban(user, circle, "nobody-here"), 404)["code"] == "no_such_user"


async def test_a_ban_ends_membership_and_keeps_them_from_taking_part(
    database: Database,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    banned = await ok(await ban(user, circle, other_user), 201)
    assert banned["banned"] is True and banned["reason"] == "Kept hurting people"
    assert await count(database, Membership, circle["slug"], other_user.id) == 0
    slug = circle["slug"]
    rejoin = await other_user.api.post(
        f"/api/v1/circles/{slug}/join", json={"accept_rules_version": 1}
    )
    assert error(rejoin, 403)["code"] == "banned"
    assert "banned" in rejoin.json()["error"]["message"]
    invite = await user.api.post(f"/api/v1/circles/{slug}/members", json={"username": "blake"})
    assert error(invite, 409)["code"] == "banned"
    new_thread = await other_user.api.post(
        f"/api/v1/circles/{slug}/threads", json={"title": "Hello", "body": "Me again"}
    )
    assert error(new_thread, 403)["code"] == "banned"
    answer = await other_user.api.post(
        f"/api/v1/threads/{thread['id']}/posts", json={"body": "Me again"}
    )
    assert error(answer, 403)["code"] == "banned"
    report = await other_user.api.post(
        "/api/v1/reports",
        json={"content_type": "post", "content_id": thread["post"]["id"], "reason": "spite"},
    )
    assert error(report, 403)["code"] == "banned"
    assert await count(database, Membership, circle["slug"], other_user.id) == 0
    # A public circle stays readable, as for anyone.
    await ok(await other_user.api.get(f"/api/v1/circles/{slug}"))
    await ok(await other_user.api.get(f"/api/v1/threads/{thread['id']}"))
    entry = (await logged(database, slug))[-1]
    assert entry["kind"] == "member_banned" and entry["reason"] == "Kept hurting people"


async def test_a_banned_member_of_a_private_circle_no_longer_sees_it(
    user: Persona, other_user: Persona, private_circle: dict[str, Any]
) -> None:
    slug = private_circle["slug"]
    await user.api.post(f"/api/v1/circles/{slug}/members", json={"username": "blake"})
    await ok(await other_user.api.get(f"/api/v1/circles/{slug}"))
    await ok(await ban(user, private_circle, other_user), 201)
    error(await other_user.api.get(f"/api/v1/circles/{slug}"), 404)


async def test_bans_are_listed_lifted_once_and_not_doubled(
    database: Database, user: Persona, other_user: Persona, circle: dict[str, Any]
) -> None:
    slug = circle["slug"]
    await ok(await ban(user, circle, other_user, reason=""), 201)  # not even a member
    assert error(await ban(user, circle, other_user), 409)["code"] == "already_banned"
    bans = (await ok(await user.api.get(f"/api/v1/circles/{slug}/bans")))["bans"]
    assert [(b["username"], b["banned_by"], b["reason"]) for b in bans] == [("blake", "Alex", "")]
    lifted = await ok(await user.api.delete(f"/api/v1/circles/{slug}/bans/blake"))
    assert lifted == {"slug": slug, "username": "blake", "banned": False}
    assert error(await user.api.delete(f"/api/v1/circles/{slug}/bans/blake"), 404)["code"] == (
        "not_banned"
    )
    await join(other_user, circle)
    assert [c["kind"] for c in await logged(database, slug)] == ["member_banned", "ban_lifted"]


async def test_a_reason_past_500_characters_bans_nobody(
    database: Database, user: Persona, other_user: Persona, circle: dict[str, Any]
) -> None:
    await join(other_user, circle)
    found = error(await ban(user, circle, other_user, reason="x" * 501), 422)
    assert found["field"] == "reason"
    assert await count(database, Membership, circle["slug"], other_user.id) == 1
    assert await count(database, CircleBan, circle["slug"], other_user.id) == 0
    assert await logged(database, circle["slug"]) == []


@pytest.mark.parametrize("body", [{}, {"username": 5}, {"reason": "no one named"}])
async def test_a_ban_without_a_username_is_a_clear_422(
    user: Persona, circle: dict[str, Any], body: dict[str, Any]
) -> None:
    response = await user.api.post(f"/api/v1/circles/{circle['slug']}/bans", json=body)
    assert error(response, 422)["field"] == "username"


async def test_members_list_shows_usernames_only_to_those_who_manage(
    user: Persona,
    other_user: Persona,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
    client: httpx.AsyncClient,
) -> None:
    slug = circle["slug"]
    await join(other_user, circle)
    as_member = (await ok(await other_user.api.get(f"/api/v1/circles/{slug}/members")))["members"]
    assert as_member[0] == {
        "display_name": "Alex",
        "role": "owner",
        "joined_at": as_member[0]["joined_at"],
    }
    assert [m["display_name"] for m in as_member] == ["Alex", "Blake"]
    as_owner = (await ok(await user.api.get(f"/api/v1/circles/{slug}/members")))["members"]
    assert [(m["username"], m["can_manage"]) for m in as_owner] == [
        ("alex", False),
        ("blake", True),
    ]
    stranger = await make_persona("dana")
    denied = await stranger.api.get(f"/api/v1/circles/{slug}/members")
    assert error(denied, 403)["code"] == "not_a_member"
    assert (await client.get(f"/api/v1/circles/{slug}/members")).status_code == 401
