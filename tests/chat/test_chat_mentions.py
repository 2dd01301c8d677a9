"""A chat line that names a member of the circle tells them, with a link to the room; a
private conversation tells nobody, and neither does a line from a member they blocked."""

from __future__ import annotations

from typing import Any

from forum.accounts.models import Role
from tests.chat.helpers import Live, Member, next_of, send
from tests.chat.test_chat_ws import ABUSE


async def inbox(member: Member) -> list[dict[str, Any]]:
    response = await member.http.get("/api/v1/me/notifications")
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_a_member_named_in_a_chat_line_is_told_with_a_link_to_the_room(
    live: Live,
) -> None:
    alex, blake, casey = await live.member(), await live.member(), await live.member()
    room = await live.open_room(alex, blake, casey)
    blocked = await casey.http.post(f"/api/v1/me/blocks/{alex.username}")
    assert blocked.status_code == 201, blocked.text
    async with live.connect(alex, room.id) as a:
        await send(a, "1", f"@{blake.display_name} and @{casey.display_name}, thank you")
        await next_of(a, "message")
    [notice] = await inbox(blake)
    assert notice["kind"] == "mention"
    assert notice["text"] == f"{alex.display_name} mentioned you in the chat “Drop-in”."
    assert notice["url"] == f"/c/{room.slug}#room-{room.id}"
    assert await inbox(casey) == []  # she blocked the writer
    assert await inbox(alex) == []


async def test_nobody_is_told_of_a_line_in_a_private_conversation(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    await live.open_room(alex, blake)  # they share a circle, so they may write directly
    allowed = await blake.http.patch("/api/v1/me", json={"dm_policy": "anyone"})
    assert allowed.status_code == 200, allowed.text
    opened = await alex.http.post("/api/v1/me/conversations", json={"user_id": blake.id})
    assert opened.status_code == 201, opened.text
    async with live.connect(alex, opened.json()["id"]) as a:
        await send(a, "1", f"@{blake.display_name} are you around?")
        await next_of(a, "message")
    assert [n["kind"] for n in await inbox(blake)] == []


async def test_a_held_line_names_no_one_until_a_moderator_approves_it(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    moderator = await live.member(Role.MODERATOR)
    room = await live.open_room(alex, blake)
    async with live.connect(alex, room.id) as a:
        await send(a, "1", f"@{blake.display_name} {ABUSE}")
        assert (await next_of(a, "held", "message"))["type"] == "held"
    assert await inbox(blake) == []
    queue = (await moderator.http.get("/api/v1/moderation/queue")).json()["items"]
    item = next(i for i in queue if i["circle_id"] == room.circle_id)
    decided = await moderator.http.post(
        f"/api/v1/moderation/items/{item['id']}/decision", json={"action": "approve"}
    )
    assert decided.status_code == 200, decided.text
    assert [n["kind"] for n in await inbox(blake)] == ["mention"]
