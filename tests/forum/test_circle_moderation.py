"""Owners' moderation settings over HTTP: thresholds, the crisis policy, watched words, the log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from starlette.applications import Starlette

from forum.circle_moderation.models import SettingsChange
from forum.circles.models import Circle, CircleRole, Membership
from moderation.decision import Policy
from tests.conftest import AppFactory, Database, Persona, join, ok
from tests.forum.test_accounts import FORM_ERROR, BrowserFactory, browser, signed_in

__all__ = ["browser"]

# Calm words: only the keyword scorer below calls them a threat. ("There is a storm coming
# for you" was used until the insult rules rightly read "coming for you" as a threat.)
STORM = "A storm is on its way tonight, stay safe everyone"


class KeywordScorer:
    """Scores "storm" as a middling threat (flagged, not held, by default); all else calm."""

    name: str = "keyword"
    labels: tuple[str, ...] = ("toxicity", "threat")

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return [
            {"toxicity": 0.01, "threat": 0.5 if "storm" in text.lower() else 0.01} for text in texts
        ]


@pytest.fixture
def app(make_app: AppFactory) -> Starlette:
    return make_app(scorer=KeywordScorer())


def settings_path(circle: dict[str, Any]) -> str:
    return f"/api/v1/circles/{circle['slug']}/moderation"


async def make_circle_moderator(
    database: Database, persona: Persona, circle: dict[str, Any]
) -> None:
    await join(persona, circle)
    async with database.sessions() as db:
        circle_id = await db.scalar(select(Circle.id).where(Circle.slug == circle["slug"]))
        await db.execute(
            update(Membership)
            .where(Membership.circle_id == circle_id, Membership.user_id == persona.id)
            .values(role=CircleRole.MODERATOR)
        )
        await db.commit()


async def log_count(database: Database) -> int:
    async with database.sessions() as db:
        return int(await db.scalar(select(func.count()).select_from(SettingsChange)) or 0)


# --- reading ---


async def test_owner_reads_the_default_settings(user: Persona, circle: dict[str, Any]) -> None:
    data = await ok(await user.api.get(settings_path(circle)))
    defaults = Policy()
    assert data["thresholds"]["threat"] == {
        "hold": defaults.hold["threat"],
        "flag": defaults.flag["threat"],
    }
    assert set(data["thresholds"]) == set(defaults.hold)
    assert data["crisis_concern"] == "publish_and_review"
    assert data["watched_words"] == []
    assert data["can_edit"] is True
    assert data["limits"]["watched_words"] == 100
    assert "self-harm" in data["content_warnings"]


async def test_circle_moderator_reads_settings_but_cannot_change_them(
    database: Database, user: Persona, other_user: Persona, circle: dict[str, Any]
) -> None:
    await make_circle_moderator(database, other_user, circle)
    data = await ok(await other_user.api.get(settings_path(circle)))
    assert data["can_edit"] is False
    refused = await other_user.api.patch(settings_path(circle), json={"crisis_concern": "hold"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_an_owner"
    word = await other_user.api.post(
        f"{settings_path(circle)}/watched-words", json={"phrase": "foo", "action": "hold"}
    )
    assert word.status_code == 403
    assert await log_count(database) == 0


async def test_members_and_strangers_are_refused(
    client: httpx.AsyncClient,
    other_user: Persona,
    circle: dict[str, Any],
    private_circle: dict[str, Any],
) -> None:
    await join(other_user, circle)
    member = await other_user.api.get(settings_path(circle))
    assert member.status_code == 403
    assert member.json()["error"]["code"] == "not_a_moderator"
    assert (await other_user.api.get(settings_path(private_circle))).status_code == 404
    assert (await client.get(settings_path(circle))).status_code == 401


# --- thresholds and the crisis policy ---


async def test_owner_changes_thresholds_and_the_change_is_logged(
    user: Persona, other_user: Persona, database: Database, circle: dict[str, Any]
) -> None:
    changed = await ok(
        await user.api.patch(
            settings_path(circle),
            json={"thresholds": {"threat": {"hold": 0.5, "flag": 0.3}}, "crisis_concern": "hold"},
        )
    )
    assert changed["thresholds"]["threat"] == {"hold": 0.5, "flag": 0.3}
    assert changed["thresholds"]["insult"] == {"hold": 0.9, "flag": 0.6}
    assert changed["crisis_concern"] == "hold"
    again = await ok(await user.api.get(settings_path(circle)))
    assert again["thresholds"] == changed["thresholds"]

    log = await ok(await user.api.get(f"{settings_path(circle)}/log"))
    [entry] = log["entries"]
    assert entry["actor"] == {"display_name": "Alex"}
    assert entry["created_at"]
    assert {(c["kind"], c.get("which"), c.get("before"), c["after"]) for c in entry["changes"]} == {
        ("threshold", "hold", 0.6, 0.5),
        ("threshold", "flag", 0.4, 0.3),
        ("crisis_concern", None, "publish_and_review", "hold"),
    }
    assert "Hold threshold for threat: 0.6 → 0.5" in entry["summary"]
    # Circle moderators read the log; members don't.
    await make_circle_moderator(database, other_user, circle)
    assert (await ok(await other_user.api.get(f"{settings_path(circle)}/log")))["entries"]


async def test_a_change_that_changes_nothing_is_not_logged(
    user: Persona, database: Database, circle: dict[str, Any]
) -> None:
    same = {"thresholds": {"threat": {"hold": 0.6}}, "crisis_concern": "publish_and_review"}
    await ok(await user.api.patch(settings_path(circle), json=same))
    assert await log_count(database) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"thresholds": {"threat": {"hold": 1.5}}}, "thresholds.threat.hold"),
        ({"thresholds": {"threat": {"flag": -0.1}}}, "thresholds.threat.flag"),
        ({"thresholds": {"threat": {"hold": 0.3, "flag": 0.5}}}, "thresholds.threat.flag"),
        ({"thresholds": {"threat": {"hold": 0.2}}}, "thresholds.threat.flag"),
        ('{"thresholds": {"threat": {"hold": NaN}}}', "thresholds.threat.hold"),
        ({"thresholds": {"threat": {"hold": "high"}}}, "thresholds.threat.hold"),
        ({"thresholds": {"spam": {"hold": 0.5}}}, "thresholds"),
        ({"thresholds": {"threat": {"hold": 0.5, "block": 0.1}}}, "thresholds.threat.block"),
        ({"crisis_concern": "sometimes"}, "crisis_concern"),
    ],
)
async def test_bad_settings_are_refused_and_nothing_changes(
    user: Persona, database: Database, circle: dict[str, Any], body: Any, field: str
) -> None:
    if isinstance(body, str):  # JSON with NaN, which Python's parser accepts
        response = await user.api.patch(
            settings_path(circle), content=body, headers={"content-type": "application/json"}
        )
    else:
        response = await user.api.patch(settings_path(circle), json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field
    assert error["message"]
    data = await ok(await user.api.get(settings_path(circle)))
    assert data["thresholds"]["threat"] == {"hold": 0.6, "flag": 0.4}
    assert await log_count(database) == 0


async def test_lower_hold_threshold_holds_what_was_only_flagged(
    user: Persona, other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    await join(other_user, circle)
    replies = f"/api/v1/threads/{thread['id']}/posts"
    before = await ok(await other_user.api.post(replies, json={"body": STORM}), 201)
    assert before["status"] == "published"
    assert before["moderation"]["decision"] == "publish_and_review"
    await ok(
        await user.api.patch(settings_path(circle), json={"thresholds": {"threat": {"hold": 0.5}}})
    )
    after = await ok(await other_user.api.post(replies, json={"body": STORM}), 201)
    assert after["status"] == "pending"
    assert [r["label"] for r in after["moderation"]["reasons"]] == ["threat"]


async def test_crisis_concern_can_be_held_and_the_author_still_gets_support(
    user: Persona, other_user: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    await join(other_user, circle)
    replies = f"/api/v1/threads/{thread['id']}/posts"
    shown = await ok(await other_user.api.post(replies, json={"body": "I want to die"}), 201)
    assert shown["status"] == "published"
    await ok(await user.api.patch(settings_path(circle), json={"crisis_concern": "hold"}))
    held = await ok(await other_user.api.post(replies, json={"body": "I want to die"}), 201)
    assert held["status"] == "pending"
    assert held["crisis"] is not None and held["crisis"]["level"] == "concern"


# --- the watched words list ---


async def add_word(owner: Persona, circle: dict[str, Any], **fields: Any) -> httpx.Response:
    return await owner.api.post(f"{settings_path(circle)}/watched-words", json=fields)


async def test_owner_adds_changes_and_removes_watched_words_with_each_step_logged(
    user: Persona, circle: dict[str, Any]
) -> None:
    word = await ok(
        await add_word(user, circle, phrase="  Pro   ana ", action="warn", warning="eating"), 201
    )
    assert word == {
        "id": word["id"],
        "phrase": "Pro ana",
        "action": "warn",
        "warning": "eating",
        "explanation": None,
        "replacement": None,
    }
    path = f"{settings_path(circle)}/watched-words/{word['id']}"
    changed = await ok(
        await user.api.patch(path, json={"action": "block", "explanation": "Not here, please."})
    )
    assert (changed["action"], changed["warning"], changed["explanation"]) == (
        "block",
        None,
        "Not here, please.",
    )
    listed = await ok(await user.api.get(settings_path(circle)))
    assert listed["watched_words"] == [changed]
    removed = await ok(await user.api.delete(path))
    assert removed == {"id": word["id"], "phrase": "Pro ana", "removed": True}
    assert (await ok(await user.api.get(settings_path(circle))))["watched_words"] == []
    assert (await user.api.delete(path)).status_code == 404

    log = await ok(await user.api.get(f"{settings_path(circle)}/log"))
    kinds = [entry["changes"][0]["kind"] for entry in log["entries"]]
    assert kinds == ["word_removed", "word_changed", "word_added"]
    assert log["entries"][1]["summary"] == [
        "Changed “Pro ana” (add a content warning (eating and food)) to “Pro ana” "
        "(block, telling the author “Not here, please.”)"
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"phrase": "x" * 61, "action": "hold"}, "phrase"),
        ({"phrase": "?!", "action": "hold"}, "phrase"),
        ({"phrase": "foo", "action": "ban"}, "action"),
        ({"phrase": "foo", "action": "warn", "warning": "spiders"}, "warning"),
        ({"phrase": "foo", "action": "block"}, "explanation"),
        ({"phrase": "foo", "action": "block", "explanation": "x" * 301}, "explanation"),
        ({"phrase": "foo", "action": "replace"}, "replacement"),
        ({"phrase": "foo", "action": "replace", "replacement": "x" * 61}, "replacement"),
    ],
)
async def test_watched_words_that_cannot_work_are_refused(
    user: Persona, database: Database, circle: dict[str, Any], fields: dict[str, str], field: str
) -> None:
    response = await add_word(user, circle, **fields)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert await log_count(database) == 0


async def test_the_same_word_twice_is_a_conflict_naming_the_first(
    user: Persona, circle: dict[str, Any]
) -> None:
    first = await ok(await add_word(user, circle, phrase="foo", action="hold"), 201)
    again = await add_word(user, circle, phrase="F.O.O", action="block", explanation="No.")
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "already_watched" and error["word_id"] == first["id"]
    assert "“foo” is already watched" in error["message"]


async def test_a_replacement_may_not_contain_a_watched_word(
    user: Persona, circle: dict[str, Any]
) -> None:
    await ok(await add_word(user, circle, phrase="foo", action="hold"), 201)
    # Its own phrase: about the request alone.
    clash = await add_word(user, circle, phrase="bar", action="replace", replacement="f00 bar")
    assert clash.status_code == 422
    assert clash.json()["error"]["field"] == "replacement"
    # A word the circle already watches: a conflict with what is stored.
    stored = await add_word(user, circle, phrase="baz", action="replace", replacement="a foo")
    assert stored.status_code == 409
    assert stored.json()["error"]["code"] == "replacement_watched"


async def test_a_circle_watches_at_most_a_hundred_words(
    user: Persona, database: Database, circle: dict[str, Any]
) -> None:
    for i in range(100):
        await ok(
            await add_word(
                user, circle, phrase=f"word{chr(97 + i // 26)}{chr(97 + i % 26)}", action="hold"
            ),
            201,
        )
    over = await add_word(user, circle, phrase="one more", action="hold")
    assert over.status_code == 409
    assert over.json()["error"]["code"] == "too_many_watched_words"
    assert len((await ok(await user.api.get(settings_path(circle))))["watched_words"]) == 100
    assert await log_count(database) == 100


async def test_the_log_pages_newest_first(user: Persona, circle: dict[str, Any]) -> None:
    for value in range(52):
        await ok(
            await user.api.patch(
                settings_path(circle), json={"thresholds": {"insult": {"hold": 0.89 - value / 200}}}
            )
        )
    first = await ok(await user.api.get(f"{settings_path(circle)}/log"))
    assert len(first["entries"]) == 50 and first["before"]
    rest = await ok(await user.api.get(f"{settings_path(circle)}/log?before={first['before']}"))
    assert len(rest["entries"]) == 2 and rest["before"] is None
    assert rest["entries"][-1]["changes"][0]["after"] == 0.89
    assert (await user.api.get(f"{settings_path(circle)}/log?before=soon")).status_code == 400


# --- the settings page ---


async def test_owner_uses_the_settings_page(
    browser: BrowserFactory, user: Persona, circle: dict[str, Any]
) -> None:
    page = await signed_in(browser, user)
    path = f"/c/{circle['slug']}/moderation-settings"
    circle_page = await page.http.get(f"/c/{circle['slug']}")
    assert path in circle_page.text
    shown = await page.http.get(path)
    assert shown.status_code == 200
    assert 'name="hold_threat"' in shown.text

    saved = await page.submit(
        path, {"hold_threat": "0.55", "flag_threat": "", "crisis_concern": "hold"}, page=path
    )
    assert saved.status_code == 303
    data = await ok(await user.api.get(settings_path(circle)))
    assert data["thresholds"]["threat"] == {"hold": 0.55, "flag": 0.4}
    assert data["crisis_concern"] == "hold"

    added = await page.submit(
        f"{path}/words",
        {"phrase": "pro ana", "action": "warn", "warning": "eating", "explanation": ""},
        page=path,
    )
    assert added.status_code == 303
    listing = await page.http.get(path)
    assert "pro ana" in listing.text and "add a content warning (eating and food)" in listing.text
    assert "Hold threshold for threat: 0.6 → 0.55" in listing.text
    [word] = (await ok(await user.api.get(settings_path(circle))))["watched_words"]
    removed = await page.submit(f"{path}/words/{word['id']}/delete", {}, page=path)
    assert removed.status_code == 303
    assert (await ok(await user.api.get(settings_path(circle))))["watched_words"] == []


async def test_settings_page_explains_a_mistake_and_keeps_the_settings(
    browser: BrowserFactory, user: Persona, circle: dict[str, Any]
) -> None:
    page = await signed_in(browser, user)
    path = f"/c/{circle['slug']}/moderation-settings"
    wrong = await page.submit(path, {"hold_threat": "0.2", "flag_threat": "0.4"}, page=path)
    assert wrong.status_code == 422
    error = FORM_ERROR.search(wrong.text)
    assert error is not None and "flag threshold" in error.group(1)
    typo = await page.submit(path, {"hold_threat": "lots"}, page=path)
    assert typo.status_code == 422
    typo_error = FORM_ERROR.search(typo.text)
    assert typo_error is not None and "between 0 and 1" in typo_error.group(1)
    blocked = await page.submit(
        f"{path}/words", {"phrase": "darn", "action": "block", "explanation": ""}, page=path
    )
    assert blocked.status_code == 422
    assert 'value="darn"' in blocked.text  # what they typed is kept
    data = await ok(await user.api.get(settings_path(circle)))
    assert data["thresholds"]["threat"] == {"hold": 0.6, "flag": 0.4}
    assert data["watched_words"] == []


async def test_members_cannot_open_the_settings_page(
    browser: BrowserFactory, other_user: Persona, circle: dict[str, Any]
) -> None:
    await join(other_user, circle)
    page = await signed_in(browser, other_user)
    response = await page.http.get(f"/c/{circle['slug']}/moderation-settings")
    assert response.status_code == 403
    assert "owners and moderators" in response.text
    circle_page = await page.http.get(f"/c/{circle['slug']}")
    assert "moderation-settings" not in circle_page.text


async def test_circle_moderator_sees_the_page_without_forms(
    browser: BrowserFactory,
    database: Database,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
) -> None:
    await ok(await add_word(user, circle, phrase="foo", action="hold"), 201)
    await make_circle_moderator(database, other_user, circle)
    page = await signed_in(browser, other_user)
    response = await page.http.get(f"/c/{circle['slug']}/moderation-settings")
    assert response.status_code == 200
    assert "Only this circle's owners can change" in response.text
    assert "Add watched word" not in response.text and "Remove" not in response.text
    assert "Watching “foo”: hold for review" in response.text


async def test_site_admin_can_look_after_a_circle(admin: Persona, circle: dict[str, Any]) -> None:
    data = await ok(await admin.api.get(settings_path(circle)))
    assert data["can_edit"] is True
    await ok(await admin.api.patch(settings_path(circle), json={"crisis_concern": "hold"}))
