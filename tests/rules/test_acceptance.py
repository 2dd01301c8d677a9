"""After a new version, members accept it before posting or chatting; reading is never blocked."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from tests.chat.helpers import Live, next_of, send
from tests.conftest import Persona, ThreadFactory, join, ok
from tests.rules.helpers import error_of, proposed, ratify

NEW_RULE = {"kind": "add", "title": "Content notes first", "text": "Warn before hard topics."}


async def new_version(owner: Persona, member: Persona, circle: dict[str, Any]) -> int:
    proposal = await proposed(member, circle, **NEW_RULE)
    version: int = (await ok(await ratify(owner, proposal)))["version"]
    return version


async def test_posting_after_a_new_version_answers_409_with_the_current_version(
    user: Persona, member: Persona, circle: dict[str, Any], make_thread: ThreadFactory
) -> None:
    thread = await make_thread(member, circle)
    assert await new_version(user, member, circle) == 2

    started = await member.api.post(
        f"/api/v1/circles/{circle['slug']}/threads", json={"title": "Hi", "body": "Hello."}
    )
    assert error_of(started, 409, "rules_not_accepted")["current_version"] == 2
    replied = await member.api.post(
        f"/api/v1/threads/{thread['id']}/posts", json={"body": "Still here."}
    )
    error = error_of(replied, 409, "rules_not_accepted")
    assert error["current_version"] == 2 and "version 2" in error["message"]


async def test_reading_is_never_blocked_by_a_new_version(
    user: Persona, member: Persona, circle: dict[str, Any], make_thread: ThreadFactory
) -> None:
    thread = await make_thread(user, circle)
    await new_version(user, member, circle)
    for path in (
        f"/api/v1/circles/{circle['slug']}",
        f"/api/v1/circles/{circle['slug']}/threads",
        f"/api/v1/threads/{thread['id']}",
        f"/api/v1/circles/{circle['slug']}/rules",
        f"/api/v1/circles/{circle['slug']}/rules/proposals",
    ):
        assert (await member.api.get(path)).status_code == 200, path


async def test_accepting_is_the_join_call_with_the_current_version(
    user: Persona, member: Persona, circle: dict[str, Any], make_thread: ThreadFactory
) -> None:
    thread = await make_thread(user, circle)
    await new_version(user, member, circle)
    stale = await member.api.post(
        f"/api/v1/circles/{circle['slug']}/join", json={"accept_rules_version": 1}
    )
    assert error_of(stale, 409, "rules_version_stale")["current_version"] == 2
    accepted = await join(member, {"slug": circle["slug"], "rules": {"version": 2}})
    assert accepted["accepted_rules_version"] == 2
    replied = await member.api.post(
        f"/api/v1/threads/{thread['id']}/posts", json={"body": "Read and agreed."}
    )
    assert replied.status_code == 201, replied.text


async def test_the_owner_who_ratifies_goes_on_posting(
    user: Persona, member: Persona, circle: dict[str, Any], make_thread: ThreadFactory
) -> None:
    await new_version(user, member, circle)
    seen = await ok(await user.api.get(f"/api/v1/circles/{circle['slug']}"))
    assert seen["membership"]["accepted_rules_version"] == 2
    await make_thread(user, circle, title="After the new rules")


async def test_private_circle_members_still_read_after_a_new_version(
    user: Persona, other_user: Persona, private_circle: dict[str, Any], make_thread: ThreadFactory
) -> None:
    await ok(
        await user.api.post(
            f"/api/v1/circles/{private_circle['slug']}/members", json={"username": "blake"}
        ),
        201,
    )
    await join(other_user, private_circle)
    thread = await make_thread(user, private_circle)
    await new_version(user, other_user, private_circle)
    assert (await other_user.api.get(f"/api/v1/threads/{thread['id']}")).status_code == 200
    response = await other_user.api.post(
        f"/api/v1/threads/{thread['id']}/posts", json={"body": "Hello"}
    )
    error_of(response, 409, "rules_not_accepted")


async def ratify_over(owner: Any, member: Any, slug: str) -> int:
    made = await member.http.post(
        f"/api/v1/circles/{slug}/rules/proposals", json={**NEW_RULE, "rationale": "Please."}
    )
    assert made.status_code == 201, made.text
    done = await owner.http.post(f"/api/v1/rules/proposals/{made.json()['id']}/ratify")
    assert done.status_code == 200, done.text
    version: int = done.json()["version"]
    return version


async def test_chat_send_after_a_new_version_is_refused_until_accepted(live: Live) -> None:
    alex, blake = await live.member(), await live.member()
    opened = await live.open_room(alex, blake)
    async with live.connect(alex, opened.id) as a, live.connect(blake, opened.id) as b:
        version = await ratify_over(alex, blake, opened.slug)
        await send(b, "before-accepting", "hello again")
        refused = await next_of(b, "error")
        assert refused["code"] == "rules_not_accepted"
        assert refused["current_version"] == version == 2
        assert refused["client_msg_id"] == "before-accepting"
        # Reading is not blocked: the owner's message still reaches them.
        await send(a, "owner", "welcome to version 2")
        for ws in (a, b):
            assert (await next_of(ws, "message"))["client_msg_id"] == "owner"

        accepted = await blake.http.post(
            f"/api/v1/circles/{opened.slug}/join", json={"accept_rules_version": version}
        )
        assert accepted.status_code == 200, accepted.text
        await send(b, "after-accepting", "agreed")
        assert (await next_of(a, "message"))["client_msg_id"] == "after-accepting"


async def test_private_chat_still_admits_a_member_who_has_not_accepted_the_new_version(
    live: Live,
) -> None:
    alex, blake, newcomer = await live.member(), await live.member(), await live.member()
    slug = f"quiet-{uuid.uuid4().hex[:6]}"
    body = {"slug": slug, "name": "Quiet", "description": "", "visibility": "private"}
    circle = (await alex.http.post("/api/v1/circles", json=body)).json()
    for invited in (blake, newcomer):
        added = await alex.http.post(
            f"/api/v1/circles/{slug}/members", json={"username": invited.username}
        )
        assert added.status_code == 201, added.text
    joined = await blake.http.post(
        f"/api/v1/circles/{slug}/join", json={"accept_rules_version": circle["rules"]["version"]}
    )
    assert joined.status_code == 200, joined.text
    room_id = (await alex.http.get(f"/api/v1/circles/{slug}/rooms")).json()["rooms"][0]["id"]
    await ratify_over(alex, blake, slug)

    async with live.connect(blake, room_id) as b:
        assert (await next_of(b, "presence"))["members"]
        await send(b, "x", "can I?")
        assert (await next_of(b, "error"))["code"] == "rules_not_accepted"
    # Someone invited who never accepted any version is still asked to first.
    with pytest.raises(InvalidStatus) as refused:
        async with live.connect(newcomer, room_id):
            pass
    assert refused.value.response.status_code == 403


async def test_reading_chat_history_is_open_after_a_new_version(
    user: Persona, member: Persona, circle: dict[str, Any], client: httpx.AsyncClient
) -> None:
    await new_version(user, member, circle)
    rooms = await ok(await member.api.get(f"/api/v1/circles/{circle['slug']}/rooms"))
    history = await member.api.get(f"/api/v1/rooms/{rooms['rooms'][0]['id']}/messages")
    assert history.status_code == 200, history.text
