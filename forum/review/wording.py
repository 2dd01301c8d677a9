"""What a member reads when their words sound like crisis: one message per situation.

Pages, the JSON API and chat all take their words from here, so the author never reads
two versions of the same moment side by side. Who can see the post is said once, by the
post itself ("Only you can see this for now" on a held post), never again in the message.
"""

from __future__ import annotations

from enum import StrEnum

from forum.i18n import N_, gettext

# English constants (msgids): shown through `gettext` in the reader's language, as in
# `support_for` and `notifications.kinds`.
HEADLINE = N_("You are not alone")


class Situation(StrEnum):
    HELD = "held"  # held for a moderator (urgent): only the author sees it for now
    QUEUED = "queued"  # published, and a moderator will also read it (concern)
    CHAT = "chat"  # a chat message in a circle's room, published
    DIRECT = "direct"  # a direct message: sent, and no moderator reads it


# Each message opens with the same words ("What you wrote sounds really hard..."), written
# out in full so that a translation can join them the way its language does.
MESSAGES = {
    Situation.HELD: N_(
        "What you wrote sounds really hard, and we're glad you said it. "
        "A moderator will read it soon and check in with you."
    ),
    Situation.QUEUED: N_(
        "What you wrote sounds really hard, and we're glad you said it. Your post is with "
        "the circle, and a moderator will also read it and check in with you."
    ),
    Situation.CHAT: N_(
        "What you wrote sounds really hard, and we're glad you said it. Your message is with "
        "the room, and a moderator will also read it and check in with you."
    ),
    Situation.DIRECT: N_(
        "What you wrote sounds really hard, and we're glad you said it. Your message was sent."
    ),
}
RESOURCES_INTRO = N_(
    "If you are in danger right now, or just need someone to talk to, these services are "
    "free, confidential and there to listen:"
)
EMERGENCY = N_(
    "If you might act on thoughts of harming yourself, please call your local emergency number now."
)
SAFETY_PLAN = N_("Your safety plan: the steps you choose for when things get hard.")
SAFETY_PLAN_URL = "/me/safety-plan"
# Told when an urgent post waits longer than it should and no moderator is online.
WAITING = N_(
    "We haven't forgotten what you wrote. Our moderators are volunteers and it may take "
    "them a while to reach you. You don't have to wait for us: these services are there "
    "for you right now."
)


def message(situation: Situation) -> str:
    """The situation's message in the reader's language."""
    return gettext(MESSAGES[situation])


def situation_for(*, held: bool, direct: bool = False, chat: bool = False) -> Situation:
    if direct:
        return Situation.DIRECT
    if held:
        return Situation.HELD
    return Situation.CHAT if chat else Situation.QUEUED


def parse_situation(value: str | None) -> Situation | None:
    """A situation named in a page address (?support=held); None when it names none."""
    try:
        return Situation(value) if value else None
    except ValueError:
        return Situation.QUEUED if value == "1" else None
