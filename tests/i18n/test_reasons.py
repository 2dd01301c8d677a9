"""What moderation says is stored once and worded for each reader: why a post was held,
why a member reported it, what a version of the rules changed."""

from __future__ import annotations

from typing import Any

from tests.conftest import Persona, join, ok, reply
from tests.forum.test_pages import Opener, signed_in

__all__ = ["signed_in"]

SPANISH = {"Accept-Language": "es"}
ATTACK = "you are a fucking idiot"


async def queue_item(moderator: Persona, post_id: int, **headers: str) -> dict[str, Any]:
    data = await ok(await moderator.api.get("/api/v1/moderation/queue", headers=headers))
    found = [i for i in data["items"] if (i["content_type"], i["content_id"]) == ("post", post_id)]
    assert len(found) == 1, found
    return found[0]


async def test_a_held_posts_reason_is_worded_for_each_reader(
    signed_in: Opener,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    post = await reply(other_user, thread, ATTACK, headers=SPANISH)
    assert post["status"] == "pending"
    # The author, writing in Spanish, is told why in Spanish at once.
    told = [r["message"] for r in post["moderation"]["reasons"]]
    assert any(m.startswith("Esto podría leerse como un insulto dirigido a") for m in told), told
    # The moderator reads the same stored reason in English, then in Spanish.
    english = await queue_item(moderator, post["id"])
    assert any("may read as an insult aimed at" in r["message"] for r in english["reasons"])
    spanish = await queue_item(moderator, post["id"], **SPANISH)
    assert [r["kind"] for r in spanish["reasons"]] == [r["kind"] for r in english["reasons"]]
    assert not any("may read as" in r["message"] for r in spanish["reasons"])
    page = await (await signed_in(moderator)).get("/moderation", headers=SPANISH)
    assert "Esto podría leerse como un insulto dirigido a" in page.text
    assert "This may read as" not in page.text
    # The author's own page says it in Spanish too: stored once, worded when read.
    author_page = await (await signed_in(other_user)).get(
        f"/threads/{thread['id']}", headers=SPANISH
    )
    assert "Esto podría leerse como un insulto dirigido a" in author_page.text
    api = await ok(await other_user.api.get(f"/api/v1/threads/{thread['id']}", headers=SPANISH))
    (own,) = [p for p in api["posts"] if p["id"] == post["id"]]
    assert [r["message"] for r in own["moderation"]["reasons"]] == told


async def test_a_report_keeps_the_reporters_words_in_the_readers_language(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    post = await reply(other_user, thread, "Have you tried just thinking more positively?")
    body = {"content_type": "post", "content_id": post["id"], "reason": "Dismissive of my loss"}
    await ok(await user.api.post("/api/v1/reports", json=body), 201)
    english = await queue_item(moderator, post["id"])
    spanish = await queue_item(moderator, post["id"], **SPANISH)
    assert english["reasons"][-1]["message"] == "Reported: Dismissive of my loss"
    assert spanish["reasons"][-1]["message"] == "Denunciado: Dismissive of my loss"


async def test_a_rules_versions_summary_is_worded_for_each_reader(
    user: Persona, circle: dict[str, Any]
) -> None:
    url = f"/api/v1/circles/{circle['slug']}/rules"
    rules = await ok(await user.api.get(url))
    items = [{"id": i["id"], "title": i["title"], "text": i["text"]} for i in rules["items"]]
    items.append({"title": "Listen first", "text": "Read the whole post before you answer."})
    await ok(await user.api.put(url, json={"items": items}))
    english = await ok(await user.api.get(url))
    spanish = await ok(await user.api.get(url, headers=SPANISH))
    assert [v["summary"] for v in english["history"]] == [
        "The circle's first rules.",
        "Added “Listen first”.",
    ]
    assert [v["summary"] for v in spanish["history"]] == [
        "Las primeras normas del círculo.",
        "Se añadió “Listen first”.",
    ]
    # Words the owner wrote stay as written, in every language.
    items = items[:-1]
    await ok(await user.api.put(url, json={"items": items, "summary": "Too many rules"}))
    spanish = await ok(await user.api.get(url, headers=SPANISH))
    assert spanish["history"][-1]["summary"] == "Too many rules"
