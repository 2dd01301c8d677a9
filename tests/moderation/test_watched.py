"""Watched words: whole-word matching on folded text, replacements, and what the decision makes."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from moderation.content_warnings import full_prefs, ordered, treatment
from moderation.crisis import CrisisLevel, CrisisMatch, CrisisResult
from moderation.decision import Action, Decision, Policy, Priority, apply_watched
from moderation.pipeline import Pipeline, Screener
from moderation.watched import (
    MAX_EXPLANATION,
    MAX_PHRASE,
    MAX_REPLACEMENT,
    WatchedWord,
    WatchError,
    WatchList,
    check_word,
)

HOLD = WatchedWord(1, "foo", "hold")
PRO_ANA = WatchedWord(2, "pro ana", "warn", warning="eating")
KILL = WatchedWord(3, "kill", "replace", replacement="stop")
DARN = WatchedWord(4, "darn", "block", explanation="We keep this circle gentle.")
WATCH = WatchList.of([HOLD, PRO_ANA, KILL, DARN])


FULLWIDTH = "\uff46\uff4f\uff4f"  # "foo" in fullwidth letters


def phrases(text: str, watch: WatchList = WATCH) -> list[str]:
    return [hit.word.phrase for hit in watch.find(text)]


@pytest.mark.parametrize(
    "text",
    ["foo", "FOO!", "a Foo b", "f.o.o", "f o o", "f-o-o", "f0o", "fooooo", "so,foo.", FULLWIDTH],
)
def test_watched_word_matches_however_it_is_disguised(text: str) -> None:
    assert phrases(text) == ["foo"]


@pytest.mark.parametrize("text", ["food", "snafoo", "foo_bar", "bafoon", "fo o d", ""])
def test_watched_word_matches_whole_words_only(text: str) -> None:
    assert phrases(text) == []


@pytest.mark.parametrize("text", ["pro ana", "pro-ana tips", "PROANA", "pro.ana"])
def test_watched_phrase_matches_with_or_without_its_spaces(text: str) -> None:
    assert phrases(text) == ["pro ana"]


@pytest.mark.parametrize(("text", "found"), [("as", []), ("ass", ["ass"]), ("asssss", ["ass"])])
def test_a_doubled_letter_matches_a_stretched_run_not_a_single_letter(
    text: str, found: list[str]
) -> None:
    assert phrases(text, WatchList.of([WatchedWord(1, "ass", "hold")])) == found


def test_watched_phrase_does_not_span_lines() -> None:
    # A thread's title and body are screened together, a blank line apart.
    assert phrases("I am pro\n\nana is my friend") == []


def test_hits_point_at_the_words_as_written() -> None:
    text = "well, F.O.O to that"
    [hit] = WATCH.find(text)
    assert (hit.start, hit.end, hit.text) == (6, 11, "F.O.O")


def test_overlapping_phrases_are_all_found() -> None:
    watch = WatchList.of([WatchedWord(1, "foo bar", "hold"), WatchedWord(2, "bar", "hold")])
    assert sorted(phrases("a foo bar b", watch)) == ["bar", "foo bar"]


def test_replace_rewrites_the_source_and_counts_each_use() -> None:
    watched = WATCH.review("I could kill it. KILLLL it!")
    assert watched.source == "I could stop it. stop it!"
    assert [hit.text for hit in watched.replaced] == ["kill", "KILLLL"]
    assert watched.changed and watched.held == () and watched.blocked is None


def test_replacements_are_said_as_written_in_markdown_and_in_titles() -> None:
    watch = WatchList.of([WatchedWord(1, "heck", "replace", replacement="h*ck [sic]")])
    assert watch.review("oh heck").source == "oh h\\*ck \\[sic\\]"
    assert watch.review("oh heck", markdown=False).source == "oh h*ck [sic]"


def test_replace_hidden_by_formatting_is_held_instead() -> None:
    # The source has no "kill" to replace, but readers would see one.
    watched = WATCH.review("[ki](https://example.org)ll")
    assert not watched.changed
    assert [hit.word.phrase for hit in watched.held] == ["kill"]


def test_html_entities_do_not_hide_a_watched_word() -> None:
    assert [hit.word.phrase for hit in WATCH.review("f&#111;o").held] == ["foo"]


def test_review_reports_block_hold_and_warnings() -> None:
    watched = WATCH.review("foo, darn it, pro-ana")
    assert watched.blocked is not None and watched.blocked.text == "darn"
    assert [hit.word.phrase for hit in watched.held] == ["foo"]
    assert watched.warnings == ("eating",)


def test_an_empty_list_changes_nothing() -> None:
    watched = WatchList().review("foo kill darn")
    assert watched.source == "foo kill darn" and watched.hits == ()


def test_replacements_that_contain_watched_words_are_found() -> None:
    watch = WatchList.of([HOLD, WatchedWord(9, "bar", "replace", replacement="f.o.o")])
    assert [(w.phrase, hit.word.phrase) for w, hit in watch.replacement_clashes()] == [
        ("bar", "foo")
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"phrase": "   ", "action": "hold"}, "phrase"),
        ({"phrase": "x" * (MAX_PHRASE + 1), "action": "hold"}, "phrase"),
        ({"phrase": "...", "action": "hold"}, "phrase"),
        ({"phrase": "foo", "action": "delete"}, "action"),
        ({"phrase": "foo", "action": "warn", "warning": "spiders"}, "warning"),
        ({"phrase": "foo", "action": "block"}, "explanation"),
        (
            {"phrase": "foo", "action": "block", "explanation": "x" * (MAX_EXPLANATION + 1)},
            "explanation",
        ),
        ({"phrase": "foo", "action": "replace", "replacement": " "}, "replacement"),
        (
            {"phrase": "foo", "action": "replace", "replacement": "x" * (MAX_REPLACEMENT + 1)},
            "replacement",
        ),
    ],
)
def test_check_word_refuses_what_cannot_work(fields: dict[str, str], field: str) -> None:
    with pytest.raises(WatchError) as caught:
        check_word(1, **fields)
    assert caught.value.field == field
    assert caught.value.message


def test_check_word_keeps_only_what_its_action_uses() -> None:
    word = check_word(7, "  pro   ana ", "warn", "eating", "unused", "unused")
    assert word == WatchedWord(7, "pro ana", "warn", warning="eating")


def test_policy_round_trips_its_watched_words() -> None:
    policy = Policy(watched=WATCH)
    again = Policy.from_dict(policy.to_dict())
    assert again.watched.words == WATCH.words
    assert again.watched.find("foo")


# --- the decision ---


def plain(action: Action = Action.PUBLISH, priority: Priority = Priority.NONE) -> Decision:
    return Decision(action, priority, ())


NO_CRISIS = CrisisResult(CrisisLevel.NONE, ())
CONCERN = CrisisResult(
    CrisisLevel.CONCERN,
    (CrisisMatch("suicide.want_to_die", "suicide", CrisisLevel.CONCERN, 0, 13, "I want to die"),),
)


def kinds(decision: Decision) -> Sequence[str]:
    return [reason.kind for reason in decision.reasons]


def test_hold_word_holds_a_post_that_would_be_published() -> None:
    decision = apply_watched(plain(), WATCH.review("foo"), NO_CRISIS)
    assert decision.action == Action.REVIEW and decision.priority == Priority.HELD
    assert kinds(decision) == ["watched_word"]
    assert decision.reasons[0].word == "foo"


def test_hold_word_keeps_a_crisis_priority() -> None:
    decision = apply_watched(
        plain(Action.PUBLISH_AND_REVIEW, Priority.CRISIS), WATCH.review("foo"), CONCERN
    )
    assert decision.action == Action.REVIEW and decision.priority == Priority.CRISIS


def test_block_word_holds_instead_when_someone_may_be_in_danger() -> None:
    decision = apply_watched(plain(), WATCH.review("darn, I want to die"), CONCERN)
    assert decision.held
    assert decision.reasons[-1].word == "darn"


def test_block_word_alone_adds_no_reason_the_service_refuses_it() -> None:
    decision = apply_watched(plain(), WATCH.review("darn"), NO_CRISIS)
    assert decision.action == Action.PUBLISH and kinds(decision) == []


def test_replacements_and_warnings_are_explained_without_holding() -> None:
    decision = apply_watched(plain(), WATCH.review("kill the pro ana talk"), NO_CRISIS)
    assert decision.action == Action.PUBLISH
    assert kinds(decision) == ["watched_replaced", "content_warning"]
    assert "eating and food" in decision.reasons[1].message


class QuietScorer:
    name: str = "quiet"
    labels: tuple[str, ...] = ("toxicity",)

    def __init__(self) -> None:
        self.seen: list[str] = []

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        self.seen += texts
        return [{"toxicity": 0.0} for _ in texts]


async def test_screener_scores_the_replaced_text_but_reads_crisis_in_the_original() -> None:
    scorer = QuietScorer()
    screener = Screener(Pipeline(scorer))
    watch = WatchList.of([WatchedWord(1, "die", "replace", replacement="leave")])
    try:
        assessment = await screener.screen("I want to die", Policy(watched=watch))
    finally:
        await screener.close()
    assert assessment.watched.source == "I want to leave"
    assert scorer.seen == ["I want to leave"]
    assert assessment.crisis.level == CrisisLevel.CONCERN
    assert assessment.refusal is None


def test_assess_batch_applies_the_circles_watched_words() -> None:
    [held, refused] = Pipeline(QuietScorer()).assess_batch(["foo", "darn"], Policy(watched=WATCH))
    assert held.decision.held and kinds(held.decision) == ["watched_word"]
    assert refused.refusal is not None and refused.refusal.word == DARN


# --- content warnings ---


def test_strictest_choice_wins_and_blur_is_the_default() -> None:
    prefs = {"grief": "show", "abuse": "hide"}
    assert treatment(["grief"], prefs) == "show"
    assert treatment(["grief", "abuse"], prefs) == "hide"
    assert treatment(["grief", "eating"], prefs) == "blur"
    assert treatment(["grief"], None) == "blur"


def test_full_prefs_fill_in_the_default_and_ignore_nonsense() -> None:
    prefs = full_prefs({"grief": "show", "abuse": "explode"})
    assert prefs["grief"] == "show" and prefs["abuse"] == "blur"
    assert set(prefs.values()) == {"show", "blur"}


def test_ordered_warnings_follow_the_list_without_repeats() -> None:
    assert ordered(["grief", "self-harm", "grief", "nonsense"]) == ("self-harm", "grief")
