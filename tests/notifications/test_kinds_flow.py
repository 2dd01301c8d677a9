"""Replies, reports, ground rules and invitations tell the members they concern, once each."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import CircleFactory, Persona, PersonaFactory, join, ok, reply
from tests.notifications.test_notifications_api import decide, held_post, item_for, notifications
from tests.rules.helpers import edit_rules, proposed, rules_of

KIND = "reply"


async def kinds(persona: Persona) -> list[str]:
    return [n["kind"] for n in await notifications(persona)]


async def test_a_reply_tells_the_threads_author_with_a_link_to_it(
    user: Persona, other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    await join(other_user, circle)
    post = await reply(other_user, thread, "Sending you strength this week.")
    [notice] = await notifications(user)
    assert notice["kind"] == "reply"
    assert notice["text"] == "Blake replied to your thread “A first thread”."
    assert notice["url"] == f"/threads/{thread['id']}#post-{post['id']}"
    # Writing in your own thread tells nobody; the one who replied hears nothing either.
    await reply(user, thread, "Thank you, Blake.")
    assert await kinds(user) == ["reply"]
    assert await kinds(other_user) == []


async def test_a_held_reply_tells_the_author_only_once_a_moderator_approves_it(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    post = await held_post(other_user, thread)
    assert await kinds(user) == []
    await decide(moderator, await item_for(moderator, post["id"]), action="approve")
    assert await kinds(user) == ["reply"]


async def test_a_rejected_reply_never_reaches_the_threads_author(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    post = await held_post(other_user, thread)
    rule = circle["rules"]["items"][0]
    await decide(
        moderator, await item_for(moderator, post["id"]), action="reject", rule_id=rule["id"]
    )
    assert await kinds(user) == []


async def test_a_blocked_member_replying_tells_nobody(
    user: Persona, other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    await join(other_user, circle)
    await ok(await user.api.post(f"/api/v1/me/blocks/{other_user.username}"), 201)
    # The block hides their words from the author; a notification would show them again.
    response = await other_user.api.post(
        f"/api/v1/threads/{thread['id']}/posts", json={"body": "I see you."}
    )
    assert response.status_code == 201, response.text
    assert await kinds(user) == []


async def test_reporters_hear_what_became_of_their_report(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    post = await reply(other_user, thread, "Have you tried just thinking more positively?")
    third = await make_persona("casey", display_name="Casey")
    await join(third, circle)
    for reporter in (user, third):
        body = {"content_type": "post", "content_id": post["id"], "reason": "Dismissive"}
        await ok(await reporter.api.post("/api/v1/reports", json=body), 201)
    assert "report" not in await kinds(third)  # nothing until it is decided
    rule = circle["rules"]["items"][0]
    item_id = await item_for(moderator, post["id"])
    await decide(moderator, item_id, action="remove", rule_id=rule["id"], note="Not kind.")
    for reporter in (user, third):
        [notice] = [n for n in await notifications(reporter) if n["kind"] == "report"]
        assert notice["text"] == (
            "Thank you for your report. A moderator read the post and removed it."
        )
        assert "Mod" not in notice["text"] and "Not kind" not in notice["text"]
        assert notice["url"] == "/notifications"
    # The author hears the decision about their own words, not that it was reported.
    assert await kinds(other_user) == ["decision"]


async def test_a_report_left_up_says_so_and_links_to_it(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    post = await reply(other_user, thread, "Have you tried just thinking more positively?")
    body = {"content_type": "post", "content_id": post["id"], "reason": "Dismissive"}
    await ok(await user.api.post("/api/v1/reports", json=body), 201)
    await decide(moderator, await item_for(moderator, post["id"]), action="approve")
    [notice] = [n for n in await notifications(user) if n["kind"] == "report"]
    assert notice["text"].endswith("decided it can stay.")
    assert notice["url"] == f"/threads/{thread['id']}#post-{post['id']}"
    assert await kinds(other_user) == []  # nothing tells them they were reported


async def test_a_proposal_and_a_new_version_tell_the_circles_members(
    user: Persona,
    other_user: Persona,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
) -> None:
    third = await make_persona("casey", display_name="Casey")
    for member in (other_user, third):
        await join(member, circle)
    await proposed(other_user, circle, kind="add", title="No advice", text="Ask first.")
    [to_owner] = await notifications(user)
    assert to_owner["kind"] == "rules"
    assert to_owner["text"] == "Blake proposed a change to the ground rules of Grief and loss."
    assert to_owner["url"] == "/c/grief-and-loss/rules"
    assert await kinds(third) == ["rules"]
    assert await kinds(other_user) == []  # the one proposing knows
    current = await rules_of(user.api, circle)
    items = [{"id": i["id"], "title": i["title"], "text": i["text"]} for i in current["items"]]
    items.append({"title": "Content warnings", "text": "Warn before details of loss."})
    await ok(await edit_rules(user, circle, items))
    for member in (other_user, third):
        newest = (await notifications(member))[0]
        assert newest["kind"] == "rules"
        assert "changed" in newest["text"] and "accept" in newest["text"]
    assert await kinds(user) == ["rules"]  # the owner who wrote it is not asked


async def test_an_invitation_tells_the_invited_member(
    user: Persona, other_user: Persona, make_circle: CircleFactory
) -> None:
    private = await make_circle(user, visibility="private", slug="after-trauma", name="After")
    response = await user.api.post(
        "/api/v1/circles/after-trauma/members", json={"username": other_user.username}
    )
    await ok(response, 201)
    [notice] = await notifications(other_user)
    assert (notice["kind"], notice["url"]) == ("invite", "/c/after-trauma")
    assert notice["text"] == "Alex invited you to join After."
    assert private["slug"] == "after-trauma"


async def settings(persona: Persona) -> dict[str, Any]:
    return await ok(await persona.api.get("/api/v1/me/notification-settings"))


async def change(persona: Persona, body: dict[str, Any]) -> httpx.Response:
    return await persona.api.patch("/api/v1/me/notification-settings", json=body)


async def test_settings_start_with_everything_on_and_no_quiet_hours(user: Persona) -> None:
    assert await settings(user) == {
        "kinds": {"reply": True, "mention": True, "report": True, "rules": True, "invite": True},
        "quiet_hours": None,
    }


async def test_a_kind_turned_off_is_not_kept(
    user: Persona, other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    changed = await ok(await change(user, {"kinds": {"reply": False}}))
    assert changed["kinds"] == {
        "reply": False,
        "mention": True,
        "report": True,
        "rules": True,
        "invite": True,
    }
    await join(other_user, circle)
    await reply(other_user, thread, "Thinking of you.")
    assert await kinds(user) == []
    await ok(await change(user, {"kinds": {"reply": True}}))
    await reply(other_user, thread, "Still thinking of you.")
    assert await kinds(user) == ["reply"]


async def test_quiet_hours_are_kept_until_cleared(user: Persona) -> None:
    quiet = {"start": "22:30", "end": "7:00", "time_zone": "Europe/London"}
    changed = await ok(await change(user, {"quiet_hours": quiet}))
    assert changed["quiet_hours"] == {**quiet, "end": "07:00"}
    # Changing kinds leaves quiet hours as they were; null clears them.
    await ok(await change(user, {"kinds": {"rules": False}}))
    assert (await settings(user))["quiet_hours"]["time_zone"] == "Europe/London"
    assert (await ok(await change(user, {"quiet_hours": None})))["quiet_hours"] is None
    assert (await settings(user))["kinds"]["rules"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kinds": {"decision": False}}, "kinds.decision"),
        ({"kinds": {"check_in": False}}, "kinds.check_in"),
        ({"kinds": {"gossip": True}}, "kinds.gossip"),
        ({"quiet_hours": {"start": "25:00", "end": "07:00", "time_zone": "UTC"}}, None),
        ({"quiet_hours": {"start": "22:00", "end": "noon", "time_zone": "UTC"}}, None),
        ({"quiet_hours": {"start": "22:00", "end": "22:00", "time_zone": "UTC"}}, None),
        ({"quiet_hours": {"start": "22:00", "end": "07:00", "time_zone": "Mars/Olympus"}}, None),
        ({"quiet_hours": {"start": "22:00", "end": "07:00", "time_zone": "../etc/passwd"}}, None),
        ({"quiet_hours": {"start": "22:00", "end": "07:00"}}, None),
        ({"volume": "loud"}, None),
    ],
)
async def test_bad_settings_get_a_clear_422_and_change_nothing(
    user: Persona, body: dict[str, Any], field: str | None
) -> None:
    await ok(await change(user, {"kinds": {"invite": False}}))
    before = await settings(user)
    response = await change(user, body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["message"] and "Traceback" not in error["message"]
    if field:
        assert error["field"] == field
    assert await settings(user) == before


async def test_what_the_moderators_say_cannot_be_turned_off(user: Persona) -> None:
    response = await change(user, {"kinds": {"decision": False}})
    assert "always arrives" in response.json()["error"]["message"]


async def test_settings_need_a_login(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/me/notification-settings")).status_code == 401
    assert (await client.patch("/api/v1/me/notification-settings", json={})).status_code == 401
