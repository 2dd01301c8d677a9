"""Calls to the ground rules API, named for what a person does."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Persona, ok


async def rules_of(http: httpx.AsyncClient, circle: dict[str, Any], **query: Any) -> dict[str, Any]:
    return await ok(await http.get(f"/api/v1/circles/{circle['slug']}/rules", params=query))


async def propose(persona: Persona, circle: dict[str, Any], **body: Any) -> httpx.Response:
    body.setdefault("rationale", "It would help us feel safe here.")
    return await persona.api.post(f"/api/v1/circles/{circle['slug']}/rules/proposals", json=body)


async def proposed(persona: Persona, circle: dict[str, Any], **body: Any) -> dict[str, Any]:
    return await ok(await propose(persona, circle, **body), 201)


async def take_stance(
    persona: Persona, proposal: dict[str, Any], stance: str, comment: str | None = None
) -> httpx.Response:
    body: dict[str, Any] = {"stance": stance}
    if comment is not None:
        body["comment"] = comment
    return await persona.api.post(f"/api/v1/rules/proposals/{proposal['id']}/endorse", json=body)


async def ratify(persona: Persona, proposal: dict[str, Any], **body: Any) -> httpx.Response:
    url = f"/api/v1/rules/proposals/{proposal['id']}/ratify"
    return await persona.api.post(url, json=body) if body else await persona.api.post(url)


async def decline(persona: Persona, proposal: dict[str, Any], reason: str) -> httpx.Response:
    return await persona.api.post(
        f"/api/v1/rules/proposals/{proposal['id']}/decline", json={"reason": reason}
    )


async def proposals_of(
    persona: Persona, circle: dict[str, Any], status: str = "all"
) -> list[dict[str, Any]]:
    data = await ok(
        await persona.api.get(
            f"/api/v1/circles/{circle['slug']}/rules/proposals", params={"status": status}
        )
    )
    found: list[dict[str, Any]] = data["proposals"]
    return found


async def edit_rules(
    owner: Persona, circle: dict[str, Any], items: list[dict[str, Any]], summary: str = ""
) -> httpx.Response:
    return await owner.api.put(
        f"/api/v1/circles/{circle['slug']}/rules", json={"items": items, "summary": summary}
    )


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"]
    return error


def items_of(circle: dict[str, Any]) -> list[dict[str, Any]]:
    """The circle's first rules, in the shape an owner's edit sends back."""
    items = circle["rules"]["items"]
    return [{"id": i["id"], "title": i["title"], "text": i["text"]} for i in items]
