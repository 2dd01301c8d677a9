"""The kinds of notification: how each one reads and where it leads.

A notification stores only the facts (`data`); its words and link are built here when it
is read. A new kind is one entry in `KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from forum.i18n import N_, gettext

Data = dict[str, Any]


@dataclass(frozen=True)
class Kind:
    text: Callable[[Data], str]
    url: Callable[[Data], str]


# Whole sentences for each kind of content, so that a language can agree its words with
# the noun ("publicación" and "mensaje" differ in Spanish).
CHAT = "chat_message"
DECISIONS = {
    ("approve", "post"): N_("Your post has been approved and is now visible."),
    ("reject", "post"): N_("Your post wasn't published."),
    ("remove", "post"): N_("Your post was removed."),
    ("other", "post"): N_("A moderator looked at your post."),
    ("approve", CHAT): N_("Your chat message has been approved and is now visible."),
    ("reject", CHAT): N_("Your chat message wasn't published."),
    ("remove", CHAT): N_("Your chat message was removed."),
    ("other", CHAT): N_("A moderator looked at your chat message."),
}
REPORT_OUTCOMES = {
    ("remove", "post"): N_("Thank you for your report. A moderator read the post and removed it."),
    ("reject", "post"): N_(
        "Thank you for your report. A moderator read the post and kept it from being published."
    ),
    ("approve", "post"): N_(
        "Thank you for your report. A moderator read the post and decided it can stay."
    ),
    ("other", "post"): N_("Thank you for your report. A moderator read the post and looked at it."),
    ("remove", CHAT): N_(
        "Thank you for your report. A moderator read the chat message and removed it."
    ),
    ("reject", CHAT): N_(
        "Thank you for your report. A moderator read the chat message and kept it from being "
        "published."
    ),
    ("approve", CHAT): N_(
        "Thank you for your report. A moderator read the chat message and decided it can stay."
    ),
    ("other", CHAT): N_(
        "Thank you for your report. A moderator read the chat message and looked at it."
    ),
}


def _sentence(table: dict[tuple[str, str], str], data: Data) -> str:
    what = CHAT if data.get("content_type") == CHAT else "post"
    decision = str(data.get("decision"))
    return gettext(table.get((decision, what)) or table[("other", what)])


def _rule_and_note(data: Data) -> str:
    parts = []
    if rule := data.get("rule_title"):
        parts.append(gettext("The ground rule: “%(rule)s”.") % {"rule": rule})
    if note := data.get("note"):
        parts.append(gettext("The moderator's note: %(note)s") % {"note": note})
    return " ".join(parts)


def decision_text(data: Data) -> str:
    return f"{_sentence(DECISIONS, data)} {_rule_and_note(data)}".strip()


def decision_url(data: Data) -> str:
    # Approved content can be read where it is; otherwise the author's decisions page says why.
    if data.get("decision") == "approve" and data.get("link"):
        return str(data["link"])
    return "/account/moderation"


def check_in_text(data: Data) -> str:
    return gettext(
        "The Circles moderators wrote to you privately to see how you are. "
        "You can reply whenever you like, or not at all."
    )


def check_in_url(data: Data) -> str:
    return f"/check-ins/{int(data['room_id'])}"


def support_waiting_text(data: Data) -> str:
    # The message and the crisis lines were chosen when it was sent
    # (forum/review/escalation.py); they are worded here, in the reader's language.
    lines = [_line(line) for line in data.get("lines", [])]
    message = gettext(str(data.get("message") or N_("We haven't forgotten what you wrote.")))
    return " ".join([message, *lines])


def _line(line: Any) -> str:
    if not isinstance(line, dict):  # stored as words before notifications were translated
        return str(line)
    if line.get("phone"):
        return gettext("%(name)s: call %(phone)s") % line
    return f"{line.get('name', '')}: {line.get('other', '')}"


def support_waiting_url(data: Data) -> str:
    region = str(data.get("region") or "*")
    return "/support" if region == "*" else f"/support?region={region}"


def _member(data: Data) -> str:
    return str(data.get("member") or gettext("A member"))


def reply_text(data: Data) -> str:
    return gettext("%(member)s replied to your thread “%(title)s”.") % {
        "member": _member(data),
        "title": data.get("thread_title", ""),
    }


def reply_url(data: Data) -> str:
    return f"/threads/{int(data['thread_id'])}#post-{int(data.get('post_id', 0))}"


def mention_text(data: Data) -> str:
    if "room_id" in data:
        return gettext("%(member)s mentioned you in the chat “%(room)s”.") % {
            "member": _member(data),
            "room": data.get("room_name", ""),
        }
    return gettext("%(member)s mentioned you in “%(title)s”.") % {
        "member": _member(data),
        "title": data.get("thread_title", ""),
    }


def mention_url(data: Data) -> str:
    if "room_id" in data:
        return f"/c/{data.get('circle_slug', '')}#room-{int(data['room_id'])}"
    return reply_url(data)


def report_text(data: Data) -> str:
    return _sentence(REPORT_OUTCOMES, data)


def report_url(data: Data) -> str:
    # What stays up can be read where it is; what came down cannot.
    if data.get("decision") == "approve" and data.get("link"):
        return str(data["link"])
    return "/notifications"


def rules_text(data: Data) -> str:
    circle = data.get("circle_name", "")
    if data.get("change") == "proposal":
        return gettext("%(member)s proposed a change to the ground rules of %(circle)s.") % {
            "member": _member(data),
            "circle": circle,
        }
    return gettext(
        "The ground rules of %(circle)s changed. "
        "Please read them and accept them to keep posting there."
    ) % {"circle": circle}


def rules_url(data: Data) -> str:
    return f"/c/{data.get('circle_slug', '')}/rules"


def invite_text(data: Data) -> str:
    return gettext("%(member)s invited you to join %(circle)s.") % {
        "member": _member(data),
        "circle": data.get("circle_name", ""),
    }


def check_in_reply_text(data: Data) -> str:
    # Sent without a name when the member has no account any more.
    member = data.get("member")
    if not member or member == "The member":
        member = gettext("The member")
    return gettext("%(member)s replied to your check-in.") % {"member": member}


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
    "check_in_reply": Kind(check_in_reply_text, check_in_url),
    "support_waiting": Kind(support_waiting_text, support_waiting_url),
}

# What a member may turn off. The rest come from the moderators about the member's own
# words or safety, and always arrive.
OPTIONAL: dict[str, str] = {
    "reply": N_("Replies to your threads"),
    "mention": N_("Mentions of you in posts"),
    "report": N_("What happened to your reports"),
    "rules": N_("Ground rules: proposals, and new versions to accept"),
    "invite": N_("Invitations to circles"),
}


def optional_labels() -> dict[str, str]:
    """What a member may turn off, in their language, for the settings form."""
    return {kind: gettext(words) for kind, words in OPTIONAL.items()}
