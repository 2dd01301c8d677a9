"""Tests for telling who a message is aimed at: the author, someone else, or no one."""

from __future__ import annotations

import pytest

from moderation.targets import Target, find_target


@pytest.mark.parametrize(
    "text",
    [
        "I hate myself, I'm such a f***ing failure",
        "i'm so stupid",
        "Im such an idiot for forgetting again",
        "I've ruined everything",
        "my own stupid fault",
        "why do I always screw this up",
        "nobody would notice if I disappeared",  # pain about the self, not an attack
        "I  h a t e  m y s e l f",
        "\uff29 hate myself",  # fullwidth letters
        "I\u2019m worthless",  # curly apostrophe
    ],
)
def test_first_person_without_anyone_else_is_self(text: str) -> None:
    assert find_target(text) == Target.SELF


@pytest.mark.parametrize(
    "text",
    [
        "you are a fucking idiot",
        "You're pathetic",
        "you\u2019re pathetic",  # curly apostrophe
        "youre pathetic",
        "ur such a loser",
        "u r a loser",
        "u r a fucking idiot",
        "I think u r an idiot",
        "y o u are trash",
        "y.o.u are trash",
        "y0u are trash",
        "\uff39\uff2f\uff35 are dumb",
        "yo\u200bu are dumb",  # zero-width space inside the word
        "@blake shut up",
        "@blake_99 nobody asked",
        "I hate @blake",
        "go back to where you came from",
        "those people are vermin",
        "immigrants ruin everything",
        "she is a liar",
        "they are all idiots",
        "I hate him",
        "the mods here are useless",
        "I hate all of you",
    ],
)
def test_second_person_mentions_and_groups_are_others(text: str) -> None:
    assert find_target(text) == Target.OTHERS


@pytest.mark.parametrize(
    "text",
    [
        "this f***ing week",
        "what a crap day",
        "the weather is shit",
        "ugh, mondays",
        "damn this traffic",
        "bloody hell, the bus was late again",
        "",
    ],
)
def test_swearing_at_the_day_has_no_target(text: str) -> None:
    assert find_target(text) == Target.NONE


def test_an_email_address_is_not_a_mention() -> None:
    assert find_target("write to help@example.org") == Target.NONE


def test_someone_else_in_view_outweighs_the_first_person() -> None:
    assert find_target("I think you are an idiot") == Target.OTHERS
    assert find_target("I hate how she treats me") == Target.OTHERS


@pytest.mark.parametrize(
    "text",
    [
        "Blake is a fucking idiot",
        "this guy is an idiot",
        "the OP is a moron",
    ],
)
def test_insult_aimed_at_someone_named_or_singled_out_is_others(text: str) -> None:
    # Without a pronoun or an @, an insult about a named member must not count as
    # "no one in particular", or the decision publishes it unreviewed as mere swearing.
    assert find_target(text) == Target.OTHERS


@pytest.mark.parametrize(
    "text",
    [
        "holy shit that's amazing news",
        "Holy fuck, Dana, you finished the marathon! So proud of you.",
        "fucking hell, best news I've had all year",
        "Damn, you look so happy in that photo",
    ],
)
def test_friendly_swearing_is_aimed_at_no_one(text: str) -> None:
    assert find_target(text) == Target.NONE


@pytest.mark.parametrize(
    "text",
    [
        "my stepdad used to call me a worthless slob",
        "She'd scream 'you useless cow' at me",
        "I'm such a clumsy idiot",
        "why do I always screw this up",
    ],
)
def test_recounted_abuse_and_self_judgement_are_self(text: str) -> None:
    assert find_target(text) == Target.SELF


@pytest.mark.parametrize(
    "text",
    [
        "what the fuck is your problem",  # swearing near "you", and not friendly
        "this is pathetic",  # a judgement, perhaps of someone
        "that was a creepy old film",  # a word that insults people, said of no one named
        "this is fucking terrible and nobody will admit it",  # a rant that may answer someone
    ],
)
def test_when_it_cannot_tell_it_says_unclear(text: str) -> None:
    assert find_target(text) == Target.UNCLEAR


@pytest.mark.parametrize(
    "text",
    [
        "Priya is a moronic lesbian",  # a name next to an insult
        "you spineless coward",  # "you" next to an insult
        "Greedy Jew.",  # an identity term next to an insult
    ],
)
def test_a_name_you_or_identity_next_to_an_insult_is_a_target(text: str) -> None:
    assert find_target(text) == Target.OTHERS


def test_a_long_text_is_unclear_unless_it_judges_the_author() -> None:
    # Past two sentences pronouns and tone no longer say clearly who is meant.
    filler = "and then we talked about the article and the edits for a while " * 3
    assert find_target("Holy shit that was great news " + filler) == Target.UNCLEAR
    assert find_target("I'm so stupid, " + filler) == Target.SELF
    assert find_target("Holy shit that was great news") == Target.NONE
