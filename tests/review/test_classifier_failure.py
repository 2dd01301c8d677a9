"""A classifier that crashes or is too slow holds content: never unchecked, never lost."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from tests.conftest import AppFactory, Persona, join, ok

URGENT = "I have the pills ready. Tonight is the night."


class CrashingScorer:
    name: str = "crashing"
    labels: tuple[str, ...] = ("toxicity",)

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        raise RuntimeError("CUDA out of memory")


class SlowScorer:
    name: str = "slow"
    labels: tuple[str, ...] = ("toxicity",)

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        time.sleep(0.3)
        return [{"toxicity": 0.0} for _ in texts]


@pytest.fixture(params=["crashes", "times_out"])
def app(request: pytest.FixtureRequest, make_app: AppFactory) -> Starlette:
    if request.param == "crashes":
        return make_app(scorer=CrashingScorer())
    return make_app(scorer=SlowScorer(), classifier_timeout=0.05)


def reason_kinds(data: dict[str, Any]) -> list[str]:
    return [r["kind"] for r in data["moderation"]["reasons"]]


async def queue_item(moderator: Persona, post_id: int) -> dict[str, Any]:
    data = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    return next(
        i for i in data["items"] if (i["content_type"], i["content_id"]) == ("post", post_id)
    )


async def approve(moderator: Persona, post_id: int) -> None:
    item = await queue_item(moderator, post_id)
    await ok(
        await moderator.api.post(
            f"/api/v1/moderation/items/{item['id']}/decision", json={"action": "approve"}
        )
    )


async def test_new_thread_is_held_not_published_and_not_lost(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    client: httpx.AsyncClient,
) -> None:
    created = await ok(
        await user.api.post(
            f"/api/v1/circles/{circle['slug']}/threads",
            json={"title": "A calm hello", "body": "Glad to be here."},
        ),
        201,
    )
    assert created["status"] == "pending"
    assert created["post"]["status"] == "pending"
    assert reason_kinds(created) == ["classifier_unavailable"]
    assert created["moderation"]["decision"] == "review"
    # The author sees their words, waiting; nobody else does.
    own = await ok(await user.api.get(f"/api/v1/threads/{created['id']}"))
    assert [(p["id"], p["status"]) for p in own["posts"]] == [(created["post"]["id"], "pending")]
    assert "Glad to be here." in own["posts"][0]["body_html"]
    assert own["posts"][0]["moderation"]["reasons"][0]["kind"] == "classifier_unavailable"
    for viewer in (other_user.api, client):
        assert (await viewer.get(f"/api/v1/threads/{created['id']}")).status_code == 404
    listing = await ok(await client.get(f"/api/v1/circles/{circle['slug']}/threads"))
    assert created["id"] not in [t["id"] for t in listing["threads"]]
    item = await queue_item(moderator, created["post"]["id"])
    assert item["held"] is True
    assert [r["kind"] for r in item["reasons"]] == ["classifier_unavailable"]
    assert item["scores"] is None


async def test_reply_is_held_and_queued(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await approve(moderator, thread["post"]["id"])  # the opening post was held too
    await join(other_user, circle)
    created = await ok(
        await other_user.api.post(
            f"/api/v1/threads/{thread['id']}/posts", json={"body": "Thinking of you"}
        ),
        201,
    )
    assert created["status"] == "pending"
    assert reason_kinds(created) == ["classifier_unavailable"]
    own = await ok(await other_user.api.get(f"/api/v1/threads/{thread['id']}"))
    assert created["id"] in [p["id"] for p in own["posts"]]
    assert (await queue_item(moderator, created["id"]))["held"] is True


async def test_approving_the_held_post_publishes_it(
    user: Persona, moderator: Persona, circle: dict[str, Any], client: httpx.AsyncClient
) -> None:
    created = await ok(
        await user.api.post(
            f"/api/v1/circles/{circle['slug']}/threads",
            json={"title": "A calm hello", "body": "Glad to be here."},
        ),
        201,
    )
    await approve(moderator, created["post"]["id"])
    seen = await ok(await client.get(f"/api/v1/threads/{created['id']}"))
    assert [p["status"] for p in seen["posts"]] == ["published"]


async def test_crisis_still_gets_resources_and_tops_the_queue(
    user: Persona, moderator: Persona, circle: dict[str, Any], thread: dict[str, Any]
) -> None:
    created = await ok(
        await user.api.post(
            f"/api/v1/threads/{thread['id']}/posts",
            json={"body": URGENT},
            headers={"Accept-Language": "en-AU"},
        ),
        201,
    )
    assert created["status"] == "pending"
    assert created["crisis"]["level"] == "urgent"
    assert "Lifeline" in [r["name"] for r in created["crisis"]["resources"]]
    assert set(reason_kinds(created)) == {"crisis", "classifier_unavailable"}
    queue = await ok(await moderator.api.get("/api/v1/moderation/queue"))
    assert queue["items"][0]["content_id"] == created["id"]
    assert queue["items"][0]["crisis_level"] == "urgent"


async def test_edit_of_a_published_post_is_held_when_it_cannot_be_checked(
    user: Persona,
    other_user: Persona,
    moderator: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    # The post is approved first, so it is published when the edit arrives.
    await approve(moderator, thread["post"]["id"])
    edited = await ok(
        await user.api.patch(
            f"/api/v1/posts/{thread['post']['id']}", json={"body": "Changed my words"}
        )
    )
    assert edited["status"] == "pending"
    assert reason_kinds(edited) == ["classifier_unavailable"]
    await join(other_user, circle)
    seen = await ok(await other_user.api.get(f"/api/v1/threads/{thread['id']}"))
    assert thread["post"]["id"] not in [p["id"] for p in seen["posts"]]
