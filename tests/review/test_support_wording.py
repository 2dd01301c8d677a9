"""One calm message per situation: the page, the API and chat say the same thing, once."""

from __future__ import annotations

from typing import Any

import pytest

from forum.review import wording
from forum.review.wording import Situation
from tests.conftest import Persona, ok, reply

URGENT = "I have the pills ready. Tonight is the night."
CONCERN = "I want to die"
CONTRADICTION = ("with the circle", "only you can see")


def assert_said_once(page: str) -> None:
    text = page.lower()
    assert text.count("sounds really hard") == 1, text
    assert not all(phrase in text for phrase in CONTRADICTION)
    # The crisis reason is not listed again under the held post.
    assert "words that suggest someone may be in danger" not in text


@pytest.mark.parametrize(
    ("body", "situation", "status"),
    [(URGENT, Situation.HELD, "pending"), (CONCERN, Situation.QUEUED, "published")],
)
async def test_api_answers_with_the_one_message_for_the_situation(
    user: Persona, thread: dict[str, Any], body: str, situation: Situation, status: str
) -> None:
    created = await reply(user, thread, body)
    assert created["status"] == status
    crisis = created["crisis"]
    assert crisis["situation"] == situation.value
    assert crisis["message"] == wording.MESSAGES[situation]
    assert crisis["headline"] == wording.HEADLINE
    assert crisis["safety_plan"]["url"] == "/me/safety-plan"


async def test_held_post_page_says_who_can_see_it_once_and_the_reason_once(
    user: Persona, thread: dict[str, Any]
) -> None:
    created = await reply(user, thread, URGENT)
    page = (await user.api.get(f"/threads/{thread['id']}?support=held")).text
    assert_said_once(page)
    assert wording.MESSAGES[Situation.HELD] in page.replace("&#39;", "'")
    assert page.lower().count("only you can see") == 1
    assert f'id="post-{created["id"]}"' in page
    assert 'href="/me/safety-plan"' in page


async def test_queued_post_page_says_it_is_with_the_circle_and_nothing_contrary(
    user: Persona, thread: dict[str, Any]
) -> None:
    await reply(user, thread, CONCERN)
    page = (await user.api.get(f"/threads/{thread['id']}?support=queued")).text
    assert_said_once(page)
    assert "with the circle" in page
    assert "only you can see" not in page.lower()


async def test_a_held_new_thread_page_drops_its_own_notice_beside_the_panel(
    user: Persona, circle: dict[str, Any]
) -> None:
    url = f"/api/v1/circles/{circle['slug']}/threads"
    created = await ok(await user.api.post(url, json={"title": "Goodbye", "body": URGENT}), 201)
    page = (await user.api.get(f"/threads/{created['id']}?support=held")).text
    assert_said_once(page)
    assert page.lower().count("only you can see") == 1


async def test_the_page_form_redirects_to_the_situation(
    user: Persona, thread: dict[str, Any]
) -> None:
    page = await user.api.get(f"/threads/{thread['id']}")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    posted = await user.api.post(
        f"/threads/{thread['id']}/reply", data={"body": URGENT, "csrf_token": token}
    )
    assert posted.status_code == 303
    assert posted.headers["location"].endswith("?support=held#support")


async def test_an_unknown_situation_shows_no_panel(user: Persona, thread: dict[str, Any]) -> None:
    page = (await user.api.get(f"/threads/{thread['id']}?support=<b>")).text
    assert 'id="support"' not in page


def test_every_situation_has_one_message_that_never_contradicts_itself() -> None:
    assert set(wording.MESSAGES) == set(Situation)
    for message in wording.MESSAGES.values():
        lowered = message.lower()
        assert not all(phrase in lowered for phrase in CONTRADICTION)
        assert lowered.count("sounds really hard") == 1
