"""Each kind of notification reads as one calm sentence and leads somewhere."""

from __future__ import annotations

import pytest

from forum.notifications.kinds import KINDS, decision_text, decision_url
from forum.notifications.service import notify


def test_every_kind_has_words_and_a_link() -> None:
    sample = {
        "room_id": 7,
        "decision": "reject",
        "content_type": "post",
        "member": "Jo",
        "thread_id": 3,
        "post_id": 9,
        "thread_title": "Nights",
        "circle_slug": "grief",
        "circle_name": "Grief",
        "change": "version",
    }
    for name, kind in KINDS.items():
        assert kind.text(sample).strip(), name
        assert kind.url(sample).startswith("/"), name


def test_decision_words_name_the_rule_and_note_but_not_the_moderator() -> None:
    data = {
        "decision": "remove",
        "content_type": "chat_message",
        "rule_title": "Be kind",
        "note": "Please speak to the idea.",
        "link": "/c/x#chat",
    }
    assert decision_text(data) == (
        "Your chat message was removed. The ground rule: “Be kind”. "
        "The moderator's note: Please speak to the idea."
    )
    assert decision_url(data) == "/account/moderation"
    assert decision_url({**data, "decision": "approve"}) == "/c/x#chat"


async def test_an_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown notification kind"):
        await notify(None, 1, "no_such_kind", {})  # type: ignore[arg-type]
