"""Crisis lines follow the reader in every way of writing: replies, new threads, edits, pages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Persona, ok

URGENT = "I have the pills ready. Tonight is the night."
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def phones(crisis: dict[str, Any]) -> list[str]:
    return [r["phone"] for r in crisis["resources"]]


@pytest.mark.parametrize(
    ("language", "phone", "other"), [("en-US", "988", "116 123"), ("en-GB", "116 123", "988")]
)
async def test_an_edit_that_turns_to_crisis_gets_the_readers_lines(
    user: Persona, thread: dict[str, Any], language: str, phone: str, other: str
) -> None:
    url = f"/api/v1/threads/{thread['id']}/posts"
    created = await ok(await user.api.post(url, json={"body": "A quiet day."}), 201)
    assert created["crisis"] is None
    edited = await ok(
        await user.api.patch(
            f"/api/v1/posts/{created['id']}",
            json={"body": URGENT},
            headers={"Accept-Language": language},
        )
    )
    assert phone in phones(edited["crisis"]) and other not in phones(edited["crisis"])


@pytest.mark.parametrize(("language", "phone"), [("en-US", "988"), ("en-GB", "116 123")])
async def test_a_new_thread_gets_the_readers_lines(
    user: Persona, circle: dict[str, Any], language: str, phone: str
) -> None:
    created = await ok(
        await user.api.post(
            f"/api/v1/circles/{circle['slug']}/threads",
            json={"title": "Tonight", "body": URGENT},
            headers={"Accept-Language": language},
        ),
        201,
    )
    assert phone in phones(created["crisis"])


@pytest.mark.parametrize(("language", "phone"), [("en-US", "988"), ("en-GB", "116 123")])
async def test_the_page_after_a_reply_shows_the_readers_lines(
    user: Persona, thread: dict[str, Any], language: str, phone: str
) -> None:
    headers = {"Accept-Language": language}
    page = await user.api.get(f"/threads/{thread['id']}", headers=headers)
    token = CSRF.search(page.text)
    assert token is not None
    posted = await user.api.post(
        f"/threads/{thread['id']}/reply",
        data={"body": URGENT, "csrf_token": token.group(1)},
        headers=headers,
    )
    shown = await user.api.get(posted.headers["location"], headers=headers)
    assert f'href="tel:{phone.replace(" ", "")}"' in shown.text
