"""Hidden presence and opening hours over a real server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from forum.chat.rooms import DAYS
from tests.chat.helpers import Live, Member, next_of, send


async def presence_becomes(ws: object, names: set[str]) -> None:
    while {m["display_name"] for m in (await next_of(ws, "presence"))["members"]} != names:  # type: ignore[arg-type]
        pass


async def test_a_member_who_hides_presence_chats_without_being_listed(live: Live) -> None:
    alex, blake, carol = await live.member(), await live.member(), await live.member()
    room_id = await live.room(alex, blake, carol)
    hidden = await blake.http.patch("/api/v1/me", json={"hide_presence": True})
    assert hidden.json()["hide_presence"] is True
    async with live.connect(alex, room_id) as a:
        await presence_becomes(a, {alex.display_name})
        async with live.connect(blake, room_id) as b, live.connect(carol, room_id):
            await presence_becomes(a, {alex.display_name, carol.display_name})
            await send(b, "hello", "hello from the corner")
            got = await next_of(a, "message")
            assert got["author"]["display_name"] == blake.display_name


async def closed_room(live: Live, owner: Member, *members: Member) -> tuple[int, str]:
    """A room of a new circle whose only opening time is three days from now."""
    opened = await live.open_room(owner, *members)
    day = DAYS[(datetime.now(UTC) + timedelta(days=3)).weekday()]
    schedule = {"timezone": "UTC", "slots": [{"day": day, "start": "10:00", "end": "11:00"}]}
    answer = await owner.http.post(
        f"/api/v1/circles/{opened.slug}/rooms", json={"name": "Weekly", "schedule": schedule}
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["id"], answer.json()["hours"]


async def test_a_closed_room_can_be_read_but_members_cannot_send(live: Live) -> None:
    owner, blake = await live.member(), await live.member()
    room_id, hours = await closed_room(live, owner, blake)
    async with live.connect(blake, room_id) as b, live.connect(owner, room_id) as o:
        await send(b, "early", "is anyone here yet?")
        error = await next_of(b, "error")
        assert error["code"] == "room_closed" and hours in error["message"]
        await send(o, "host", "Welcome, we open on the hour.")
        for ws in (b, o):
            assert (await next_of(ws, "message"))["client_msg_id"] == "host"
