"""Words for who people are, and for groups of people.

Two uses. Naming an identity next to a judgement is an attack on a target ("greedy Jew").
Naming an identity alone is not: word-level classifiers learn identity words as toxic
because attacks use them, so "I'm a proud gay man" scores high. The embedded classifier
therefore reads the text with these words replaced by a neutral one (see toxicity.py).
Slurs are deliberately absent: they are insults (insults.py), never masked.
"""

from __future__ import annotations

import re

from moderation.wordlists import word_list

# Identities people name themselves and others by: orientation, gender, faith, origin,
# ethnicity, disability and age, singular and plural.
IDENTITY_WORDS = word_list("identity_words.txt")

# Groups by circumstance or role: the usual subjects of "all X are ...".
GROUP_WORDS = word_list("group_words.txt")

_MASK = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, IDENTITY_WORDS), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


def names_identity(text: str) -> bool:
    return _MASK.search(text) is not None


def identity_neutral(text: str) -> str:
    """The text with identity words replaced by "person", for scoring what else it says."""
    return _MASK.sub("person", text)
