"""Mentions: "@" and a display name in a post tells that member of the circle, once, and
never someone outside it, the writer, or a member either of them blocked."""

from __future__ import annotations

from typing import Any

from forum.people.mentions import candidates
from tests.conftest import CircleFactory, Persona, PersonaFactory, ThreadFactory, join, ok
from tests.notifications.test_kinds_flow import kinds, reply
from tests.notifications.test_notifications_api import decide, held_post, item_for, notifications


def test_each_at_offers_the_longest_names_first() -> None:
    assert candidates("thank you @Robin Ash, really") == [["Robin Ash", "Robin"]]
    assert candidates("mail me at a@b.com") == []  # an address is not a mention
    assert candidates("@Sam and @Lee") == [["Sam and", "Sam"], ["Lee"]]


async def test_a_member_named_in_a_reply_is_told_with_a_link_to_it(
    user: Persona,
    other_user: Persona,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    robin = await make_persona("robin", display_name="Robin Ash")
    robert = await make_persona("robert", display_name="Robin")
    for member in (other_user, robin, robert):
        await join(member, circle)
    post = await reply(other_user, thread, "@robin ash, your words last week helped. @Robin too!")
    [notice] = await notifications(robin)
    assert notice["kind"] == "mention"
    assert notice["text"] == "Blake mentioned you in “A first thread”."
    assert notice["url"] == f"/threads/{thread['id']}#post-{post['id']}"
    assert await kinds(robert) == ["mention"]
    # The thread's author hears of the reply once, as a reply, even when named in it.
    await reply(other_user, thread, "And @Alex, thank you for starting this.")
    assert await kinds(user) == ["reply", "reply"]
    # Nobody is told of their own words.
    await reply(robin, thread, "Thanks @Robin Ash (me) and @Blake")
    assert await kinds(robin) == ["mention"]
    assert await kinds(other_user) == ["mention"]


async def test_outsiders_and_blocked_members_are_never_told(
    user: Persona,
    other_user: Persona,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    outsider = await make_persona("casey", display_name="Casey")  # not in the circle
    blocker = await make_persona("drew", display_name="Drew")
    for member in (other_user, blocker):
        await join(member, circle)
    await ok(await blocker.api.post(f"/api/v1/me/blocks/{other_user.username}"), 201)
    await reply(other_user, thread, "Hi @Casey and @Drew.")
    assert await kinds(outsider) == []
    assert await kinds(blocker) == []


async def test_a_held_post_mentions_once_a_moderator_approves_it(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    make_persona: PersonaFactory,
    make_circle: CircleFactory,
    make_thread: ThreadFactory,
) -> None:
    circle = await make_circle(user)
    thread = await make_thread(user, circle)
    robin = await make_persona("robin", display_name="Robin Ash")
    for member in (other_user, robin):
        await join(member, circle)
    held = await held_post(other_user, thread, "@Robin Ash you absolute idiot, I love you")
    assert held["status"] == "pending"
    assert await kinds(robin) == []
    await decide(moderator, await item_for(moderator, held["id"]), action="approve")
    assert await kinds(robin) == ["mention"]


async def test_mentions_can_be_turned_off(
    user: Persona, other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    await join(other_user, circle)
    await ok(
        await other_user.api.patch(
            "/api/v1/me/notification-settings", json={"kinds": {"mention": False}}
        )
    )
    await reply(user, thread, "Good to see you, @Blake.")
    assert await kinds(other_user) == []


async def test_an_edit_tells_only_the_members_it_newly_names(
    user: Persona,
    other_user: Persona,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    robin = await make_persona("robin", display_name="Robin Ash")
    sam = await make_persona("sam", display_name="Sam")
    for member in (other_user, robin, sam):
        await join(member, circle)
    post = await reply(other_user, thread, "@Robin Ash, thank you.")
    assert await kinds(robin) == ["mention"]
    edited = await other_user.api.patch(
        f"/api/v1/posts/{post['id']}", json={"body": "@Robin Ash and @Sam, thank you both."}
    )
    assert edited.status_code == 200, edited.text
    assert await kinds(sam) == ["mention"]
    assert await kinds(robin) == ["mention"]  # named before: not told twice
