"""Circles over the JSON API: creating, reading, joining, leaving, inviting and listing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from forum.circles.models import Circle, Membership
from tests.conftest import CircleFactory, Database, Persona, PersonaFactory, join, ok


def error_of(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error


async def create(persona: Persona, slug: str, **fields: str) -> httpx.Response:
    body = {"slug": slug, "name": "Caring for parents", "description": "Us.", **fields}
    return await persona.api.post("/api/v1/circles", json=body)


async def membership_of(database: Database, slug: str, persona: Persona) -> Membership | None:
    async with database.sessions() as db:
        return await db.scalar(
            select(Membership)
            .join(Circle, Circle.id == Membership.circle_id)
            .where(Circle.slug == slug, Membership.user_id == persona.id)
        )


async def count_circles(database: Database) -> int:
    async with database.sessions() as db:
        return int(await db.scalar(select(func.count()).select_from(Circle)) or 0)


async def start_thread(persona: Persona, slug: str) -> httpx.Response:
    return await persona.api.post(
        f"/api/v1/circles/{slug}/threads", json={"title": "Checking in", "body": "Hello, all."}
    )


# Creating


async def test_create_circle_returns_contract_with_rules(user: Persona) -> None:
    created = await ok(
        await create(user, "caring-for-parents", description="For carers.", visibility="public"),
        201,
    )
    assert created["slug"] == "caring-for-parents"
    assert created["name"] == "Caring for parents"
    assert created["description"] == "For carers."
    assert created["visibility"] == "public"
    rules = created["rules"]
    assert rules["version"] == 1
    assert rules["items"], "a new circle starts with ground rules"
    for item in rules["items"]:
        assert set(item) >= {"id", "title", "text"}
        assert isinstance(item["id"], int)
        assert item["title"] and item["text"]
    assert len({item["id"] for item in rules["items"]}) == len(rules["items"])


async def test_creator_becomes_owner_with_current_rules_accepted(
    user: Persona, database: Database
) -> None:
    created = await ok(await create(user, "carers"), 201)
    assert created["membership"] == {"role": "owner", "accepted_rules_version": 1}
    membership = await membership_of(database, "carers", user)
    assert membership is not None
    assert membership.role == "owner"
    assert membership.accepted_rules_version == 1


async def test_owner_can_post_without_joining(user: Persona, make_circle: CircleFactory) -> None:
    circle = await make_circle(user)
    await ok(await start_thread(user, circle["slug"]), 201)


async def test_create_circle_requires_login(client: httpx.AsyncClient, database: Database) -> None:
    response = await client.post(
        "/api/v1/circles", json={"slug": "anon-circle", "name": "Anon", "visibility": "public"}
    )
    error_of(response, 401)
    assert await count_circles(database) == 0


async def test_slug_is_normalised_to_lowercase(user: Persona) -> None:
    created = await ok(await create(user, "  Caring-For-Parents "), 201)
    assert created["slug"] == "caring-for-parents"
    await ok(await user.api.get("/api/v1/circles/caring-for-parents"))


@pytest.mark.parametrize(
    "slug",
    [
        "with space",
        "under_score",
        "dots.in.it",
        "ümlaut",
        "ab",
        "-leading",
        "trailing-",
        "double--dash",
        "x" * 41,
        "",
        "slash/path",
    ],
)
async def test_invalid_slug_is_422_and_writes_nothing(
    user: Persona, database: Database, slug: str
) -> None:
    error = error_of(await create(user, slug), 422, "invalid")
    assert error["field"] == "slug"
    assert "lowercase letters" in error["message"]
    assert await count_circles(database) == 0


@pytest.mark.parametrize("slug", ["new", "api", "NEW"])
async def test_reserved_slug_is_422(user: Persona, database: Database, slug: str) -> None:
    error = error_of(await create(user, slug), 422, "invalid")
    assert "reserved" in error["message"]
    assert await count_circles(database) == 0


async def test_duplicate_slug_is_409(
    user: Persona, other_user: Persona, database: Database
) -> None:
    await ok(await create(user, "carers"), 201)
    error_of(await create(other_user, "carers"), 409, "slug_taken")
    error_of(await create(other_user, "CARERS"), 409, "slug_taken")
    assert await count_circles(database) == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "n" * 81}, "name"),
        ({"description": "d" * 2001}, "description"),
        ({"visibility": "secret"}, "visibility"),
    ],
)
async def test_invalid_circle_fields_are_422(
    user: Persona, database: Database, fields: dict[str, str], field: str
) -> None:
    error = error_of(await create(user, "fine-slug", **fields), 422)
    assert error["field"] == field
    assert await count_circles(database) == 0


# Reading


async def test_get_circle_contract(client: httpx.AsyncClient, circle: dict[str, Any]) -> None:
    data = await ok(await client.get("/api/v1/circles/grief-and-loss"))
    assert set(data) >= {"slug", "name", "description", "visibility", "rules"}
    assert data["slug"] == "grief-and-loss"
    assert data["name"] == "Grief and loss"
    assert data["description"] == "For tests."
    assert data["visibility"] == "public"
    assert data["rules"] == circle["rules"]
    assert data["membership"] is None


async def test_get_circle_shows_callers_membership(
    user: Persona, other_user: Persona, circle: dict[str, Any]
) -> None:
    mine = await ok(await user.api.get(f"/api/v1/circles/{circle['slug']}"))
    assert mine["membership"] == {"role": "owner", "accepted_rules_version": 1}
    theirs = await ok(await other_user.api.get(f"/api/v1/circles/{circle['slug']}"))
    assert theirs["membership"] is None


async def test_unknown_circle_is_404(client: httpx.AsyncClient) -> None:
    error_of(await client.get("/api/v1/circles/no-such-circle"), 404, "not_found")


async def test_private_circle_hidden_from_non_members(
    client: httpx.AsyncClient, other_user: Persona, private_circle: dict[str, Any]
) -> None:
    for response in (
        await client.get("/api/v1/circles/after-trauma"),
        await other_user.api.get("/api/v1/circles/after-trauma"),
    ):
        error = error_of(response, 404, "not_found")
        assert "After trauma" not in response.text
        assert error["message"] == "There is no circle at this address."


# Joining and leaving


async def test_join_with_current_version_makes_a_member(
    other_user: Persona, circle: dict[str, Any], database: Database
) -> None:
    joined = await join(other_user, circle)
    assert joined == {"slug": circle["slug"], "role": "member", "accepted_rules_version": 1}
    membership = await membership_of(database, circle["slug"], other_user)
    assert membership is not None and membership.accepted_rules_version == 1
    await ok(await start_thread(other_user, circle["slug"]), 201)


@pytest.mark.parametrize("version", [0, 2, -1, 99])
async def test_join_with_stale_version_is_409_with_current_version(
    other_user: Persona, circle: dict[str, Any], database: Database, version: int
) -> None:
    response = await other_user.api.post(
        f"/api/v1/circles/{circle['slug']}/join", json={"accept_rules_version": version}
    )
    error = error_of(response, 409, "rules_version_stale")
    assert error["current_version"] == 1
    assert await membership_of(database, circle["slug"], other_user) is None


async def test_join_without_version_is_422(other_user: Persona, circle: dict[str, Any]) -> None:
    response = await other_user.api.post(f"/api/v1/circles/{circle['slug']}/join", json={})
    error = error_of(response, 422)
    assert "accept_rules_version" in error["message"]


async def test_join_requires_login(client: httpx.AsyncClient, circle: dict[str, Any]) -> None:
    response = await client.post(
        f"/api/v1/circles/{circle['slug']}/join", json={"accept_rules_version": 1}
    )
    error_of(response, 401)


async def test_joining_twice_keeps_one_membership(
    other_user: Persona, circle: dict[str, Any], database: Database
) -> None:
    await join(other_user, circle)
    await join(other_user, circle)
    async with database.sessions() as db:
        count = await db.scalar(
            select(func.count()).select_from(Membership).where(Membership.user_id == other_user.id)
        )
    assert count == 1


async def test_posting_before_joining_is_403_not_a_member(
    other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    error_of(await start_thread(other_user, circle["slug"]), 403, "not_a_member")
    reply = await other_user.api.post(f"/api/v1/threads/{thread['id']}/posts", json={"body": "Hi"})
    error_of(reply, 403, "not_a_member")


async def test_leave_ends_membership_and_posting(
    other_user: Persona, circle: dict[str, Any], database: Database
) -> None:
    await join(other_user, circle)
    left = await ok(await other_user.api.post(f"/api/v1/circles/{circle['slug']}/leave", json={}))
    assert left == {"slug": circle["slug"], "left": True}
    assert await membership_of(database, circle["slug"], other_user) is None
    error_of(await start_thread(other_user, circle["slug"]), 403, "not_a_member")


async def test_leaving_without_membership_is_409(
    other_user: Persona, circle: dict[str, Any]
) -> None:
    response = await other_user.api.post(f"/api/v1/circles/{circle['slug']}/leave", json={})
    error_of(response, 409, "not_a_member")


async def test_owner_cannot_leave(
    user: Persona, circle: dict[str, Any], database: Database
) -> None:
    response = await user.api.post(f"/api/v1/circles/{circle['slug']}/leave", json={})
    error_of(response, 409, "owner_cannot_leave")
    membership = await membership_of(database, circle["slug"], user)
    assert membership is not None and membership.role == "owner"


# Private circles and invitations


async def invite(owner: Persona, circle: dict[str, Any], username: str) -> httpx.Response:
    return await owner.api.post(
        f"/api/v1/circles/{circle['slug']}/members", json={"username": username}
    )


async def test_non_member_cannot_join_private_circle(
    other_user: Persona, private_circle: dict[str, Any], database: Database
) -> None:
    response = await other_user.api.post(
        "/api/v1/circles/after-trauma/join", json={"accept_rules_version": 1}
    )
    error_of(response, 404)
    assert await membership_of(database, "after-trauma", other_user) is None


async def test_invited_member_reads_but_must_accept_rules_before_posting(
    user: Persona, other_user: Persona, private_circle: dict[str, Any], database: Database
) -> None:
    created = await ok(await start_thread(user, "after-trauma"), 201)
    invited = await ok(await invite(user, private_circle, "blake"), 201)
    assert invited == {"slug": "after-trauma", "user_id": other_user.id, "role": "member"}
    membership = await membership_of(database, "after-trauma", other_user)
    assert membership is not None and membership.accepted_rules_version == 0

    seen = await ok(await other_user.api.get("/api/v1/circles/after-trauma"))
    assert seen["membership"] == {"role": "member", "accepted_rules_version": 0}
    await ok(await other_user.api.get(f"/api/v1/threads/{created['id']}"))

    error = error_of(await start_thread(other_user, "after-trauma"), 409, "rules_not_accepted")
    assert error["current_version"] == 1
    reply = await other_user.api.post(
        f"/api/v1/threads/{created['id']}/posts", json={"body": "Thank you for having me."}
    )
    assert error_of(reply, 409, "rules_not_accepted")["current_version"] == 1

    await join(other_user, private_circle)
    await ok(
        await other_user.api.post(
            f"/api/v1/threads/{created['id']}/posts", json={"body": "Thank you for having me."}
        ),
        201,
    )


async def test_invite_is_case_insensitive_on_username(
    user: Persona, other_user: Persona, private_circle: dict[str, Any]
) -> None:
    invited = await ok(await invite(user, private_circle, "BLAKE"), 201)
    assert invited["user_id"] == other_user.id


async def test_non_owner_member_cannot_invite(
    user: Persona,
    other_user: Persona,
    make_persona: PersonaFactory,
    private_circle: dict[str, Any],
    database: Database,
) -> None:
    newcomer = await make_persona("casey")
    await ok(await invite(user, private_circle, "blake"), 201)
    await join(other_user, private_circle)
    error_of(await invite(other_user, private_circle, "casey"), 403, "forbidden")
    assert await membership_of(database, "after-trauma", newcomer) is None


async def test_outsider_cannot_invite_into_private_circle(
    other_user: Persona, private_circle: dict[str, Any]
) -> None:
    response = await invite(other_user, private_circle, "blake")
    error_of(response, 404)
    assert "After trauma" not in response.text


async def test_member_of_public_circle_cannot_invite(
    user: Persona, other_user: Persona, make_persona: PersonaFactory, circle: dict[str, Any]
) -> None:
    await make_persona("casey")
    await join(other_user, circle)
    error_of(await invite(other_user, circle, "casey"), 403)


async def test_inviting_unknown_or_existing_member_is_refused(
    user: Persona, other_user: Persona, private_circle: dict[str, Any]
) -> None:
    error_of(await invite(user, private_circle, "nobody-here"), 404, "no_such_user")
    await ok(await invite(user, private_circle, "blake"), 201)
    error_of(await invite(user, private_circle, "blake"), 409, "already_member")


async def test_invited_member_can_leave_and_loses_access(
    user: Persona, other_user: Persona, private_circle: dict[str, Any]
) -> None:
    await ok(await invite(user, private_circle, "blake"), 201)
    await ok(await other_user.api.post("/api/v1/circles/after-trauma/leave", json={}))
    error_of(await other_user.api.get("/api/v1/circles/after-trauma"), 404)


# Listing


def slugs(listing: dict[str, Any]) -> list[str]:
    return [c["slug"] for c in listing["circles"]]


async def test_listing_shows_public_circles_and_only_own_private_ones(
    client: httpx.AsyncClient,
    user: Persona,
    other_user: Persona,
    make_persona: PersonaFactory,
    make_circle: CircleFactory,
) -> None:
    await make_circle(user, slug="public-one", name="Public one")
    await make_circle(user, visibility="private", slug="alex-private", name="Alex private")
    await make_circle(other_user, visibility="private", slug="blake-private", name="Blake private")
    await make_circle(other_user, slug="public-two", name="Public two")

    response = await client.get("/api/v1/circles")
    assert sorted(slugs(await ok(response))) == ["public-one", "public-two"]
    assert "Alex private" not in response.text and "Blake private" not in response.text

    alex = await ok(await user.api.get("/api/v1/circles"))
    assert sorted(slugs(alex)) == ["alex-private", "public-one", "public-two"]
    blake = await ok(await other_user.api.get("/api/v1/circles"))
    assert sorted(slugs(blake)) == ["blake-private", "public-one", "public-two"]
    stranger = await make_persona("casey")
    assert sorted(slugs(await ok(await stranger.api.get("/api/v1/circles")))) == [
        "public-one",
        "public-two",
    ]


async def test_listing_includes_private_circle_after_invitation(
    user: Persona, other_user: Persona, private_circle: dict[str, Any]
) -> None:
    assert "after-trauma" not in slugs(await ok(await other_user.api.get("/api/v1/circles")))
    await ok(await invite(user, private_circle, "blake"), 201)
    listed = await ok(await other_user.api.get("/api/v1/circles"))
    entry = next(c for c in listed["circles"] if c["slug"] == "after-trauma")
    assert entry["visibility"] == "private"
    assert entry["membership"] == {"role": "member", "accepted_rules_version": 0}


async def test_listing_entries_carry_circle_fields(
    client: httpx.AsyncClient, circle: dict[str, Any]
) -> None:
    listed = await ok(await client.get("/api/v1/circles"))
    assert listed["circles"] == [
        {
            "slug": "grief-and-loss",
            "name": "Grief and loss",
            "description": "For tests.",
            "visibility": "public",
            "rules_version": 1,
            "membership": None,
        }
    ]
