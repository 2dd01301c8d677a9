"""Crisis lines in chat follow the reader: profile region, else the handshake's language."""

from __future__ import annotations

import pytest

from forum.review import wording
from tests.chat.helpers import Live, Member, next_of, send

CRISIS = "I want to kill myself tonight"
CONCERN = "I want to die"


def phones(event: dict[str, object]) -> list[str]:
    resources = event["resources"]
    assert isinstance(resources, list)
    return [r["phone"] for r in resources]


async def support_in_room(
    live: Live, member: Member, body: str, **connect: str
) -> dict[str, object]:
    owner = await live.member()
    room = await live.open_room(owner, member)
    async with live.connect(member, room.id, **connect) as ws:
        await send(ws, "help", body)
        return await next_of(ws, "crisis_resources")


async def test_us_english_handshake_gets_988_in_a_room(live: Live) -> None:
    support = await support_in_room(live, await live.member(), CRISIS, accept_language="en-US")
    assert support["region"] == "US"
    assert "988" in phones(support)
    assert "116 123" not in phones(support)


async def test_british_english_handshake_gets_samaritans_in_a_room(live: Live) -> None:
    support = await support_in_room(live, await live.member(), CRISIS, accept_language="en-GB")
    assert support["region"] == "GB"
    assert "116 123" in phones(support)
    assert "988" not in phones(support)


async def test_no_language_gets_the_international_list(live: Live) -> None:
    support = await support_in_room(live, await live.member(), CRISIS)
    assert support["region"] == "*"
    assert "988" not in phones(support) and "116 123" not in phones(support)
    assert support["resources"]


async def test_profile_region_beats_the_handshake_language(live: Live) -> None:
    member = await live.member()
    await live.execute("UPDATE users SET region = 'GB' WHERE id = :id", id=member.id)
    support = await support_in_room(live, member, CRISIS, accept_language="en-US")
    assert support["region"] == "GB"
    assert "116 123" in phones(support)


@pytest.mark.parametrize(("language", "phone"), [("en-US", "988"), ("en-GB", "116 123")])
async def test_a_direct_message_gets_the_readers_lines(
    live: Live, language: str, phone: str
) -> None:
    alex, blake = await live.member(), await live.member()
    assert (await blake.http.patch("/api/v1/me", json={"dm_policy": "anyone"})).status_code == 200
    started = await alex.http.post("/api/v1/me/conversations", json={"username": blake.username})
    room_id = int(started.json()["id"])
    async with live.connect(alex, room_id, accept_language=language) as ws:
        await send(ws, "dm", CRISIS)
        support = await next_of(ws, "crisis_resources")
    assert phone in phones(support)
    assert support["situation"] == "direct"
    assert support["message"] == wording.MESSAGES[wording.Situation.DIRECT]


async def test_chat_support_carries_one_message_and_the_safety_plan(live: Live) -> None:
    support = await support_in_room(live, await live.member(), CONCERN, accept_language="en-US")
    assert support["situation"] == "chat"
    assert support["message"] == wording.MESSAGES[wording.Situation.CHAT]
    assert support["safety_plan"] == {"text": wording.SAFETY_PLAN, "url": "/me/safety-plan"}


async def test_a_held_chat_message_gets_the_held_words(live: Live) -> None:
    support = await support_in_room(live, await live.member(), CRISIS, accept_language="en-GB")
    assert support["situation"] == "held"
    assert support["message"] == wording.MESSAGES[wording.Situation.HELD]
