"""A crisis post carries a self-harm content warning by default, covered as readers chose."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import Persona, join, ok, reply

URGENT = "I have the pills ready. Tonight is the night."
CONCERN = "I want to die"
TREATMENT = re.compile(r'<div class="cw cw-(show|blur|hide)"')


async def approve(moderator: Persona, content_id: int) -> None:
    queue = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    item = next(i for i in queue["items"] if i["content_id"] == content_id)
    base = f"/api/v1/moderation/items/{item['id']}"
    await ok(await moderator.api.post(f"{base}/claim", json={}))
    await ok(await moderator.api.post(f"{base}/decision", json={"action": "approve"}))


async def set_prefs(persona: Persona, prefs: dict[str, str]) -> None:
    await ok(await persona.api.patch("/api/v1/me", json={"content_warning_prefs": prefs}))


async def test_an_approved_urgent_post_carries_self_harm_and_is_blurred_by_default(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    held = await reply(other_user, thread, URGENT)
    assert held["status"] == "pending"
    await approve(moderator, held["id"])
    read = await ok(await user.api.get(f"/api/v1/threads/{thread['id']}"))
    post = next(p for p in read["posts"] if p["id"] == held["id"])
    assert post["status"] == "published"
    assert post["content_warnings"] == ["self-harm"]
    page = (await user.api.get(f"/threads/{thread['id']}")).text
    assert TREATMENT.findall(page) == ["blur"]
    assert "Content warning: self-harm" in page


async def test_a_reader_who_chose_to_hide_self_harm_gets_it_hidden_and_one_who_chose_show_sees_it(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    held = await reply(other_user, thread, URGENT)
    await approve(moderator, held["id"])
    await set_prefs(user, {"self-harm": "hide"})
    assert TREATMENT.findall((await user.api.get(f"/threads/{thread['id']}")).text) == ["hide"]
    await set_prefs(user, {"self-harm": "show"})
    assert TREATMENT.findall((await user.api.get(f"/threads/{thread['id']}")).text) == ["show"]


async def test_a_published_concern_post_carries_the_warning_from_the_start(
    other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    await join(other_user, circle)
    created = await reply(other_user, thread, CONCERN, content_warnings=["grief"])
    assert created["status"] == "published"
    assert created["content_warnings"] == ["self-harm", "grief"]


async def test_an_ordinary_post_gets_no_warning(
    other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    await join(other_user, circle)
    created = await reply(other_user, thread, "Thank you all, today was better.")
    assert created["content_warnings"] == []


async def test_the_author_may_take_the_warning_off(
    other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    await join(other_user, circle)
    created = await reply(other_user, thread, CONCERN)
    edited = await ok(
        await other_user.api.patch(
            f"/api/v1/posts/{created['id']}", json={"body": CONCERN, "content_warnings": []}
        )
    )
    assert edited["content_warnings"] == []
