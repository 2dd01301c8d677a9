"""The words of every mail Circles sends. Plain text only, and nothing anyone posted."""

from __future__ import annotations

from collections.abc import Sequence

from forum.mail.sender import Mail
from forum.notifications.kinds import KINDS
from forum.notifications.models import Notification

SIGN_OFF = "\n\nTake care,\nCircles\n"

# What the moderators say about someone's safety: the mail may be read over a shoulder or
# on a shared screen, so it says only that something is waiting, gently, never what.
GENTLE = {
    "support_waiting": (
        "Someone from the Circles team left you a message. Whenever you feel ready, "
        "it's waiting for you, with people you can talk to right now.",
        "/support",
    ),
    "check_in": (
        "The Circles moderators wrote to you privately to see how you are. "
        "You can reply whenever you like, or not at all.",
        "",
    ),
    "check_in_reply": ("There is a new reply in a private check-in.", ""),
}


def verify_address(display_name: str, link: str) -> Mail:
    return Mail(
        to="",
        subject="Confirm your e-mail address for Circles",
        text=(
            f"Hello {display_name},\n\n"
            "Someone (we hope you) added this address to a Circles account. To confirm it, "
            f"open this link within 24 hours:\n\n{link}\n\n"
            "Circles uses it only to help you back in if you forget your password and, if "
            "you ask for it, for a daily summary of your notifications. Nobody else sees it.\n\n"
            "If this wasn't you, you can ignore this mail; the address won't be used."
            f"{SIGN_OFF}"
        ),
    )


def reset_password(display_name: str, username: str, link: str) -> Mail:
    return Mail(
        to="",
        subject="Choose a new Circles password",
        text=(
            f"Hello {display_name},\n\n"
            f"Someone asked to reset the password of the Circles account “{username}”. "
            f"To choose a new one, open this link within an hour:\n\n{link}\n\n"
            "The link works once. Choosing a new password signs you out everywhere else.\n\n"
            "If you didn't ask, you can ignore this mail: your password stays as it is."
            f"{SIGN_OFF}"
        ),
    )


def digest_line(notification: Notification, base_url: str) -> str:
    if notification.kind in GENTLE:
        text, path = GENTLE[notification.kind]
        kind = KINDS.get(notification.kind)
        path = path or (kind.url(notification.data) if kind else "/notifications")
    else:
        kind = KINDS.get(notification.kind)
        text = kind.text(notification.data) if kind else "Something new for you."
        path = kind.url(notification.data) if kind else "/notifications"
    return f"- {text}\n  {base_url}{path}"


def digest(display_name: str, found: Sequence[Notification], unread: int, base_url: str) -> Mail:
    lines = "\n".join(digest_line(n, base_url) for n in found)
    more = unread - len(found)
    extra = f"\n\n…and {more} more on {base_url}/notifications" if more > 0 else ""
    return Mail(
        to="",
        subject="Your Circles notifications",
        text=(
            f"Hello {display_name},\n\nHere is what's new for you on Circles:\n\n{lines}{extra}"
            "\n\nYou asked for this daily summary; you can turn it off on your account page: "
            f"{base_url}/account#email-heading{SIGN_OFF}"
        ),
    )
