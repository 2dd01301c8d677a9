"""Words for who people are, and for groups of people.

Naming an identity next to a judgement is an attack on a target ("greedy Jew"); naming it
alone is not ("I'm a proud gay man"), however a word-level classifier scores it. Slurs are
deliberately absent: they are insults (data/insult_words.txt).
"""

from __future__ import annotations

from moderation.wordlists import word_list

# Identities people name themselves and others by: orientation, gender, faith, origin,
# ethnicity, disability and age, singular and plural.
IDENTITY_WORDS = word_list("identity_words.txt")

# Groups by circumstance or role: the usual subjects of "all X are ...".
GROUP_WORDS = word_list("group_words.txt")
