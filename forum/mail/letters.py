"""The words of every mail Circles sends. Plain text only, and nothing anyone posted.

Each letter is written in the language current when it is built: the caller chooses the
recipient's with `forum.i18n.using`.
"""

from __future__ import annotations

from collections.abc import Sequence

from forum.accounts.models import User
from forum.i18n import N_, _, current_locale, ngettext
from forum.mail.sender import Mail
from forum.notifications.kinds import KINDS
from forum.notifications.models import Notification

SIGN_OFF = N_("\n\nTake care,\nCircles\n")

# What the moderators say about someone's safety: the mail may be read over a shoulder or
# on a shared screen, so it says only that something is waiting, gently, never what.
GENTLE = {
    "support_waiting": (
        N_(
            "Someone from the Circles team left you a message. Whenever you feel ready, "
            "it's waiting for you, with people you can talk to right now."
        ),
        "/support",
    ),
    "check_in": (
        N_(
            "The Circles moderators wrote to you privately to see how you are. "
            "You can reply whenever you like, or not at all."
        ),
        "",
    ),
    "check_in_reply": (N_("There is a new reply in a private check-in."), ""),
}


def language_of(recipient: User) -> str:
    """The language to write to a member in: the one they chose, else the one they are
    reading now (English outside a request, as for the digest)."""
    return recipient.locale or current_locale()


def verify_address(display_name: str, link: str) -> Mail:
    return Mail(
        to="",
        subject=_("Confirm your e-mail address for Circles"),
        text=_(
            "Hello %(display_name)s,\n\n"
            "Someone (we hope you) added this address to a Circles account. To confirm it, "
            "open this link within 24 hours:\n\n%(link)s\n\n"
            "Circles uses it only to help you back in if you forget your password and, if "
            "you ask for it, for a daily summary of your notifications. Nobody else sees it.\n\n"
            "If this wasn't you, you can ignore this mail; the address won't be used."
        )
        % {"display_name": display_name, "link": link}
        + _(SIGN_OFF),
    )


def reset_password(display_name: str, username: str, link: str) -> Mail:
    return Mail(
        to="",
        subject=_("Choose a new Circles password"),
        text=_(
            "Hello %(display_name)s,\n\n"
            "Someone asked to reset the password of the Circles account “%(username)s”. "
            "To choose a new one, open this link within an hour:\n\n%(link)s\n\n"
            "The link works once. Choosing a new password signs you out everywhere else.\n\n"
            "If you didn't ask, you can ignore this mail: your password stays as it is."
        )
        % {"display_name": display_name, "username": username, "link": link}
        + _(SIGN_OFF),
    )


def digest_line(notification: Notification, base_url: str) -> str:
    if notification.kind in GENTLE:
        text, path = GENTLE[notification.kind]
        text = _(text)
        kind = KINDS.get(notification.kind)
        path = path or (kind.url(notification.data) if kind else "/notifications")
    else:
        kind = KINDS.get(notification.kind)
        text = kind.text(notification.data) if kind else _("Something new for you.")
        path = kind.url(notification.data) if kind else "/notifications"
    return f"- {text}\n  {base_url}{path}"


def digest(display_name: str, found: Sequence[Notification], unread: int, base_url: str) -> Mail:
    lines = "\n".join(digest_line(n, base_url) for n in found)
    more = unread - len(found)
    extra = (
        ngettext(
            "\n\n…and %(num)d more on %(url)s",
            "\n\n…and %(num)d more on %(url)s",
            more,
        )
        % {"num": more, "url": f"{base_url}/notifications"}
        if more > 0
        else ""
    )
    return Mail(
        to="",
        subject=_("Your Circles notifications"),
        text=_(
            "Hello %(display_name)s,\n\nHere is what's new for you on Circles:\n\n%(lines)s"
            "%(more)s\n\nYou asked for this daily summary; you can turn it off on your account "
            "page: %(url)s"
        )
        % {
            "display_name": display_name,
            "lines": lines,
            "more": extra,
            "url": f"{base_url}/account#email-heading",
        }
        + _(SIGN_OFF),
    )
