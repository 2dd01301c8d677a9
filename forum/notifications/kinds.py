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


def _member(data: Data) -> str:
    return str(data.get("member") or "A member")


def reply_text(data: Data) -> str:
    return f"{_member(data)} replied to your thread “{data.get('thread_title', '')}”."


def reply_url(data: Data) -> str:
    return f"/threads/{int(data['thread_id'])}#post-{int(data.get('post_id', 0))}"


REPORT_OUTCOMES = {
    "remove": "removed it",
    "reject": "kept it from being published",
    "approve": "decided it can stay",
}


def mention_text(data: Data) -> str:
    if "room_id" in data:
        return f"{_member(data)} mentioned you in the chat “{data.get('room_name', '')}”."
    return f"{_member(data)} mentioned you in “{data.get('thread_title', '')}”."


def mention_url(data: Data) -> str:
    if "room_id" in data:
        return f"/c/{data.get('circle_slug', '')}#room-{int(data['room_id'])}"
    return reply_url(data)


def report_text(data: Data) -> str:
    outcome = REPORT_OUTCOMES.get(str(data.get("decision")), "looked at it")
    return f"Thank you for your report. A moderator read the {_what(data)} and {outcome}."


def report_url(data: Data) -> str:
    # What stays up can be read where it is; what came down cannot.
    if data.get("decision") == "approve" and data.get("link"):
        return str(data["link"])
    return "/notifications"


def rules_text(data: Data) -> str:
    circle = data.get("circle_name", "")
    if data.get("change") == "proposal":
        return f"{_member(data)} proposed a change to the ground rules of {circle}."
    return (
        f"The ground rules of {circle} changed. "
        "Please read them and accept them to keep posting there."
    )


def rules_url(data: Data) -> str:
    return f"/c/{data.get('circle_slug', '')}/rules"


def invite_text(data: Data) -> str:
    return f"{_member(data)} invited you to join {data.get('circle_name', '')}."


def circle_url(data: Data) -> str:
    return f"/c/{data.get('circle_slug', '')}"


KINDS: dict[str, Kind] = {
    "reply": Kind(reply_text, reply_url),
    "mention": Kind(mention_text, mention_url),
    "report": Kind(report_text, report_url),
    "rules": Kind(rules_text, rules_url),
    "invite": Kind(invite_text, circle_url),
    "decision": Kind(decision_text, decision_url),
    "check_in": Kind(check_in_text, check_in_url),
    "check_in_reply": Kind(
        lambda d: f"{d.get('member', 'A member')} replied to your check-in.", check_in_url
    ),
    "support_waiting": Kind(support_waiting_text, support_waiting_url),
}

# What a member may turn off. The rest come from the moderators about the member's own
# words or safety, and always arrive.
OPTIONAL: dict[str, str] = {
    "reply": "Replies to your threads",
    "mention": "Mentions of you in posts",
    "report": "What happened to your reports",
    "rules": "Ground rules: proposals, and new versions to accept",
    "invite": "Invitations to circles",
}
