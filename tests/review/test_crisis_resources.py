"""Crisis resources by region: the member's setting, else the browser's language, else global."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from forum.accounts import service as accounts
from forum.accounts.models import User
from forum.db import transaction
from tests.conftest import Database, Persona, ok

FIND_A_HELPLINE = "https://findahelpline.com"
URGENT = "I have the pills ready. Tonight is the night."


async def resources(
    client: httpx.AsyncClient, accept_language: str | None = None, **params: str
) -> dict[str, Any]:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    return await ok(await client.get("/api/v1/crisis-resources", params=params, headers=headers))


def phones(data: dict[str, Any]) -> list[str]:
    return [r["phone"] for r in data["resources"]]


def urls(data: dict[str, Any]) -> list[str]:
    return [r["url"] for r in data["resources"]]


async def set_region(database: Database, persona: Persona, region: str) -> None:
    async with transaction(database.sessions) as db:
        user = await db.scalar(select(User).where(User.id == persona.id))
        assert user is not None
        await accounts.set_region(db, user, region)


async def test_australian_english_gets_lifeline_and_findahelpline(
    client: httpx.AsyncClient,
) -> None:
    data = await resources(client, "en-AU,en;q=0.9")
    assert data["region"] == "AU"
    assert "13 11 14" in phones(data)
    assert [r["name"] for r in data["resources"]] == ["Lifeline", "Find a Helpline"]
    assert FIND_A_HELPLINE in urls(data)


async def test_us_english_gets_988(client: httpx.AsyncClient) -> None:
    data = await resources(client, "en-US")
    assert data["region"] == "US"
    assert "988" in phones(data)
    assert "988 Suicide & Crisis Lifeline" in [r["name"] for r in data["resources"]]
    assert "13 11 14" not in phones(data)


async def test_canadian_french_gets_9_8_8(client: httpx.AsyncClient) -> None:
    data = await resources(client, "fr-CA,fr;q=0.9")
    assert data["region"] == "CA"
    names = [r["name"] for r in data["resources"]]
    assert "9-8-8 Suicide Crisis Helpline" in names
    assert "988 Suicide & Crisis Lifeline" not in names


@pytest.mark.parametrize("accept_language", ["en-GB", "en-IE"])
async def test_uk_and_ireland_get_samaritans(
    accept_language: str, client: httpx.AsyncClient
) -> None:
    data = await resources(client, accept_language)
    assert "116 123" in phones(data)


@pytest.mark.parametrize("accept_language", ["de", None, "*", "en"])
async def test_language_without_a_country_gets_only_findahelpline(
    accept_language: str | None, client: httpx.AsyncClient
) -> None:
    data = await resources(client, accept_language)
    assert data["region"] == "*"
    assert urls(data) == [FIND_A_HELPLINE]


async def test_country_without_seeded_lines_gets_only_findahelpline(
    client: httpx.AsyncClient,
) -> None:
    data = await resources(client, "de-DE")
    assert data["region"] == "DE"
    assert urls(data) == [FIND_A_HELPLINE]


async def test_accept_language_preference_order_is_respected(client: httpx.AsyncClient) -> None:
    assert (await resources(client, "fr;q=0.9, en-GB;q=0.8, en-US;q=0.7"))["region"] == "GB"
    assert (await resources(client, "en-US;q=0.5, en-AU"))["region"] == "AU"


async def test_region_parameter_overrides_accept_language(client: httpx.AsyncClient) -> None:
    data = await resources(client, "en-US", region="au")
    assert data["region"] == "AU"
    assert "13 11 14" in phones(data)
    assert "988" not in phones(data)


@pytest.mark.parametrize("region", ["zzz", "z1", "<b>", "u-s", "xx yy"])
async def test_invalid_region_parameter_is_422(region: str, client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/crisis-resources", params={"region": region})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "region"


async def test_every_resource_can_be_reached(client: httpx.AsyncClient) -> None:
    for language in ("en-US", "en-CA", "en-GB", "en-IE", "en-AU", "de"):
        for resource in (await resources(client, language))["resources"]:
            assert resource["name"]
            assert resource["phone"] or resource["sms"] or resource["url"]


async def test_profile_region_overrides_accept_language_for_resources(
    database: Database, user: Persona
) -> None:
    await set_region(database, user, "gb")
    data = await resources(user.api, "en-US")
    assert data["region"] == "GB"
    assert "116 123" in phones(data)


async def test_profile_region_overrides_accept_language_in_a_crisis_post_response(
    database: Database, user: Persona, thread: dict[str, Any]
) -> None:
    await set_region(database, user, "AU")
    created = await ok(
        await user.api.post(
            f"/api/v1/threads/{thread['id']}/posts",
            json={"body": URGENT},
            headers={"Accept-Language": "en-US"},
        ),
        201,
    )
    crisis = created["crisis"]
    assert crisis["level"] == "urgent"
    assert crisis["region"] == "AU"
    names = [r["name"] for r in crisis["resources"]]
    assert "Lifeline" in names and "Find a Helpline" in names
    assert "988 Suicide & Crisis Lifeline" not in names
    assert crisis["message"]


async def test_crisis_post_response_follows_accept_language_without_a_profile_region(
    user: Persona, thread: dict[str, Any]
) -> None:
    created = await ok(
        await user.api.post(
            f"/api/v1/threads/{thread['id']}/posts",
            json={"body": "I want to die"},
            headers={"Accept-Language": "fr-CA"},
        ),
        201,
    )
    assert created["crisis"]["level"] == "concern"
    assert created["crisis"]["region"] == "CA"
    assert "9-8-8 Suicide Crisis Helpline" in [r["name"] for r in created["crisis"]["resources"]]


async def test_new_thread_with_crisis_language_returns_resources(
    user: Persona, circle: dict[str, Any]
) -> None:
    created = await ok(
        await user.api.post(
            f"/api/v1/circles/{circle['slug']}/threads",
            json={"title": "Goodbye", "body": URGENT},
            headers={"Accept-Language": "en-GB"},
        ),
        201,
    )
    assert created["status"] == "pending"
    assert created["crisis"]["level"] == "urgent"
    assert "Samaritans" in [r["name"] for r in created["crisis"]["resources"]]


async def test_ordinary_post_carries_no_crisis_block(user: Persona, thread: dict[str, Any]) -> None:
    created = await ok(
        await user.api.post(
            f"/api/v1/threads/{thread['id']}/posts", json={"body": "Thank you all so much"}
        ),
        201,
    )
    assert created["crisis"] is None
    assert created["status"] == "published"
