"""Tests for finding hostility aimed at someone: insults, dismissals, harm, threats."""

from __future__ import annotations

import pytest

from moderation.insults import (
    SENTIMENT_CHARS,
    analyzer,
    find_insult,
    is_judgement,
    polarity,
    tone,
)


@pytest.mark.parametrize(
    ("text", "kind", "target"),
    [
        ("you are such a spineless coward", "insult", "you"),
        ("You absolute buffoon, read the thread first.", "insult", "you"),
        ("What a greedy, heartless creature you are.", "insult", "you"),
        ("Priya is a moronic lesbian", "insult", "person"),
        ("@moonbeam is a sneaky little snake", "insult", "person"),
        ("she's such a selfish cow", "insult", "person"),
        ("Filthy immigrants, the lot of them.", "group", "identity"),
        ("Muslims are all liars", "group", "identity"),
        ("Addicts always end up as thieves", "group", "group"),
        ("I despise all of you", "hatred", "you"),
        ("Nobody asked for your life story.", "dismissal", "you"),
        ("shut the hell up already", "dismissal", "you"),
        ("lol imagine crying over a relapse", "mockery", "you"),
        ("I hope you get hit by a truck tomorrow", "harm", "you"),
        ("go hang yourself", "harm", "you"),
        ("I know where you live now", "threat", "you"),
        ("I'm going to make you pay for that post", "threat", "you"),
        ("Dumb cunt, log off", "dismissal", "you"),  # told to leave, and called a name
        ("Total wanker.", "insult", "someone"),
    ],
)
def test_finds_the_attack_and_its_target(text: str, kind: str, target: str) -> None:
    insult = find_insult(text)
    assert insult is not None, text
    assert (insult.kind, insult.target) == (kind, target)
    assert insult.word  # says which words fired


@pytest.mark.parametrize(
    "text",
    [
        "you are not a burden, not to any of us",  # denial
        "you're not pathetic for still crying at night",
        "I hope you don't suffer any more pain",
        "I hope your cancer treatment goes well",
        "I hope the team wins on Saturday",
        "my mum used to call me a useless lump",  # recounted: aimed at the author
        "He'd yell 'you stupid girl' when he was drunk",
        "Rule 4: never tell anyone to 'get over it'.",  # quoting a rule
        "I'm a proud bisexual woman and this circle saved me",
        "As a Muslim widow, Ramadan is hard this year",
        "your point is fair but the source is biased",  # criticism of content
        "you are right, and the article is awful",
        "holy shit, you did it!",
        "My sister is grieving and so sad",  # a state, not a judgement
        "we watched the snake at the zoo",  # an insult word in another sense
    ],
)
def test_kind_or_recounted_words_are_not_attacks(text: str) -> None:
    assert find_insult(text) is None


def test_threats_and_harm_are_severe_and_insults_are_not() -> None:
    threat, harm, insult = (
        find_insult(t) for t in ("watch your back", "kys", "you are a pathetic clown")
    )
    assert threat is not None and threat.severe
    assert harm is not None and harm.severe
    assert insult is not None and not insult.severe


def test_judgements_come_from_the_list_and_the_vader_lexicon() -> None:
    assert is_judgement("moronic")  # listed
    assert is_judgement("heartless")  # VADER -2.2, not listed
    assert not is_judgement("sad")  # a state VADER scores negative
    assert not is_judgement("mourning")  # what happened, not what someone is
    assert not is_judgement("fucking")  # swearing is intensity, not a judgement
    assert not is_judgement("kind")


def test_tone_leaves_out_swearing_and_reads_sympathy_as_kind() -> None:
    assert tone("holy fucking shit, that's amazing news") > 0.05
    assert tone("I'm so sorry, that's so unfair") >= 0
    assert tone("you are a pathetic, hateful person") < -0.05


def test_hatred_of_an_identity_is_an_attack_but_of_what_happened_is_not() -> None:
    attack = find_insult("I really hate bisexual people")
    assert attack is not None and (attack.kind, attack.target) == ("hatred", "identity")
    assert find_insult("I hate the people who did this to you") is None
    assert find_insult("I hate cancer so much") is None


def test_sentiment_reads_only_the_start_of_a_long_text() -> None:
    """VADER's time grows with the square of what it reads: a post of 20,000 emoji must not
    keep the server busy for minutes. Past the first SENTIMENT_CHARS nothing is read."""
    start = "You are wonderful and kind. "
    text = start + " ." * 150 + "I hate you, you are awful and vile. " * 40  # hate from 328
    assert analyzer().polarity_scores(text)["compound"] < 0  # what reading it all gives
    assert polarity(text)["compound"] > 0.5  # the start alone
    assert polarity(text) == polarity(text[:SENTIMENT_CHARS])
