"""The personal safety plan: private to its author, editable, exportable, gone with the account."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from forum.safety.models import SafetyPlan
from forum.safety.service import MAX_LINE, MAX_LINES
from tests.conftest import Database, Persona, ok

PLAN = {
    "warning_signs": ["I stop answering messages", "I can't sleep"],
    "coping": ["Walk the dog round the park"],
    "distractions": ["The library café"],
    "helpers": ["Sam, my sister: 07700 900123"],
    "professionals": ["Dr Patel, the surgery"],
    "safe_surroundings": ["Give the spare pills to Sam to keep"],
    "reasons_for_living": ["My niece's birthday in May"],
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def lines(data: dict[str, Any]) -> dict[str, list[str]]:
    return {s["key"]: s["lines"] for s in data["sections"]}


async def save(persona: Persona, plan: dict[str, Any], status: int = 200) -> dict[str, Any]:
    return await ok(await persona.api.put("/api/v1/me/safety-plan", json=plan), status)


async def test_a_new_plan_suggests_the_crisis_lines_for_the_readers_region(user: Persona) -> None:
    us = await ok(
        await user.api.get("/api/v1/me/safety-plan", headers={"Accept-Language": "en-US"})
    )
    assert us["saved"] is False
    assert any("988" in line for line in lines(us)["professionals"])
    gb = await ok(
        await user.api.get("/api/v1/me/safety-plan", headers={"Accept-Language": "en-GB"})
    )
    assert any("116 123" in line for line in lines(gb)["professionals"])
    assert [s["key"] for s in us["sections"]] == list(PLAN)


async def test_saving_keeps_the_plan_as_written(user: Persona) -> None:
    saved = await save(user, PLAN)
    assert saved["saved"] is True and lines(saved) == PLAN
    again = await ok(await user.api.get("/api/v1/me/safety-plan"))
    assert lines(again) == PLAN


async def test_blank_lines_are_dropped_and_spaces_tidied(user: Persona) -> None:
    saved = await save(user, {"coping": ["  ", "  breathe   slowly "]})
    assert lines(saved)["coping"] == ["breathe slowly"]
    assert lines(saved)["professionals"] == []


async def test_nobody_else_reads_it_not_even_a_moderator(
    user: Persona, moderator: Persona, admin: Persona, client: httpx.AsyncClient
) -> None:
    await save(user, PLAN)
    for other in (moderator, admin):
        theirs = await ok(await other.api.get("/api/v1/me/safety-plan"))
        assert theirs["saved"] is False
        assert "Sam, my sister" not in str(theirs)
        page = await other.api.get("/me/safety-plan")
        assert "Sam, my sister" not in page.text
    anonymous = await client.get("/api/v1/me/safety-plan")
    assert anonymous.status_code == 401
    assert (await client.put("/api/v1/me/safety-plan", json=PLAN)).status_code == 401
    assert (await client.get("/me/safety-plan.txt")).status_code in (401, 303)


@pytest.mark.parametrize(
    ("plan", "field", "words"),
    [
        ({"coping": ["x"] * (MAX_LINES + 1)}, "coping", f"up to {MAX_LINES} lines"),
        ({"helpers": ["x" * (MAX_LINE + 1)]}, "helpers", f"up to {MAX_LINE} characters"),
    ],
)
async def test_limits_answer_422_naming_the_section(
    user: Persona, plan: dict[str, Any], field: str, words: str
) -> None:
    refused = await save(user, plan, 422)
    assert refused["error"]["field"] == field
    assert words in refused["error"]["message"]
    assert (await ok(await user.api.get("/api/v1/me/safety-plan")))["saved"] is False


@pytest.mark.parametrize("plan", [{"hobbies": ["x"]}, {"coping": "not a list"}, {"coping": [3]}])
async def test_bad_shapes_answer_422(user: Persona, plan: dict[str, Any]) -> None:
    refused = await user.api.put("/api/v1/me/safety-plan", json=plan)
    assert refused.status_code == 422
    assert refused.json()["error"]["message"]


async def test_the_page_edits_the_plan_one_line_per_line(user: Persona) -> None:
    page = await user.api.get("/me/safety-plan")
    assert page.status_code == 200 and "My safety plan" in page.text
    token = CSRF.search(page.text)
    assert token is not None
    form = {key: "\n".join(value) for key, value in PLAN.items()}
    posted = await user.api.post("/me/safety-plan", data={**form, "csrf_token": token.group(1)})
    assert posted.status_code == 303
    assert lines(await ok(await user.api.get("/api/v1/me/safety-plan"))) == PLAN
    too_long = {**form, "helpers": "x" * (MAX_LINE + 1), "csrf_token": token.group(1)}
    refused = await user.api.post("/me/safety-plan", data=too_long)
    assert refused.status_code == 422
    assert f"up to {MAX_LINE} characters" in refused.text


async def test_the_plan_downloads_as_text(user: Persona) -> None:
    await save(user, PLAN)
    download = await user.api.get("/me/safety-plan.txt")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/plain")
    assert "attachment" in download.headers["content-disposition"]
    assert "Walk the dog round the park" in download.text
    assert "MY WARNING SIGNS" in download.text


async def test_the_account_export_includes_the_plan(user: Persona) -> None:
    assert (await ok(await user.api.get("/api/v1/me/export")))["safety_plan"] is None
    await save(user, PLAN)
    exported = await ok(await user.api.get("/api/v1/me/export"))
    assert exported["safety_plan"]["sections"] == PLAN


async def test_deleting_the_account_deletes_the_plan(user: Persona, database: Database) -> None:
    await save(user, PLAN)
    deleted = await user.api.post(
        "/api/v1/me/delete", json={"password": user.password, "keep_posts": True}
    )
    assert deleted.status_code == 200, deleted.text
    async with database.sessions() as db:
        count = await db.scalar(select(func.count()).select_from(SafetyPlan))
    assert count == 0
