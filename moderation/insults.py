"""Hostility aimed at someone: insults, dismissals, wishes of harm, threats, group attacks.

The embedded classifier scores words, so it misses attacks written without swear words
("Mei is a two-faced snake", "go cry somewhere else") and cannot say at whom swearing is
aimed. This finds a negative judgement *tied to a target*: "you", a name or @mention,
he/she/they, a group or an identity term. Judgements come from two sources:

- a short list of words that describe people only ever as insults (INSULT_WORDS);
- the VADER sentiment lexicon (vaderSentiment), whose negative words count only where a
  sentence frame predicates them of a target ("you are so X", "Kenji is a X Y",
  "refugees are all X"): VADER also scores grief and illness as negative, which is why
  its words need the frame and the list does not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from moderation import attack_phrases as phrases
from moderation import linear_re
from moderation.identity import GROUP_WORDS, IDENTITY_WORDS
from moderation.normalize import fold
from moderation.wordlists import word_list

# A lexicon word counts as a judgement at or below this valence (VADER runs -4 .. +4):
# "pathetic" -2.7, "stupid" -2.4, "selfish" -2.1 count.
LEXICON_VALENCE = -1.5

INSULT_WORDS = word_list("insult_words.txt")
# Insults with no other sense ("snake", "troll", "puppet" have one): aimed at whoever
# reads them even when no one is named.
PLAIN_INSULTS = word_list("plain_insults.txt")

# Negative in VADER but a state, a feeling or an event, not a judgement of a person.
NOT_JUDGEMENTS = word_list("not_judgements.txt")

EXPLETIVES = word_list("expletives.txt")

_PHRASES = linear_re.compile(
    r"\b(?:piece|sack|bag) of (?:shit|crap|garbage|trash)\b|\bwaste of (?:space|air|oxygen)\b"
    r"|\bdrama queen\b|\battention seeker\b|\bknow it all\b"
)
_TOKEN = re.compile(r"[a-z0-9*@_-]+|[.!?;,]")
# Where a clause ends: a judgement past one of these is said of something else.
_CLAUSE_ENDS = frozenset({".", "!", "?", ";", ",", "but", "because", "though", "although"})
_SENTENCE_ENDS = frozenset({".", "!", "?", ";"})
_SECOND = frozenset({"you", "u", "ya", "youre", "ur", "yall", "yourself"})
_COPULA = frozenset({"is", "are", "was", "were", "s", "re", "r", "be", "being", "isnt", "arent"})
_SUBJECT_WITH_COPULA = frozenset({"youre", "hes", "shes", "theyre", "ur", "r"})
_THIRD = frozenset({"he", "she", "they", "hes", "shes", "theyre", "op"})
# "this guy is an idiot", "the OP is a moron": someone singled out without a name.
_PERSON_NOUNS = frozenset({"guy", "dude", "bloke", "lady", "person", "poster", "chick"})
_FIRST = frozenset({"i", "im", "me", "my", "myself", "ive", "id", "we", "were", "us", "our"})
# Capitalised at the start of a sentence, but no one's name.
_NOT_NAMES = word_list("not_names.txt")


@dataclass(frozen=True)
class Insult:
    """What the attack is and at whom; shown to moderators as the reason."""

    kind: str  # insult | group | hatred | dismissal | mockery | harm | threat
    target: str  # you | person | group | identity | someone
    word: str  # the words that fired

    @property
    def severe(self) -> bool:
        """Threats and wishes of harm are held before anyone else reads them."""
        return self.kind in ("harm", "threat")


@cache
def analyzer() -> SentimentIntensityAnalyzer:
    """VADER, loaded once: it reads the lexicon its wheel ships."""
    return SentimentIntensityAnalyzer()


# VADER's time grows with the square of the words it reads, and an emoji is read as the
# words of its name: 1,000 crying faces took 3 s, 20,000 (one post) would take minutes.
# Every cue it gives is about a line or two (the attack model reads up to 29 words), so
# it reads the start of the text only.
SENTIMENT_CHARS = 300


def polarity(text: str) -> dict[str, float]:
    """VADER's scores (neg, neu, pos, compound) of the first SENTIMENT_CHARS characters."""
    return dict(analyzer().polarity_scores(text[:SENTIMENT_CHARS]))


def lexicon() -> dict[str, float]:
    """VADER's word valences."""
    words: dict[str, float] = analyzer().lexicon
    return words


# Sympathy and the peer support a circle runs on, which VADER reads as neutral or worse.
_SYMPATHY = linear_re.compile(
    r"\b(?:i'?m|i am) (?:\w+ )?sorry\b|\bsorry (?:for|about) |\bget through this\b"
    r"|\b(?:we'?ve|i'?ve) got you\b|\bhere for you\b|\bproud of you\b|\bsending (?:\w+ )?"
    r"(?:hugs|love|strength)\b|\bnot your fault\b|\bgo easy on yourself\b|\btake care\b",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[\w'-]+|[^\w\s]")


def tone(text: str) -> float:
    """VADER's compound sentiment, -1 (most negative) to +1, of what the text says of anyone.

    Swearing carries intensity, not direction ("fucking hell, best news all year" is glad);
    states and events (sad, unfair, brutal) describe what happened, not the reader; and
    "I'm so sorry" is sympathy, which VADER scores as negative. All three are left out.
    """
    text = _SYMPATHY.sub(" kind ", text)
    kept = [w for w in _WORDS.findall(text) if fold(w) not in EXPLETIVES | NOT_JUDGEMENTS]
    return polarity(" ".join(kept))["compound"]


def is_judgement(word: str) -> bool:
    """A word that judges a person when said of one: listed, or negative in VADER."""
    if word in INSULT_WORDS:
        return True
    if word in NOT_JUDGEMENTS or word in EXPLETIVES:
        return False
    return lexicon().get(word, 0.0) <= LEXICON_VALENCE


def is_attribute(word: str) -> bool:
    """A judgement placed before a noun ("greedy Jew"); verb forms ("-ing", "-ed":
    "losing parents", "the man assaulted") say what happened, not what someone is."""
    listed = word in INSULT_WORDS
    return listed or (is_judgement(word) and not word.endswith(("ing", "ed")))


def tokens(folded: str) -> list[str]:
    """Words and sentence ends; fixed insult phrases become one word ("piece-of-shit")."""
    joined = _PHRASES.sub(lambda m: m.group(0).replace(" ", "-"), folded)
    return _TOKEN.findall(joined)


def _sentence(
    words: list[str], start: int, stop: int, ends: frozenset[str] = _CLAUSE_ENDS
) -> list[str]:
    """words[start:stop], cut at the first clause end (or the first of `ends`)."""
    span: list[str] = []
    for word in words[max(0, start) : stop]:
        if word in ends:
            break
        span.append(word)
    return span


# Words that end the phrase after "is": past them the judgement is of something else
# ("you are right about the article, it is biased"), or is denied ("you are not a burden").
_PHRASE_ENDS = frozenset(
    [
        "to",
        "for",
        "of",
        "that",
        "which",
        "who",
        "in",
        "on",
        "at",
        "about",
        "with",
        "by",
        "from",
        "than",
        "if",
        "when",
        "not",
        "never",
        "no",
        "nt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "dont",
        "doesnt",
        "didnt",
        "without",
        "nothing",
    ]
)


def _predicated(
    words: list[str], i: int, judged: Callable[[str], bool] = is_judgement
) -> str | None:
    """The judgement said of words[i] by 'is/are (a/so/such ...) X', if any.

    The judgement must come within a few words of the verb, before any preposition or
    negation: "you are such a pathetic liar" fires, "you are not pathetic" does not.
    """
    after = _sentence(words, i + 1, i + 8)
    if words[i] in _SUBJECT_WITH_COPULA:
        start = 0
    else:
        start = next((n + 1 for n, w in enumerate(after[:3]) if w in _COPULA), -1)
        if start < 0:
            return None
    for word in after[start : start + 5]:
        if word in _PHRASE_ENDS:
            return None
        # "-ed" after "is" is mostly something done to them ("you were blocked").
        if judged(word) and (word in INSULT_WORDS or not word.endswith("ed")):
            return word
    return None


def _vocative_after(words: list[str], i: int) -> str | None:
    """'you absolute clown', 'you brainless puppet'; not 'you're not pathetic'."""
    for word in _sentence(words, i + 1, i + 4):
        if word in _PHRASE_ENDS:
            return None
        if word in INSULT_WORDS:
            return word
    return None


def _at_you(words: list[str]) -> str | None:
    """'you are so X', 'you absolute clown', 'what a X you are', 'your X is so Y'."""
    for i, word in enumerate(words):
        if word in _SECOND:
            if hit := _predicated(words, i):
                return f"{word} {hit}"
            if hit := _vocative_after(words, i):
                return f"{word} {hit}"
            # "What a spoiled, entitled princess you are": the list runs across commas.
            before = _sentence(list(reversed(words[:i])), 0, 6, _SENTENCE_ENDS)
            closing = word == "youre" or words[i + 1 : i + 2] == ["are"]
            hit = next((w for w in before if is_judgement(w)), None) if closing else None
            if hit and "what" in before:
                return f"what a {hit} {word} are"
        # "Your story is pathetic": only a listed insult, since "your edit is biased" is
        # criticism of what someone wrote, not of them.
        your = word == "your" and i + 2 < len(words)
        if your and (hit := _predicated(words, i + 1, INSULT_WORDS.__contains__)):
            return f"your ... {hit}"
    return None


_CAPITALISED = re.compile(r"\b([A-Z][a-z]+)\b")


def capitalised(text: str) -> set[str]:
    """Words written with a capital: names, among others (folded to lower case)."""
    return {m.group(1).casefold() for m in _CAPITALISED.finditer(text)}


def _at_person(text: str, words: list[str]) -> str | None:
    """'Kenji is a pompous bore', '@quietstorm is a troll', 'she's such a liar'."""
    names = capitalised(text)
    for i, word in enumerate(words):
        person = word.startswith("@") or word in _THIRD or word in _PERSON_NOUNS
        # A capitalised word that is no common word VADER knows ("Depression is evil").
        person = person or (
            word in names
            and word not in _NOT_NAMES | IDENTITY_WORDS | GROUP_WORDS
            and word not in lexicon()
        )
        # Said of a third person, only a listed insult counts: "Smith was a corrupt mayor"
        # is how people are discussed; "Mei is a two-faced snake" is an attack.
        judged = is_judgement if word.startswith("@") else INSULT_WORDS.__contains__
        if person and (hit := _predicated(words, i, judged)):
            return f"{word} {hit}"
    return None


def _at_group(words: list[str]) -> tuple[str, str] | None:
    """'greedy Jew', 'refugee parasite', 'gamblers are all thieves', 'all X are Y'."""
    for i, word in enumerate(words):
        kind = "identity" if word in IDENTITY_WORDS else "group" if word in GROUP_WORDS else ""
        if not kind or _describes_self(words, i):
            continue
        # Describing a group or a public figure in negative words is also how history and
        # news are discussed ("refugees were desperate"); an attack names them with a listed
        # insult, or sweeps them all into a judgement ("they're all liars", "typical X").
        listed = INSULT_WORDS.__contains__
        attribute = is_attribute if kind == "identity" else listed
        # Right next to it: "greedy Jew", "refugee parasite", "immigrants ruin everything";
        # a listed insult a word further: "dumb Polish builder".
        near = _sentence(list(reversed(words[:i])), 0, 1) + _sentence(words, i + 1, i + 2)
        further = _sentence(list(reversed(words[:i])), 0, 2) + _sentence(words, i + 1, i + 3)
        hit = next((w for w in near if attribute(w)), None)
        hit = hit or next((w for w in further if listed(w)), None)
        hit = hit or _predicated(words, i, listed) or _generalised(words, i)
        if hit:
            return kind, f"{word} {hit}"
    return None


_QUANTIFIERS = frozenset({"all", "always", "never", "every", "typical", "typically"})
_WORD_LISTS = "|".join(sorted(IDENTITY_WORDS | GROUP_WORDS, key=len, reverse=True))
_IDENTITIES = "|".join(sorted(IDENTITY_WORDS, key=len, reverse=True))
# "I hate gay people", "we can't stand immigrants".
_GROUP_HATRED = linear_re.compile(
    rf"\b(?:i|we|everyone|everybody) (?:\w+ )?(?:hate|despise|loathe|cant stand|detest) "
    rf"(?:all )?(?:the )?(?:\w+ )?(?:{_IDENTITIES})\b"
)
# Who may not belong: "Muslims shouldn't even be allowed in", "ban all the refugees".
_EXCLUSION = linear_re.compile(
    rf"\b(?:{_WORD_LISTS}) (?:shouldnt|should not|dont|do not|dont even) (?:even )?"
    rf"(?:be allowed|belong|deserve)\b|\b(?:ban|kick out|get rid of|keep out) (?:all )?(?:the )?"
    rf"(?:{_WORD_LISTS})\b|\byou people\b|\btypical (?:{_WORD_LISTS})\b"
)


def _like_you(words: list[str], names: set[str]) -> str | None:
    """'Men like you', 'junkies like Sam': a group or insult put on someone."""
    for i, word in enumerate(words[:-2]):
        if words[i + 1] != "like":
            continue
        kind = word in IDENTITY_WORDS or word in GROUP_WORDS or word in INSULT_WORDS
        someone = words[i + 2] in _SECOND | _THIRD or words[i + 2] in names
        if kind and someone:
            return f"{word} like {words[i + 2]}"
    return None


def _generalised(words: list[str], i: int) -> str | None:
    """'Disabled people always ... lazy', 'all addicts ... liars': a judgement of a whole group."""
    near = _sentence(words, i + 1, i + 4) + _sentence(list(reversed(words[:i])), 0, 2)
    if not _QUANTIFIERS & set(near):
        return None
    return next((w for w in _sentence(words, i + 1, i + 16) if is_judgement(w)), None)


def _describes_self(words: list[str], i: int) -> bool:
    """'I'm a proud queer woman', 'as a Korean adoptee': naming who one is, not an attack."""
    before = _sentence(list(reversed(words[:i])), 0, 5)
    return bool(_FIRST & set(before)) or "as" in before[:3]


def _vocative(words: list[str]) -> str | None:
    """An insult noun with no one named and not said of oneself: 'fucking loser, log off'."""
    if _FIRST & set(words):
        return None
    for i, word in enumerate(words):
        # "Cancer is a bastard of a disease": said of a thing already found to be no one.
        if word in PLAIN_INSULTS and not _COPULA & set(words[max(0, i - 3) : i]):
            return word
    return None


def is_reported(text: str) -> bool:
    """Abuse the author recounts ('my dad called me a worthless idiot') is aimed at them."""
    return phrases.REPORTED.search(fold(text)) is not None


def _ill_wish(plain: str) -> re.Match[str] | None:
    """'I hope you relapse and lose everything': a wish for someone whose words are bad."""
    for match in phrases.WISH.finditer(plain):
        # VADER's own cut-off for a negative text, on what is wished ("hope" is positive).
        if tone(match.group("wished")) <= -0.05:
            return match
    return None


def _promised_harm(plain: str) -> re.Match[str] | None:
    """'I'll make your life hell', 'I'm going to tell your boss': a promise to someone that
    is negative or reaches into their life off the forum. 'I'll send you the link' is not."""
    for match in phrases.PROMISE.finditer(plain):
        promised = match.group("promised")
        if phrases.OFF_FORUM.search(promised) or tone(promised) <= -0.05:
            return match
    return None


# The attack model's cues, the target and the decision each ask about the same text in
# one assessment: remember recent answers (an Insult is immutable) instead of reading
# it three times.
@lru_cache(maxsize=256)  # a batch is at most 64 texts; posts can be long
def find_insult(text: str) -> Insult | None:
    """The most serious hostility aimed at someone in text, or None."""
    folded = fold(text)
    plain = phrases.unquoted(folded)
    if match := phrases.THREATS.search(plain) or _promised_harm(plain):
        return Insult("threat", "you", match.group(0))
    if match := phrases.HARM.search(plain):
        return Insult("harm", "you", match.group(0))
    match = phrases.HOPED_HARM.search(plain) or _ill_wish(plain)
    if match and not phrases.DENIAL.search(match.group(0)):
        return Insult("harm", "you", match.group(0))
    if match := phrases.HATRED.search(plain):
        return Insult("hatred", "you" if "you" in match.group(0) else "person", match.group(0))
    words = tokens(plain)
    reported = phrases.REPORTED.search(folded) is not None
    if not reported:
        if hit := _at_you(words):
            return Insult("insult", "you", hit)
        if hit := _at_person(phrases.unquoted(text), words):
            return Insult("insult", "person", hit)
    if group := _at_group(words):
        return Insult("group", group[0], group[1])
    if hit := _like_you(words, capitalised(phrases.unquoted(text))):
        return Insult("group", "you", hit)
    if match := _GROUP_HATRED.search(plain):
        return Insult("hatred", "identity", match.group(0))
    if match := _EXCLUSION.search(plain):
        return Insult("group", "group", match.group(0))
    if match := phrases.DISMISSALS.search(plain):
        return Insult("dismissal", "you", match.group(0))
    if match := phrases.MOCKERY.search(folded) or phrases.PAIN_MOCKED.search(plain):
        return Insult("mockery", "you", match.group(0))
    if not reported and (hit := _vocative(words)):
        return Insult("insult", "someone", hit)
    return None
