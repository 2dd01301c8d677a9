"""Supportive reactions on posts: who may give them, what everyone sees, and the author's say."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import Persona, PersonaFactory, ThreadFactory, join, ok
from tests.forum.test_accounts import BrowserFactory, browser, signed_in

__all__ = ["browser"]


async def react(who: Persona, post_id: int, kind: str, status: int = 200) -> dict[str, Any]:
    return await ok(await who.api.put(f"/api/v1/posts/{post_id}/reactions/{kind}"), status)


async def first_post(thread: dict[str, Any]) -> int:
    post_id: int = thread["post"]["id"]
    return post_id


async def test_members_react_and_everyone_sees_the_counts(
    user: Persona, other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    await join(other_user, circle)
    post_id = await first_post(thread)

    given = await react(other_user, post_id, "with_you")
    assert given["counts"] == {"with_you": 1, "thank_you": 0, "strength": 0, "me_too": 0}
    assert given["mine"] == ["with_you"]
    # Twice is still once; a second kind counts on its own.
    await react(other_user, post_id, "with_you")
    both = await react(other_user, post_id, "strength")
    assert both["counts"]["with_you"] == 1 and both["counts"]["strength"] == 1
    assert both["mine"] == ["strength", "with_you"]
    assert "who" not in both  # only the author sees who

    page = await ok(await user.api.get(f"/api/v1/threads/{thread['id']}"))
    assert page["posts"][0]["reactions"]["with_you"] == 1

    taken_back = await ok(
        await other_user.api.delete(f"/api/v1/posts/{post_id}/reactions/strength")
    )
    assert taken_back["counts"]["strength"] == 0 and taken_back["mine"] == ["with_you"]
    again = await ok(await user.api.get(f"/api/v1/threads/{thread['id']}"))
    assert again["posts"][0]["reactions"]["strength"] == 0


async def test_the_author_sees_who_reacted(
    user: Persona,
    other_user: Persona,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    third = await make_persona("casey", display_name="Casey")
    for member in (other_user, third):
        await join(member, circle)
    post_id = await first_post(thread)
    await react(other_user, post_id, "thank_you")
    await react(third, post_id, "me_too")

    seen = await ok(await user.api.get(f"/api/v1/posts/{post_id}/reactions"))
    assert seen["who"] == [
        {"kind": "thank_you", "label": "Thank you", "display_name": "Blake"},
        {"kind": "me_too", "label": "Me too", "display_name": "Casey"},
    ]
    # Someone the author blocks afterwards drops out of the names (their count stays).
    await ok(await user.api.post("/api/v1/me/blocks/casey"), 201)
    after = await ok(await user.api.get(f"/api/v1/posts/{post_id}/reactions"))
    assert [w["display_name"] for w in after["who"]] == ["Blake"]
    assert after["counts"]["me_too"] == 1
    # A reader who is not the author gets the counts, never the names.
    theirs = await ok(await third.api.get(f"/api/v1/posts/{post_id}/reactions"))
    assert "who" not in theirs and theirs["counts"]["thank_you"] == 1


async def test_refusals_say_why_and_change_nothing(
    user: Persona,
    other_user: Persona,
    make_persona: PersonaFactory,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    post_id = await first_post(thread)
    # Not a member yet: join first, as for replying.
    outsider = await react(other_user, post_id, "with_you", 403)
    assert outsider["error"]["code"] == "not_a_member"
    await join(other_user, circle)
    # No downvote, nor anything else outside the set.
    unknown = await react(other_user, post_id, "downvote", 404)
    assert "with_you" in unknown["error"]["message"]
    own = await react(user, post_id, "with_you", 403)
    assert own["error"]["code"] == "own_post"
    missing = await react(other_user, 10_000_000, "with_you", 404)
    assert missing["error"]["message"] == "That post doesn't exist."
    # Blocks, either way.
    blocker = await make_persona("drew", display_name="Drew")
    await join(blocker, circle)
    await ok(await user.api.post("/api/v1/me/blocks/drew"), 201)
    blocked = await react(blocker, post_id, "with_you", 403)
    assert blocked["error"]["code"] == "blocked"

    seen = await ok(await user.api.get(f"/api/v1/posts/{post_id}/reactions"))
    assert set(seen["counts"].values()) == {0} and seen["who"] == []


async def test_a_private_circles_posts_are_not_found_by_outsiders(
    user: Persona,
    other_user: Persona,
    private_circle: dict[str, Any],
    make_thread: ThreadFactory,
) -> None:
    thread = await make_thread(user, private_circle)
    post_id = await first_post(thread)
    for call in (
        other_user.api.put(f"/api/v1/posts/{post_id}/reactions/with_you"),
        other_user.api.get(f"/api/v1/posts/{post_id}/reactions"),
    ):
        response = await call
        assert response.status_code == 404, response.text


async def test_the_author_turns_reactions_off_and_on(
    user: Persona, other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    await join(other_user, circle)
    post_id = await first_post(thread)
    await react(other_user, post_id, "with_you")

    not_theirs = await other_user.api.patch(
        f"/api/v1/posts/{post_id}/reactions", json={"enabled": False}
    )
    assert not_theirs.status_code == 403, not_theirs.text
    off = await ok(
        await user.api.patch(f"/api/v1/posts/{post_id}/reactions", json={"enabled": False})
    )
    assert off["enabled"] is False and set(off["counts"].values()) == {0}
    refused = await react(other_user, post_id, "strength", 403)
    assert refused["error"]["code"] == "reactions_off"
    page = await ok(await other_user.api.get(f"/api/v1/threads/{thread['id']}"))
    assert "reactions" not in page["posts"][0]

    # Turned back on, what was given before counts again.
    on = await ok(
        await user.api.patch(f"/api/v1/posts/{post_id}/reactions", json={"enabled": True})
    )
    assert on["counts"]["with_you"] == 1
    bad = await user.api.patch(f"/api/v1/posts/{post_id}/reactions", json={"enabled": "maybe"})
    assert bad.status_code == 422, bad.text


def _buttons(html: str, post_id: int) -> dict[str, tuple[str, str]]:
    """kind -> (aria-pressed, count) for the post's reaction buttons on a page."""
    form = re.search(rf'<form[^>]*action="/posts/{post_id}/react"[\s\S]*?</form>', html)
    assert form is not None, html
    found = re.findall(
        r'value="(\w+)" class="reaction" aria-pressed="(\w+)">[\s\S]*?'
        r'<span class="reaction-count">(\d*)</span>',
        form.group(0),
    )
    return {kind: (pressed, count) for kind, pressed, count in found}


async def test_the_thread_page_offers_buttons_to_members_and_counts_to_others(
    browser: BrowserFactory,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    post_id = await first_post(thread)
    await react(other_user, post_id, "me_too")
    member = await signed_in(browser, other_user)
    page = (await member.http.get(f"/threads/{thread['id']}")).text
    buttons = _buttons(page, post_id)
    assert list(buttons) == ["with_you", "thank_you", "strength", "me_too"]
    assert buttons["me_too"] == ("true", "1") and buttons["with_you"] == ("false", "")

    # Without JavaScript the button is a form: it toggles, then shows the post again.
    page_path = f"/threads/{thread['id']}"
    sent = await member.submit(f"/posts/{post_id}/react", {"kind": "with_you"}, page_path)
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/threads/{thread['id']}#post-{post_id}"
    after = _buttons((await member.http.get(page_path)).text, post_id)
    assert after["with_you"] == ("true", "1")
    again = await member.submit(f"/posts/{post_id}/react", {"kind": "with_you"}, page_path)
    assert again.status_code == 303
    assert _buttons((await member.http.get(page_path)).text, post_id)["with_you"] == ("false", "")

    anonymous = browser()
    page = (await anonymous.http.get(page_path)).text
    assert f'action="/posts/{post_id}/react"' not in page
    assert 'Me too <span class="reaction-count">1</span>' in page

    author = await signed_in(browser, user)
    page = (await author.http.get(page_path)).text
    assert f'action="/posts/{post_id}/react"' not in page
    assert f'<a href="/posts/{post_id}/reactions">Who reacted</a>' in page
    who = (await author.http.get(f"/posts/{post_id}/reactions")).text
    assert "Me too: Blake" in who
    # Turned off from that page: the counts go, and the member's buttons with them.
    off = await author.submit(
        f"/posts/{post_id}/reactions", {"enabled": "off"}, f"/posts/{post_id}/reactions"
    )
    assert off.status_code == 303
    assert "Reactions are off on this post" in (await author.http.get(page_path)).text
    page = (await member.http.get(page_path)).text
    assert f'action="/posts/{post_id}/react"' not in page and "reaction-count" not in page
    # Someone else can't open the author's page.
    assert (await member.http.get(f"/posts/{post_id}/reactions")).status_code == 403
