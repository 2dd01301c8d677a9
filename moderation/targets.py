"""Who a message is aimed at: the author themself, someone else, no one, or can't tell.

Toxicity models score words, not intent. "I hate myself, I'm such a f***ing failure"
scores as high as an insult, yet it is pain to respond to, not abuse to hold back; and
"holy shit that's amazing news" is swearing at no one. The decision may soften a high
score only for those two: SELF and NONE. Anything it cannot place is UNCLEAR, and a high
score then goes to a human.
"""

from __future__ import annotations

import re
from enum import StrEnum

from moderation import linear_re
from moderation.insults import (
    EXPLETIVES,
    INSULT_WORDS,
    Insult,
    find_insult,
    is_judgement,
    is_reported,
    tokens,
    tone,
)
from moderation.normalize import fold


class Target(StrEnum):
    SELF = "self"  # the author: self-criticism, or abuse the author recounts
    OTHERS = "others"  # an insult, dismissal, threat or wish of harm aimed at someone
    NONE = "none"  # no one: swearing at the day, or in joy, judging no one
    UNCLEAR = "unclear"  # someone may be meant: the score decides, never softened


_FIRST_PERSON = linear_re.compile(r"\b(?:i|im|ive|ill|id|me|my|mine|myself)\b")
_SECOND_PERSON = linear_re.compile(
    r"\b(?:you|your|youre|yours|yourself|yourselves|u|ur|ya|youll|youve|yall)\b"
)
_THIRD_PERSON = linear_re.compile(
    r"\b(?:he|she|him|her|his|hers|they|them|their|theirs|himself|herself|themselves"
    r"|hes|shes|theyre)\b"
)
FRIENDLY = 0.05
# The pronoun and tone readings below were written from forum lines of one or two
# sentences (at most 25 words). In a longer text "I" or "you" may be anywhere and one
# friendly sentence lifts the whole tone, so past this length only an explicit reading
# (self-judgement, recounted abuse) is clear; anything else is UNCLEAR.
CLEAR_WITHIN = 25
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_.-]{3,32}")
# A capitalised word inside a sentence: most often a name.
_NAME = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+\b")
_SELF_WORDS = frozenset({"i", "im", "me", "my", "myself", "ive", "id"})
# Pain that names no judgement word: "I hate myself", "I ruin everything".
_SELF_PAIN = linear_re.compile(
    r"\b(?:hate|loathe|despise) (?:myself|me|my (?:life|self|body))\b"
    r"|\b(?:i|ive|i have) (?:always |just |only )?(?:ruin|ruined|screw|screwed|mess|messed"
    r"|fuck|fucked|wreck|wrecked)\b"
)


def someone_else_in_view(text: str, folded: str) -> bool:
    # Folding joins runs of single letters ("u r a loser" -> "ura loser"), which would hide
    # the "u"; so second person is also looked for in the text as typed.
    return bool(
        _MENTION.search(text)
        or _SECOND_PERSON.search(text.casefold())
        or _SECOND_PERSON.search(folded)
        or _THIRD_PERSON.search(folded)
        or _NAME.search(text)
    )


def judges_self(folded: str) -> bool:
    """'I'm such an idiot', 'what a moron I am', 'my own stupid fault', 'I hate myself'."""
    if _SELF_PAIN.search(folded):
        return True
    words = tokens(folded)
    for i, word in enumerate(words):
        if word in _SELF_WORDS:
            near = [w for w in words[max(0, i - 3) : i + 5] if w not in ".!?;"]
            if any(is_judgement(w) for w in near):
                return True
    return False


def find_target(text: str, insult: Insult | None = None) -> Target:
    """Place the text; pass `insult` when find_insult has already read it."""
    if insult is None:
        insult = find_insult(text)
    if insult is not None:
        return Target.OTHERS
    folded = fold(text)
    if is_reported(text) or judges_self(folded):
        return Target.SELF
    words = tokens(folded)
    if any(w in INSULT_WORDS for w in words):
        return Target.UNCLEAR  # an insult word with no one clear to pin it on
    if len(text.split()) > CLEAR_WITHIN:
        return Target.UNCLEAR  # a long text: who the words are aimed at is not clear
    others = someone_else_in_view(text, folded)
    # VADER's own cut-off for a positive text; swear words are left out of the tone.
    friendly = tone(text) >= FRIENDLY
    if others:
        # "Holy shit, you ran the whole 5k!": swearing in joy, at no one. Swearing near
        # "you" in anger may well be aimed at them: a high score goes to a human.
        return Target.NONE if friendly else Target.UNCLEAR
    if _FIRST_PERSON.search(folded):
        # Only the author in view: pain, unless they sound glad ("best news all year").
        return Target.NONE if friendly else Target.SELF
    if any(is_judgement(w) for w in words) and not any(w in EXPLETIVES for w in words):
        return Target.UNCLEAR  # "this is pathetic": a judgement, perhaps of someone
    # Swearing at the day, the weather, the bus: neutral once the swear words are left out.
    # A negative rant with no one named may still answer someone: a human reads it.
    return Target.NONE if tone(text) > -FRIENDLY else Target.UNCLEAR
