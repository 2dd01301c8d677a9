"""Reasons in words a person can read, in whichever language reads them.

The pipeline decides once and stores each reason's words in English, with the template
they came from and what filled it. A page words the reason again for its reader: the
template and the pipeline's own words through the reader's catalog, a member's own words
(a report's reason, a rule's title) as they wrote them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Translate = Callable[[str], str]
# A place in a template filled with the pipeline's own words: one phrase, or several
# joined with commas ("self-harm, grief and loss").
Words = Mapping[str, str | Sequence[str]]


def N_(message: str) -> str:
    """Marks words for the catalog (as forum.i18n.N_; this package does not import forum)."""
    return message


def same(message: str) -> str:
    return message


def worded(
    template: str,
    words: Words | None = None,
    values: Mapping[str, str] | None = None,
    translate: Translate = same,
) -> str:
    """The template filled in, in `translate`'s language.

    A word may hold another's place ("an insult aimed at %(who)s"): words are filled in
    with each other once, then go into the template. Values are a person's own words and
    are never translated or read as a template.
    """
    words = words or {}
    filled: dict[str, str] = {
        key: translate(word) if isinstance(word, str) else ", ".join(map(translate, word))
        for key, word in words.items()
    }
    filled.update(values or {})
    for key in words:
        if "%(" in filled[key]:
            filled[key] = _fill(filled[key], filled, fallback=filled[key])
    english = _fill(template, filled, fallback=template)
    return _fill(translate(template), filled, fallback=english)


def _fill(template: str, filled: Mapping[str, str], *, fallback: str) -> str:
    # A translation that lost or misspelled a place falls back to English, never an error.
    try:
        return template % filled
    except (KeyError, ValueError, TypeError):
        return fallback


def said(reason: Mapping[str, Any], translate: Translate = same) -> str:
    """A stored reason in the reader's language.

    Reasons stored before templates were kept are their English message; the fixed ones
    among them are in the catalog under those very words.
    """
    template = reason.get("template")
    if isinstance(template, str):
        return worded(template, reason.get("words"), reason.get("values"), translate)
    message = str(reason.get("message") or "")
    return translate(message) if message else ""  # gettext("") is the catalog's header


# What the pipeline says, one calm sentence per situation.
IN_DANGER = N_("Words that suggest someone may be in danger. A moderator will check in.")
DISTRESS = N_("This sounds really hard. A moderator will check in.")
UNCHECKED = N_("Our automatic check couldn't run, so a moderator will look before it appears.")
SELF_DIRECTED = N_(
    "This sounds painful. It's visible, and a moderator may check in to offer support."
)
HELD_AS = N_("This may read as %(what)s, so a moderator will read it before others can see it.")
FLAGGED_AS = N_("This may read as %(what)s; a moderator will take a look.")
HELD_ATTACK = N_(
    "Our automatic check thought this may attack someone, so a moderator will read it "
    "before others can see it."
)
FLAGGED_ATTACK = N_(
    "Our automatic check thought this may attack someone; a moderator will take a look."
)
HELD_ATTACK_CUES = N_(
    "Our automatic check thought this may attack someone (it weighed %(cues)s), so a "
    "moderator will read it before others can see it."
)
FLAGGED_ATTACK_CUES = N_(
    "Our automatic check thought this may attack someone (it weighed %(cues)s); a "
    "moderator will take a look."
)
HELD_LABEL = N_(
    "Our automatic check thought this %(words)s, so a moderator will read it before "
    "others can see it."
)
FLAGGED_LABEL = N_("Our automatic check thought this %(words)s; a moderator will take a look.")
WATCHED = N_(
    "This uses words this circle's owners asked a moderator to read first, so it will "
    "appear once a moderator has looked."
)
REPLACED = N_("Some words were replaced, as this circle's owners ask.")
WARNED = N_(
    "A content warning (%(warnings)s) was added, as this circle's owners ask for these words."
)

# Whom an attack is aimed at, and what it reads as.
TARGET_WORDS = {
    "you": N_("someone in the conversation"),
    "person": N_("a person by name"),
    "group": N_("a group of people"),
    "identity": N_("people for who they are"),
    "someone": N_("someone"),
}
ATTACK_WORDS = {
    "insult": N_("an insult aimed at %(who)s"),
    "group": N_("an insult aimed at %(who)s"),
    "hatred": N_("hatred aimed at %(who)s"),
    "dismissal": N_("brushing off %(who)s"),
    "mockery": N_("mocking the pain of %(who)s"),
    "harm": N_("wishing harm on %(who)s"),
    "threat": N_("a threat to %(who)s"),
}
AN_ATTACK = N_("an attack on %(who)s")
LABEL_WORDS = {
    "toxicity": N_("may be hurtful to others"),
    "severe_toxicity": N_("may be very hurtful to others"),
    "insult": N_("may read as an insult"),
    "threat": N_("may read as a threat"),
    "identity_attack": N_("may attack people for who they are"),
    "obscene": N_("contains strong language"),
}
SCORED_HIGH = N_("scored high for %(label)s")
