"""The kinds of notification: how each one reads and where it leads.

A notification stores only the facts (`data`); its words and link are built here when it
is read. A new kind is one entry in `KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Data = dict[str, Any]


@dataclass(frozen=True)
class Kind:
    text: Callable[[Data], str]
    url: Callable[[Data], str]


CONTENT_WORDS = {"post": "post", "thread": "post", "chat_message": "chat message"}


def _what(data: Data) -> str:
    return CONTENT_WORDS.get(str(data.get("content_type")), "post")


def _rule_and_note(data: Data) -> str:
    parts = []
    if rule := data.get("rule_title"):
        parts.append(f"The ground rule: “{rule}”.")
    if note := data.get("note"):
        parts.append(f"The moderator's note: {note}")
    return " ".join(parts)


def decision_text(data: Data) -> str:
    what = _what(data)
    opening = {
        "approve": f"Your {what} has been approved and is now visible.",
        "reject": f"Your {what} wasn't published.",
        "remove": f"Your {what} was removed.",
    }.get(str(data.get("decision")), f"A moderator looked at your {what}.")
    return f"{opening} {_rule_and_note(data)}".strip()


def decision_url(data: Data) -> str:
    # Approved content can be read where it is; otherwise the author's decisions page says why.
    if data.get("decision") == "approve" and data.get("link"):
        return str(data["link"])
    return "/account/moderation"


def check_in_text(data: Data) -> str:
    return (
        "The Circles moderators wrote to you privately to see how you are. "
        "You can reply whenever you like, or not at all."
    )


def check_in_url(data: Data) -> str:
    return f"/check-ins/{int(data['room_id'])}"


def support_waiting_text(data: Data) -> str:
    # The words and the crisis lines were chosen when it was sent (forum/review/escalation.py).
    lines = [str(line) for line in data.get("lines", [])]
    message = str(data.get("message") or "We haven't forgotten what you wrote.")
    return " ".join([message, *lines])


def support_waiting_url(data: Data) -> str:
    region = str(data.get("region") or "*")
    return "/support" if region == "*" else f"/support?region={region}"


KINDS: dict[str, Kind] = {
    "decision": Kind(decision_text, decision_url),
    "check_in": Kind(check_in_text, check_in_url),
    "check_in_reply": Kind(
        lambda d: f"{d.get('member', 'A member')} replied to your check-in.", check_in_url
    ),
    "support_waiting": Kind(support_waiting_text, support_waiting_url),
}
