"""Who a message is aimed at: the author themself, someone else, or no one in particular.

Toxicity models score words, not intent. "I hate myself, I'm such a f***ing failure"
scores as high as an insult, yet it is pain to respond to, not abuse to hold back.
This looks for a target so the decision can tell the two apart.
"""

from __future__ import annotations

import re
from enum import StrEnum

from moderation.normalize import fold


class Target(StrEnum):
    SELF = "self"  # first person, no one else in view
    OTHERS = "others"  # second person, other people or groups, a mention
    NONE = "none"  # no one in particular: swearing at the day, the weather, life


_FIRST_PERSON = re.compile(r"\b(?:i|im|ive|ill|id|me|my|mine|myself)\b")
_SECOND_PERSON = re.compile(
    r"\b(?:you|your|youre|yours|yourself|yourselves|u|ur|ya|youll|youve|yall)\b"
)
_THIRD_PERSON = re.compile(
    r"\b(?:he|she|him|her|his|hers|they|them|their|theirs|himself|herself|themselves"
    r"|hes|shes|theyre)\b"
)
# Groups and other people, the usual objects of hate: "those people", "all women are".
_GROUPS = re.compile(
    r"\b(?:people|everyone|everybody|folks|guys|women|men|girls|boys|kids|immigrants"
    r"|foreigners|muslims|christians|jews|gays|gay|lesbians|trans|blacks|whites|asians"
    r"|mexicans|liberals|conservatives|mods|moderators|admins|idiots|morons|haters)\b"
)
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_.-]{3,32}")
# "Blake is a fucking idiot", "the OP is a moron": an insult said of someone named.
_CALLED = re.compile(
    r"\b(\w+)\s+(?:is|are|was|were|s)\s+(?:\w+\s+){0,3}?"
    r"(?:idiot|moron|loser|jerk|asshole|arsehole|bitch|bastard|dick|prick|cunt|twat|retard"
    r"|scum|creep|freak|pig|clown|fool|dumbass|dipshit|douche|douchebag|tosser|wanker)s?\b"
)
_NOT_SOMEONE_ELSE = frozenset({"i", "im", "it", "this", "that", "there", "here", "what"})


def _names_someone(folded: str) -> bool:
    return any(m.group(1) not in _NOT_SOMEONE_ELSE for m in _CALLED.finditer(folded))


def find_target(text: str) -> Target:
    """Classify who the text is about; anything aimed outward counts as OTHERS."""
    if _MENTION.search(text):
        return Target.OTHERS
    folded = fold(text)
    # Folding joins runs of single letters ("u r a loser" -> "ura loser"), which would hide
    # the "u"; so second person is also looked for in the text as typed.
    if _SECOND_PERSON.search(text.casefold()):
        return Target.OTHERS
    if _SECOND_PERSON.search(folded) or _THIRD_PERSON.search(folded) or _GROUPS.search(folded):
        return Target.OTHERS
    if _names_someone(folded):
        return Target.OTHERS
    if _FIRST_PERSON.search(folded):
        return Target.SELF
    return Target.NONE
