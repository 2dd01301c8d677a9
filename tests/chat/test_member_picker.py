"""The member picker over a real server: display names among people you share a circle
with, and messages, invitations and blocks sent by the id it chose."""

from __future__ import annotations

from typing import Any

import httpx

from forum.names import name_key
from tests.chat.helpers import Live, Member


async def name(live: Live, member: Member, display_name: str) -> None:
    await live.execute(
        "UPDATE users SET display_name = :name, display_name_key = :key WHERE id = :id",
        name=display_name,
        key=name_key(display_name),
        id=member.id,
    )


async def people(member: Member, query: str, status: int = 200) -> Any:
    response = await member.http.get("/api/v1/me/people", params={"q": query})
    assert response.status_code == status, response.text
    return response.json()


async def test_finds_people_sharing_a_circle_by_part_of_their_name(live: Live) -> None:
    alex, robin, robert, stranger = [await live.member() for _ in range(4)]
    await name(live, robin, "Robin Ash")
    await name(live, robert, "Bob Roberts")
    await name(live, stranger, "Robin Elsewhere")
    await live.open_room(alex, robin, robert)
    circle_name = "Chat"

    found = (await people(alex, "rob"))["items"]
    # Names that start with the text come first; someone in no shared circle never does.
    assert [person["display_name"] for person in found] == ["Robin Ash", "Bob Roberts"]
    assert found[0] == {"id": robin.id, "display_name": "Robin Ash", "circles": [circle_name]}
    # Case and lookalike letters fold: a capital I reads as an l, as in "Robin".
    assert [p["id"] for p in (await people(alex, "ROBIN"))["items"]] == [robin.id]
    assert [p["id"] for p in (await people(alex, "Robln"))["items"]] == [robin.id]
    # Never the asker, and nothing about the stranger, even by full name.
    assert (await people(robin, "Robin"))["items"] == []
    assert (await people(alex, "Elsewhere"))["items"] == []
    # No username is shown.
    assert all(set(person) == {"id", "display_name", "circles"} for person in found)


async def test_a_bad_query_is_a_clear_400(live: Live) -> None:
    alex = await live.member()
    assert (await people(alex, "  ", 400))["error"]["code"] == "empty_query"
    too_long = await people(alex, "x" * 49, 400)
    assert "48 characters" in too_long["error"]["message"]
    # LIKE's wildcards are only letters here: "%" finds nobody rather than everybody.
    other = await live.member()
    await live.open_room(alex, other)
    assert (await people(alex, "%"))["items"] == []
    async with httpx.AsyncClient(base_url=live.server.base_url) as anonymous:
        refused = await anonymous.get("/api/v1/me/people", params={"q": "a"})
    assert refused.status_code == 401


async def test_a_conversation_starts_with_the_chosen_id(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    await live.open_room(alex, blake)
    await live.execute("UPDATE users SET dm_policy = 'circles' WHERE id = :id", id=blake.id)
    chosen = (await people(alex, blake.display_name[:5]))["items"][0]
    started = await alex.http.post("/api/v1/me/conversations", json={"user_id": chosen["id"]})
    assert started.status_code == 201, started.text
    assert started.json()["name"] == blake.display_name


async def test_an_id_names_only_someone_you_share_a_circle_with(live: Live) -> None:
    alex, stranger = await live.member(), await live.member()
    await live.execute("UPDATE users SET dm_policy = 'anyone' WHERE id = :id", id=stranger.id)
    # Ids can't be walked to reach everyone: a stranger's id is "no such member".
    refused = await alex.http.post("/api/v1/me/conversations", json={"user_id": stranger.id})
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "no_such_user"
    assert "circle you share" in refused.json()["error"]["message"]
    rooms = await live.execute(
        "SELECT count(*) FROM room_members WHERE user_id = :id", id=stranger.id
    )
    assert rooms[0][0] == 0
    neither = await alex.http.post("/api/v1/me/conversations", json={})
    assert neither.status_code == 422
    assert neither.json()["error"]["code"] == "no_member"


async def test_an_owner_invites_by_the_chosen_id(live: Live) -> None:
    owner, friend = await live.member(), await live.member()
    await live.open_room(owner, friend)  # where they met
    private = await live.open_room(owner, visibility="private")
    chosen = (await people(owner, friend.display_name))["items"][0]["id"]
    invited = await owner.http.post(
        f"/api/v1/circles/{private.slug}/members", json={"user_id": chosen}
    )
    assert invited.status_code == 201, invited.text
    assert invited.json()["user_id"] == friend.id
    # Now they share the private circle too, and the picker says so.
    again = (await people(owner, friend.display_name))["items"][0]["circles"]
    assert again == ["Chat", "Chat"]


async def test_mention_suggestions_come_from_the_one_circle(live: Live) -> None:
    alex, robin, robert = [await live.member() for _ in range(3)]
    await name(live, robin, "Robin Ash")
    await name(live, robert, "Robert Bell")
    first = await live.open_room(alex, robin)
    second = await live.open_room(alex, robert)
    response = await alex.http.get("/api/v1/me/people", params={"q": "rob", "circle": first.slug})
    assert [p["id"] for p in response.json()["items"]] == [robin.id]
    response = await alex.http.get("/api/v1/me/people", params={"q": "rob", "circle": second.slug})
    assert [p["id"] for p in response.json()["items"]] == [robert.id]
    # A circle the asker is not in finds nobody, not even people they share others with.
    outsider = await live.member()
    elsewhere = await live.open_room(outsider, robin)
    response = await alex.http.get(
        "/api/v1/me/people", params={"q": "rob", "circle": elsewhere.slug}
    )
    assert response.status_code == 200 and response.json()["items"] == []
