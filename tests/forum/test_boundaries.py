"""Personal boundaries over HTTP: muted words, blocking, the availability note and a break."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from forum.accounts.blocks import is_blocked_between
from forum.accounts.boundaries import presence_hidden
from forum.accounts.models import User
from tests.conftest import (
    CircleFactory,
    Database,
    Persona,
    PersonaFactory,
    ThreadFactory,
    join,
    ok,
    reply,
)
from tests.forum.test_pages import Opener, assert_strict_page, signed_in

__all__ = ["signed_in"]

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
MUTED = '<details class="muted">'
BLOCKED = "Hidden: a member you blocked wrote this."


def csrf_of(page: httpx.Response) -> str:
    match = CSRF_INPUT.search(page.text)
    assert match is not None, "the page has a form with a CSRF token"
    return match.group(1)


async def mute(persona: Persona, *words: str) -> dict[str, Any]:
    return await ok(await persona.api.patch("/api/v1/me", json={"muted_words": list(words)}))


def post_html(page: str, post_id: int) -> str:
    """One post's <li>, from the thread page."""
    start = page.index(f'id="post-{post_id}"')
    end = page.find('<li class="post card"', start)
    return page[start : end if end != -1 else len(page)]


@pytest.fixture
async def reader(make_persona: PersonaFactory, circle: dict[str, Any]) -> Persona:
    """A third member of `circle`, who reads what alex and blake write."""
    persona = await make_persona("casey", display_name="Casey")
    await join(persona, circle)
    return persona


# Muted words


async def test_muted_words_are_kept_cleaned_and_shown_by_me(user: Persona) -> None:
    me = await mute(user, "  Grief ", "GRIEF", "my   ex", "", "hospital")
    assert me["muted_words"] == ["Grief", "my ex", "hospital"]
    assert (await ok(await user.api.get("/api/v1/me")))["muted_words"] == me["muted_words"]
    cleared = await mute(user)
    assert cleared["muted_words"] == []


@pytest.mark.parametrize(
    ("words", "says"),
    [
        ([f"word{n}" for n in range(51)], "up to 50"),
        (["x" * 41], "at most 40 characters"),
        (["!!! ???"], "no letters or numbers"),
    ],
)
async def test_too_many_too_long_or_empty_muted_words_are_refused(
    user: Persona, words: list[str], says: str
) -> None:
    await mute(user, "kept")
    response = await user.api.patch("/api/v1/me", json={"muted_words": words})
    assert response.status_code == 422
    assert says in response.json()["error"]["message"]
    assert (await ok(await user.api.get("/api/v1/me")))["muted_words"] == ["kept"]


async def test_post_with_a_muted_word_is_collapsed_for_that_reader_only(
    app: Starlette,
    signed_in: Opener,
    user: Persona,
    other_user: Persona,
    reader: Persona,
    client: httpx.AsyncClient,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    # Spelled to slip past a plain match: folded like crisis detection, it is "grief".
    muted = await reply(user, thread, "The GR1EF comes in waves.")
    plain = await reply(user, thread, "Tea helps a little.")
    await mute(other_user, "grief")
    url = f"/threads/{thread['id']}"
    blake, casey, alex = [await signed_in(p) for p in (other_user, reader, user)]
    # Alternate readers on one warm snapshot: one reader's view must not leak to another.
    for _ in range(2):
        mine = await blake.get(url)
        assert_strict_page(mine)
        assert MUTED in post_html(mine.text, muted["id"])
        assert "Hidden by your muted words" in post_html(mine.text, muted["id"])
        assert "The GR1EF comes in waves." in post_html(mine.text, muted["id"])  # revealable
        assert MUTED not in post_html(mine.text, plain["id"])
        for other in (casey, alex, client):
            theirs = await other.get(url)
            assert theirs.status_code == 200
            assert MUTED not in theirs.text
            assert "The GR1EF comes in waves." in theirs.text


async def test_muted_words_match_whole_words_only(
    signed_in: Opener,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    # "ex" only inside words. (Not "Next week I'm exhausted": the crisis model reads a
    # time and exhaustion as urgent and holds it, a known false alarm.)
    inside = await reply(user, thread, "The index is annexed and the text is complex.")
    whole = await reply(user, thread, "Then my ex, again, called.")
    phrase = await reply(user, thread, "I saw My. Ex. at the shop.")
    await mute(other_user, "ex", "my ex")
    page = (await (await signed_in(other_user)).get(f"/threads/{thread['id']}")).text
    assert MUTED not in post_html(page, inside["id"])
    assert MUTED in post_html(page, whole["id"])
    assert MUTED in post_html(page, phrase["id"])


async def test_own_posts_are_never_collapsed(
    signed_in: Opener, user: Persona, thread: dict[str, Any]
) -> None:
    mine = await reply(user, thread, "Grief, again.")
    await mute(user, "grief")
    page = (await (await signed_in(user)).get(f"/threads/{thread['id']}")).text
    assert MUTED not in post_html(page, mine["id"])


async def test_api_marks_posts_and_titles_with_muted_words(
    user: Persona,
    other_user: Persona,
    reader: Persona,
    circle: dict[str, Any],
    make_thread: ThreadFactory,
) -> None:
    made = await make_thread(user, circle, title="Grief at night", body="Can't sleep.")
    muted = await reply(user, made, "Grief is heavy tonight.")
    await mute(other_user, "grief")
    seen = await ok(await other_user.api.get(f"/api/v1/threads/{made['id']}"))
    assert seen["title_muted"] is True
    flagged = {p["id"]: p.get("muted", False) for p in seen["posts"]}
    assert flagged == {made["post"]["id"]: False, muted["id"]: True}
    assert "Grief is heavy tonight." in seen["posts"][1]["body_html"]
    unmuted = await ok(await reader.api.get(f"/api/v1/threads/{made['id']}"))
    assert "title_muted" not in unmuted
    assert all("muted" not in p for p in unmuted["posts"])
    listing = await ok(await other_user.api.get(f"/api/v1/circles/{circle['slug']}/threads"))
    assert [t.get("muted", False) for t in listing["threads"]] == [True]
    listing = await ok(await reader.api.get(f"/api/v1/circles/{circle['slug']}/threads"))
    assert [t.get("muted", False) for t in listing["threads"]] == [False]


async def test_muted_titles_are_collapsed_on_the_circle_and_thread_pages(
    signed_in: Opener,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    make_thread: ThreadFactory,
) -> None:
    made = await make_thread(user, circle, title="Grief at night", body="Can't sleep.")
    await make_thread(user, circle, title="Gardening", body="Tomatoes.")
    await mute(other_user, "grief")
    browser = await signed_in(other_user)
    response = await browser.get(f"/c/{circle['slug']}")
    assert_strict_page(response)
    circle_page = response.text
    assert circle_page.count(MUTED) == 1
    muted_item = circle_page[circle_page.index(MUTED) :]
    assert muted_item.index("Grief at night") < muted_item.index("</details>")
    page = (await browser.get(f"/threads/{made['id']}")).text
    assert "<title>A conversation · Circles</title>" in page
    assert "<h1>A conversation</h1>" in page


async def test_account_page_saves_muted_words_one_per_line(
    signed_in: Opener, user: Persona
) -> None:
    browser = await signed_in(user)
    account = await browser.get("/account")
    saved = await browser.post(
        "/account/muted-words",
        data={"csrf_token": csrf_of(account), "muted_words": "grief\r\nmy ex, hospital\r\n"},
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/account?saved=muted#muted-heading"
    assert (await ok(await user.api.get("/api/v1/me")))["muted_words"] == [
        "grief",
        "my ex",
        "hospital",
    ]
    assert_strict_page(await browser.get("/account"))  # its new controls are labelled
    refused = await browser.post(
        "/account/muted-words", data={"csrf_token": csrf_of(account), "muted_words": "y" * 41}
    )
    assert refused.status_code == 422
    assert "at most 40 characters" in refused.text
    assert (await ok(await user.api.get("/api/v1/me")))["muted_words"] == [
        "grief",
        "my ex",
        "hospital",
    ]


# Blocking


async def test_block_list_and_unblock_over_the_api(
    user: Persona, other_user: Persona, client: httpx.AsyncClient
) -> None:
    first = await user.api.post("/api/v1/me/blocks/blake")
    assert first.status_code == 201
    assert first.json() == {"display_name": "Blake", "blocked": True}
    again = await user.api.post("/api/v1/me/blocks/BLAKE")
    assert again.status_code == 200
    listed = await ok(await user.api.get("/api/v1/me/blocks"))
    assert [(b["id"], b["display_name"]) for b in listed["blocks"]] == [(other_user.id, "Blake")]
    assert "username" not in listed["blocks"][0]
    unblocked = await ok(await user.api.delete("/api/v1/me/blocks/blake"))
    assert unblocked == {"display_name": "Blake", "blocked": False}
    assert (await ok(await user.api.get("/api/v1/me/blocks")))["blocks"] == []
    await ok(await user.api.delete("/api/v1/me/blocks/blake"))  # harmless twice


@pytest.mark.parametrize(
    ("username", "status", "code"),
    [("nobody-here", 404, "not_found"), ("alex", 409, "cannot_block_self")],
)
async def test_blocking_someone_who_cannot_be_blocked_is_refused(
    user: Persona, username: str, status: int, code: str
) -> None:
    response = await user.api.post(f"/api/v1/me/blocks/{username}")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


async def test_blocks_need_a_signed_in_member(client: httpx.AsyncClient, user: Persona) -> None:
    assert (await client.get("/api/v1/me/blocks")).status_code == 401
    assert (await client.post("/api/v1/me/blocks/alex")).status_code == 401


async def test_blocked_members_posts_and_threads_are_hidden_from_the_blocker(
    signed_in: Opener,
    user: Persona,
    other_user: Persona,
    reader: Persona,
    circle: dict[str, Any],
    make_thread: ThreadFactory,
) -> None:
    await join(other_user, circle)
    theirs = await make_thread(other_user, circle, title="Blake's thread", body="Mine.")
    ours = await make_thread(user, circle, title="Alex's thread", body="Hello.")
    hurtful = await reply(other_user, ours, "Words Alex would rather not read.")
    await ok(await user.api.post("/api/v1/me/blocks/blake"), 201)

    page = (await (await signed_in(user)).get(f"/threads/{ours['id']}")).text
    assert BLOCKED in post_html(page, hurtful["id"])
    assert "Words Alex would rather not read." not in page
    assert 'action="/posts/{}/unblock-author"'.format(hurtful["id"]) in page
    data = await ok(await user.api.get(f"/api/v1/threads/{ours['id']}"))
    blocked = next(p for p in data["posts"] if p["id"] == hurtful["id"])
    assert blocked["blocked"] is True and blocked["body_html"] == ""
    listing = await ok(await user.api.get(f"/api/v1/circles/{circle['slug']}/threads"))
    assert [t["title"] for t in listing["threads"]] == ["Alex's thread"]
    circle_page = (await (await signed_in(user)).get(f"/c/{circle['slug']}")).text
    assert "Blake's thread" not in circle_page
    started = await ok(await user.api.get(f"/api/v1/threads/{theirs['id']}"))
    assert started["title"] == "" and started["blocked"] is True

    # Everyone else still sees them.
    others = await ok(await reader.api.get(f"/api/v1/threads/{ours['id']}"))
    assert "Words Alex would rather not read." in others["posts"][1]["body_html"]
    listing = await ok(await reader.api.get(f"/api/v1/circles/{circle['slug']}/threads"))
    assert {t["title"] for t in listing["threads"]} == {"Alex's thread", "Blake's thread"}


async def test_the_blocked_member_is_not_told(
    signed_in: Opener,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    await reply(user, thread, "Alex writes here.")
    await reply(other_user, thread, "Blake writes here.")
    browser = await signed_in(other_user)

    async def what_blake_gets() -> list[Any]:
        return [
            (await other_user.api.get(f"/api/v1/threads/{thread['id']}")).json(),
            (await other_user.api.get(f"/api/v1/circles/{circle['slug']}/threads")).json(),
            (await other_user.api.get("/api/v1/users/alex")).json(),
            (await other_user.api.get("/api/v1/me")).json(),
            (await other_user.api.get("/api/v1/me/blocks")).json(),
            CSRF_INPUT.sub("", (await browser.get(f"/threads/{thread['id']}")).text),
            CSRF_INPUT.sub("", (await browser.get("/u/alex")).text),
        ]

    before = await what_blake_gets()
    await ok(await user.api.post("/api/v1/me/blocks/blake"), 201)
    after = await what_blake_gets()
    assert after == before
    # And blake can still write where alex is.
    await reply(other_user, thread, "Still here.")


async def test_block_and_unblock_from_a_posts_controls(
    signed_in: Opener,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    theirs = await reply(other_user, thread, "A reply from Blake.")
    browser = await signed_in(user)
    url = f"/threads/{thread['id']}"
    page = await browser.get(url)
    controls = post_html(page.text, theirs["id"])
    assert f'action="/posts/{theirs["id"]}/block-author"' in controls
    blocked = await browser.post(
        f"/posts/{theirs['id']}/block-author", data={"csrf_token": csrf_of(page)}
    )
    assert blocked.status_code == 303
    assert blocked.headers["location"] == f"{url}#post-{theirs['id']}"
    page = await browser.get(url)
    assert BLOCKED in post_html(page.text, theirs["id"])
    unblocked = await browser.post(
        f"/posts/{theirs['id']}/unblock-author", data={"csrf_token": csrf_of(page)}
    )
    assert unblocked.status_code == 303
    page = await browser.get(url)
    assert "A reply from Blake." in post_html(page.text, theirs["id"])
    # No block control on one's own posts.
    assert "block-author" not in post_html(page.text, thread["post"]["id"])


async def test_block_control_needs_the_form_token(
    signed_in: Opener,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    theirs = await reply(other_user, thread, "A reply from Blake.")
    browser = await signed_in(user)
    forged = await browser.post(f"/posts/{theirs['id']}/block-author", data={})
    assert forged.status_code == 403
    assert (await ok(await user.api.get("/api/v1/me/blocks")))["blocks"] == []


async def test_block_and_unblock_from_account_settings(
    signed_in: Opener, user: Persona, other_user: Persona
) -> None:
    browser = await signed_in(user)
    account = await browser.get("/account")
    token = csrf_of(account)
    missing = await browser.post("/account/blocks", data={"csrf_token": token, "username": "zed"})
    assert missing.status_code == 404
    assert "no member with that username" in missing.text
    added = await browser.post("/account/blocks", data={"csrf_token": token, "username": "blake"})
    assert added.status_code == 303
    page = (await browser.get("/account")).text
    assert f'action="/account/blocks/{other_user.id}/unblock"' in page
    removed = await browser.post(
        f"/account/blocks/{other_user.id}/unblock", data={"csrf_token": token}
    )
    assert removed.status_code == 303
    assert (await ok(await user.api.get("/api/v1/me/blocks")))["blocks"] == []
    assert "You haven't blocked anyone." in (await browser.get("/account")).text


async def test_is_blocked_between_works_both_ways(
    database: Database, user: Persona, other_user: Persona, reader: Persona
) -> None:
    await ok(await user.api.post("/api/v1/me/blocks/blake"), 201)
    async with database.sessions() as db:
        assert await is_blocked_between(db, user.id, other_user.id)
        assert await is_blocked_between(db, other_user.id, user.id)
        assert not await is_blocked_between(db, user.id, reader.id)
        assert not await is_blocked_between(db, user.id, user.id)


# Availability and taking a break


async def test_availability_note_is_cleaned_and_limited(user: Persona) -> None:
    me = await ok(
        await user.api.patch(
            "/api/v1/me", json={"availability": "  around\u202e most\x07   evenings  "}
        )
    )
    assert me["availability"] == "around most evenings"
    long = await user.api.patch("/api/v1/me", json={"availability": "z" * 121})
    assert long.status_code == 422
    assert "at most 120 characters" in long.json()["error"]["message"]
    assert (await ok(await user.api.get("/api/v1/me")))["availability"] == "around most evenings"


async def test_profile_shows_the_note_and_a_break_next_to_the_name(
    signed_in: Opener, user: Persona, other_user: Persona
) -> None:
    await ok(
        await user.api.patch(
            "/api/v1/me", json={"availability": "<b>around</b> most evenings", "taking_break": True}
        )
    )
    profile = await ok(await other_user.api.get("/api/v1/users/alex"))
    assert profile == {
        "display_name": "Alex",
        "availability": "<b>around</b> most evenings",
        "taking_break": True,
        "member_since": profile["member_since"],
        "is_you": False,
        "you_blocked": False,
    }
    response = await (await signed_in(other_user)).get("/u/alex")
    assert_strict_page(response)
    html = response.text
    heading = html[html.index('<h1 id="profile-name">') : html.index("</h1>")]
    assert "Alex" in heading and "Taking a break" in heading
    assert "&lt;b&gt;around&lt;/b&gt; most evenings" in heading  # shown as text, never markup
    assert "alex" not in heading  # the display name, not the username


async def test_profiles_need_a_signed_in_member_and_a_real_username(
    client: httpx.AsyncClient, user: Persona
) -> None:
    assert (await client.get("/api/v1/users/alex")).status_code == 401
    to_login = await client.get("/u/alex")
    assert to_login.status_code == 303 and to_login.headers["location"].startswith("/login")
    assert (await user.api.get("/api/v1/users/nobody-here")).status_code == 404


async def test_taking_a_break_hides_presence_and_shows_on_the_account_page(
    signed_in: Opener, user: Persona, database: Database
) -> None:
    browser = await signed_in(user)
    account = await browser.get("/account")
    saved = await browser.post(
        "/account/availability",
        data={
            "csrf_token": csrf_of(account),
            "availability": "around most evenings",
            "taking_break": "true",
        },
    )
    assert saved.status_code == 303
    me = await ok(await user.api.get("/api/v1/me"))
    assert me["taking_break"] is True and me["availability"] == "around most evenings"
    assert me["hide_presence"] is False  # the two switches stay separate
    async with database.sessions() as db:
        member = await db.get(User, user.id)
        assert member is not None and presence_hidden(member)
    page = (await browser.get("/account")).text
    assert 'name="taking_break" value="true" checked' in page
    await ok(await user.api.patch("/api/v1/me", json={"taking_break": False}))
    async with database.sessions() as db:
        member = await db.get(User, user.id)
        assert member is not None and not presence_hidden(member)


async def test_settings_reject_unknown_fields(user: Persona) -> None:
    response = await user.api.patch("/api/v1/me", json={"muted": ["x"]})
    assert response.status_code == 422
    assert "not a field" in response.json()["error"]["message"]


async def test_only_members_of_a_private_circle_can_block_from_its_posts(
    signed_in: Opener,
    user: Persona,
    other_user: Persona,
    make_circle: CircleFactory,
    make_thread: ThreadFactory,
) -> None:
    private = await make_circle(user, visibility="private")
    made = await make_thread(user, private)
    browser = await signed_in(other_user)
    home = await browser.get("/account")
    refused = await browser.post(
        f"/posts/{made['post']['id']}/block-author", data={"csrf_token": csrf_of(home)}
    )
    assert refused.status_code == 404
    assert (await ok(await other_user.api.get("/api/v1/me/blocks")))["blocks"] == []
