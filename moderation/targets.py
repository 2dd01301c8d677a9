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


def find_target(text: str) -> Target:
    """Classify who the text is about; anything aimed outward counts as OTHERS."""
    if _MENTION.search(text):
        return Target.OTHERS
    folded = fold(text)
    if _SECOND_PERSON.search(folded) or _THIRD_PERSON.search(folded) or _GROUPS.search(folded):
        return Target.OTHERS
    if _FIRST_PERSON.search(folded):
        return Target.SELF
    return Target.NONE
