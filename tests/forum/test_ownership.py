"""Data ownership over HTTP: exporting one's data, and deleting one's account either way."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from forum.accounts.models import ApiToken, AuthSession, Block, User
from forum.chat.models import ChatMessage, MessageStatus, Room
from forum.circles.models import Circle, Membership
from forum.db import transaction, utcnow
from forum.errors import Conflict
from forum.models import Base
from forum.ownership import repository as ownership_repository
from forum.threads.models import PostRevision
from tests.conftest import (
    PASSWORD,
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


async def chat(database: Database, circle_slug: str, author: Persona, body: str) -> int:
    """A published message in the circle's drop-in room; returns the room id."""
    async with transaction(database.sessions) as db:
        room = await db.scalar(
            select(Room).join(Circle, Circle.id == Room.circle_id).where(Circle.slug == circle_slug)
        )
        assert room is not None
        room.last_seq += 1
        db.add(
            ChatMessage(
                room_id=room.id,
                seq=room.last_seq,
                author_id=author.id,
                client_msg_id=f"c-{room.last_seq}",
                body=body,
                body_html=f"<p>{body}</p>",
                status=MessageStatus.PUBLISHED,
                created_at=utcnow(),
            )
        )
        return room.id


async def delete_account(persona: Persona, keep_posts: bool, password: str = PASSWORD) -> Any:
    return await persona.api.post(
        "/api/v1/me/delete", json={"password": password, "keep_posts": keep_posts}
    )


async def remove_with_rule(
    moderator: Persona, reporter: Persona, post_id: int, circle: dict[str, Any]
) -> None:
    await ok(
        await reporter.api.post(
            "/api/v1/reports",
            json={"content_type": "post", "content_id": post_id, "reason": "It upset me"},
        ),
        201,
    )
    queue = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    item = next(i for i in queue["items"] if i["content_id"] == post_id)
    await ok(await moderator.api.post(f"/api/v1/moderation/items/{item['id']}/claim", json={}))
    rule_id = circle["rules"]["items"][0]["id"]
    await ok(
        await moderator.api.post(
            f"/api/v1/moderation/items/{item['id']}/decision",
            json={"action": "remove", "rule_id": rule_id, "note": "Please be gentle."},
        )
    )


# Export


async def test_export_has_everything_that_is_yours(
    database: Database,
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    edited = await reply(user, thread, "First words.")
    await ok(await user.api.patch(f"/api/v1/posts/{edited['id']}", json={"body": "Kinder words."}))
    blakes = await reply(other_user, thread, "Blake's reply.")
    await ok(
        await user.api.post(
            "/api/v1/reports",
            json={"content_type": "post", "content_id": blakes["id"], "reason": "Unkind"},
        ),
        201,
    )
    await chat(database, circle["slug"], user, "Hello, room.")
    await ok(
        await user.api.patch(
            "/api/v1/me",
            json={"muted_words": ["grief"], "availability": "evenings", "taking_break": True},
        )
    )
    await ok(await user.api.post("/api/v1/me/blocks/blake"), 201)
    # Blake reports Alex's first post, and a moderator removes it.
    await remove_with_rule(moderator, other_user, thread["post"]["id"], circle)

    response = await user.api.get("/api/v1/me/export")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="circles-alex-')
    data = response.json()
    assert data["profile"]["username"] == "alex"
    assert data["profile"]["availability"] == "evenings" and data["profile"]["taking_break"]
    assert data["settings"]["muted_words"] == ["grief"]
    assert [b["display_name"] for b in data["settings"]["blocked_members"]] == ["Blake"]
    assert [m["circle"]["slug"] for m in data["memberships"]] == [circle["slug"]]
    assert [t["title"] for t in data["threads"]] == [thread["title"]]
    posts = {p["id"]: p for p in data["posts"]}
    assert set(posts) == {thread["post"]["id"], edited["id"]}
    assert posts[edited["id"]]["body"] == "Kinder words."
    assert [v["body"] for v in posts[edited["id"]]["earlier_versions"]] == ["First words."]
    assert [m["body"] for m in data["chat_messages"]] == ["Hello, room."]
    assert [(r["content_id"], r["reason"]) for r in data["reports_made"]] == [
        (blakes["id"], "Unkind")
    ]
    decisions = data["decisions_about_your_content"]
    assert [(d["action"], d["content_id"], d["note"]) for d in decisions] == [
        ("remove", thread["post"]["id"], "Please be gentle.")
    ]
    assert decisions[0]["rule"]["title"] == circle["rules"]["items"][0]["title"]
    assert len(data["api_tokens"]) == 1 and "token" not in data["api_tokens"][0]

    # Never other people's private data: who reported you, who decided, their words.
    text = json.dumps(data)
    for private in ("blake", "It upset me", "Mod", "Blake's reply.", "token_hash", "password"):
        assert private not in text, private


async def test_export_includes_direct_messages_rule_proposals_reactions_and_settings(
    database: Database,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    await ok(await other_user.api.patch("/api/v1/me", json={"dm_policy": "anyone"}))
    await ok(
        await user.api.patch(
            "/api/v1/me",
            json={"dm_policy": "circles", "content_warning_prefs": {"grief": "show"}},
        )
    )
    room = await ok(
        await user.api.post("/api/v1/me/conversations", json={"username": "blake"}), 201
    )
    async with transaction(database.sessions) as db:
        db.add(
            ChatMessage(
                room_id=room["id"],
                author_id=user.user.id,
                client_msg_id="dm-1",
                body="Thinking of you today.",
                body_html="<p>Thinking of you today.</p>",
                seq=1,
                status=MessageStatus.PUBLISHED,
                created_at=utcnow(),
            )
        )
    proposal = await ok(
        await other_user.api.post(
            f"/api/v1/circles/{circle['slug']}/rules/proposals",
            json={"kind": "add", "title": "Tea breaks", "text": "Pause.", "rationale": "Rest."},
        ),
        201,
    )
    await ok(
        await user.api.post(
            f"/api/v1/rules/proposals/{proposal['id']}/endorse",
            json={"stance": "endorse", "comment": "Yes please."},
        )
    )
    post = await reply(other_user, thread, "Week three without him.")
    await ok(await user.api.put(f"/api/v1/posts/{post['id']}/reactions/with_you"))
    data = (await user.api.get("/api/v1/me/export")).json()
    [given] = data["reactions_given"]
    assert (given["content_type"], given["content_id"], given["kind"]) == (
        "post",
        post["id"],
        "with_you",
    )
    # A reaction is its giver's: the author it went to finds none in their own export.
    assert (await other_user.api.get("/api/v1/me/export")).json()["reactions_given"] == []
    assert data["settings"]["dm_policy"] == "circles"
    assert data["settings"]["content_warning_prefs"] == {"grief": "show"}
    direct = [m for m in data["chat_messages"] if m["circle"] is None]
    assert [m["body"] for m in direct] == ["Thinking of you today."]
    assert [(s["proposal_id"], s["stance"], s["comment"]) for s in data["rule_stances"]] == [
        (proposal["id"], "endorse", "Yes please.")
    ]
    # Blake's proposal is Blake's: it is in Blake's export, not Alex's.
    assert data["rule_proposals"] == []
    theirs = (await other_user.api.get("/api/v1/me/export")).json()
    assert [p["title"] for p in theirs["rule_proposals"]] == ["Tea breaks"]


async def test_export_is_only_your_own(
    user: Persona, other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    await join(other_user, circle)
    data = await ok(await other_user.api.get("/api/v1/me/export"))
    assert data["profile"]["username"] == "blake"
    assert data["threads"] == [] and data["posts"] == []
    assert "alex" not in json.dumps(data)


async def test_export_needs_a_signed_in_member(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/me/export")).status_code == 401


async def test_account_page_links_the_download_and_deletion(
    signed_in: Opener, user: Persona
) -> None:
    browser = await signed_in(user)
    page = await browser.get("/account")
    assert 'href="/api/v1/me/export"' in page.text
    assert 'href="/account/delete"' in page.text
    download = await browser.get("/api/v1/me/export")  # with the session cookie, as a link
    assert download.status_code == 200 and download.json()["profile"]["username"] == "alex"


# Deleting


async def test_delete_keeping_posts_leaves_them_to_a_former_member(
    database: Database,
    client: httpx.AsyncClient,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    mine = await reply(other_user, thread, "Something worth keeping.")
    room_id = await chat(database, circle["slug"], other_user, "Bye for now.")
    await ok(await other_user.api.post("/api/v1/me/blocks/alex"), 201)
    await ok(await client.get(f"/api/v1/threads/{thread['id']}"))  # a warm cached page

    answer = await ok(await delete_account(other_user, keep_posts=True))
    assert answer == {"deleted": True, "kept_posts": True, "circles_handed_over": 0}

    page = await ok(await client.get(f"/api/v1/threads/{thread['id']}"))
    kept = next(p for p in page["posts"] if p["id"] == mine["id"])
    assert kept["author"] == {"display_name": "a former member"}
    assert "Something worth keeping." in kept["body_html"]
    history = await ok(await user.api.get(f"/api/v1/rooms/{room_id}/messages"))
    assert [(m["author"]["display_name"], m["body_html"]) for m in history["messages"]] == [
        ("a former member", "<p>Bye for now.</p>")
    ]
    assert (await other_user.api.get("/api/v1/me")).status_code == 401
    async with database.sessions() as db:
        assert await db.get(User, other_user.id) is None
        for table, column in (
            (AuthSession, AuthSession.user_id),
            (ApiToken, ApiToken.user_id),
            (Membership, Membership.user_id),
            (Block, Block.blocker_id),
        ):
            count = await db.scalar(
                select(func.count()).select_from(table).where(column == other_user.id)
            )
            assert count == 0, table
    # The username is free again.
    again = await client.post(
        "/api/v1/auth/register",
        json={"username": "blake", "password": PASSWORD, "display_name": "Blake again"},
    )
    assert again.status_code == 201


async def test_delete_removing_posts_takes_the_words_out(
    database: Database,
    client: httpx.AsyncClient,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    make_thread: ThreadFactory,
) -> None:
    await join(other_user, circle)
    alone = await make_thread(other_user, circle, title="Only mine", body="Private thoughts.")
    shared = await make_thread(other_user, circle, title="Ask me anything", body="Go on.")
    answer = await reply(user, shared, "Alex answers.")
    edited = await reply(other_user, shared, "Draft one.")
    await ok(await other_user.api.patch(f"/api/v1/posts/{edited['id']}", json={"body": "Two."}))
    room_id = await chat(database, circle["slug"], other_user, "Please forget this.")

    result = await ok(await delete_account(other_user, keep_posts=False))
    assert result["kept_posts"] is False

    assert (await client.get(f"/api/v1/threads/{alone['id']}")).status_code == 404
    listing = await ok(await client.get(f"/api/v1/circles/{circle['slug']}/threads"))
    assert [t["title"] for t in listing["threads"]] == ["(title removed by its author)"]
    page = await ok(await client.get(f"/api/v1/threads/{shared['id']}"))
    by_id = {p["id"]: p for p in page["posts"]}
    assert by_id[answer["id"]]["body_html"] == "<p>Alex answers.</p>\n"
    for post_id in (shared["post"]["id"], edited["id"]):
        assert by_id[post_id]["status"] == "removed"
        assert by_id[post_id]["removed_by"] == "author"
        assert by_id[post_id]["body_html"] == ""
    history = await ok(await user.api.get(f"/api/v1/rooms/{room_id}/messages"))
    assert history["messages"] == []
    async with database.sessions() as db:
        texts = await db.scalars(select(ChatMessage.body).where(ChatMessage.room_id == room_id))
        assert list(texts) == [""]
        revisions = await db.scalar(
            select(func.count()).where(PostRevision.post_id == edited["id"])
        )
        assert revisions == 0


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"password": "not my password", "keep_posts": True}, 403, "wrong_password"),
        ({"password": PASSWORD}, 422, "invalid"),
        ({"password": PASSWORD, "keep_posts": "maybe"}, 422, "invalid"),
    ],
)
async def test_delete_with_a_wrong_password_or_no_choice_deletes_nothing(
    user: Persona, thread: dict[str, Any], body: dict[str, Any], status: int, code: str
) -> None:
    response = await user.api.post("/api/v1/me/delete", json=body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    me = await ok(await user.api.get("/api/v1/me"))
    assert me["username"] == "alex"
    assert (await ok(await user.api.get(f"/api/v1/threads/{thread['id']}")))["posts"]


async def test_password_guesses_on_delete_are_limited(user: Persona) -> None:
    for _ in range(5):
        assert (await delete_account(user, True, "wrong guess!")).status_code == 403
    limited = await delete_account(user, True)
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers
    await ok(await user.api.get("/api/v1/me"))


async def test_a_failure_part_way_leaves_everything_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
    database: Database,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    mine = await reply(other_user, thread, "Still here after all.")

    async def fail(*args: object) -> None:
        raise Conflict("Something went wrong.", code="interrupted")

    # The words are taken out first; the account row is deleted last, and fails here.
    monkeypatch.setattr(ownership_repository, "delete_user", fail)
    response = await delete_account(other_user, keep_posts=False)
    assert response.status_code == 409
    page = await ok(await user.api.get(f"/api/v1/threads/{thread['id']}"))
    kept = next(p for p in page["posts"] if p["id"] == mine["id"])
    assert kept["body_html"] == "<p>Still here after all.</p>\n"
    assert kept["author"] == {"display_name": "Blake"}
    await ok(await other_user.api.get("/api/v1/me"))


async def test_an_owner_leaving_hands_the_circle_to_its_moderator_or_longest_member(
    database: Database,
    user: Persona,
    make_persona: PersonaFactory,
    make_circle: CircleFactory,
) -> None:
    circle = await make_circle(user)
    empty = await make_circle(user)
    first, second, helper = [await make_persona() for _ in range(3)]
    for member in (first, second, helper):
        await join(member, circle)
    async with transaction(database.sessions) as db:
        await db.execute(
            update(Membership).where(Membership.user_id == helper.id).values(role="moderator")
        )
    answer = await ok(await delete_account(user, keep_posts=True))
    assert answer["circles_handed_over"] == 1
    async with database.sessions() as db:
        rows = await db.execute(select(Membership.user_id, Membership.role))
        roles = {user_id: role for user_id, role in rows}
    assert roles == {first.id: "member", second.id: "member", helper.id: "owner"}
    # The circle nobody else was in stays, looked after by site staff.
    assert (await first.api.get(f"/api/v1/circles/{empty['slug']}")).status_code == 200


async def test_a_new_account_never_sees_decisions_about_a_deleted_one(
    client: httpx.AsyncClient,
    moderator: Persona,
    make_persona: PersonaFactory,
    make_circle: CircleFactory,
    make_thread: ThreadFactory,
) -> None:
    owner = await make_persona("owner-one")
    circle = await make_circle(owner)
    leaving = await make_persona("leaving")
    await join(leaving, circle)
    made = await make_thread(leaving, circle)
    await remove_with_rule(moderator, owner, made["post"]["id"], circle)
    assert (await ok(await leaving.api.get("/api/v1/me/moderation")))["decisions"]
    await ok(await delete_account(leaving, keep_posts=True))
    # On SQLite the newest account's id can be handed out again.
    newcomer = await client.post(
        "/api/v1/auth/register",
        json={"username": "newcomer", "password": PASSWORD, "display_name": "New"},
    )
    token = await ok(
        await client.post("/api/v1/auth/token", json={"username": "newcomer", "password": PASSWORD})
    )
    assert newcomer.status_code == 201
    mine = await ok(
        await client.get(
            "/api/v1/me/moderation", headers={"Authorization": f"Bearer {token['token']}"}
        )
    )
    assert mine["decisions"] == []


def test_every_foreign_key_to_users_says_what_happens_on_delete() -> None:
    """Deleting an account relies on these; a new table must choose too."""
    found = []
    for table in Base.metadata.tables.values():
        for key in table.foreign_keys:
            if key.column.table.name == "users":
                found.append((table.name, key.parent.name, key.ondelete))
    assert found
    vague = [entry for entry in found if entry[2] not in ("CASCADE", "SET NULL")]
    assert not vague, vague
    # Whatever is set to NULL must be able to be.
    for table, column, ondelete in found:
        if ondelete == "SET NULL":
            assert Base.metadata.tables[table].c[column].nullable, (table, column)


async def test_delete_page_confirms_then_signs_out(
    signed_in: Opener, user: Persona, thread: dict[str, Any]
) -> None:
    browser = await signed_in(user)
    form = await browser.get("/account/delete")
    assert_strict_page(form)
    assert "can't be undone" in form.text
    token = CSRF_INPUT.search(form.text)
    assert token is not None
    no_choice = await browser.post(
        "/account/delete", data={"csrf_token": token.group(1), "password": PASSWORD}
    )
    assert no_choice.status_code == 422
    assert "choose what happens to your posts" in no_choice.text
    wrong = await browser.post(
        "/account/delete",
        data={"csrf_token": token.group(1), "password": "nope nope nope", "posts": "keep"},
    )
    assert wrong.status_code == 403 and "nothing was deleted" in wrong.text
    done = await browser.post(
        "/account/delete",
        data={"csrf_token": token.group(1), "password": PASSWORD, "posts": "keep"},
    )
    assert done.status_code == 200
    assert "Your account is deleted" in done.text
    assert 'circles_session=""' in done.headers["set-cookie"]
    assert (await user.api.get("/api/v1/me")).status_code == 401
