"""Tests for the pipeline: batched scoring, failure holds, the server's screener, its JSON shape."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pytest

from moderation.decision import Action, Policy, Priority
from moderation.pipeline import DEFAULT_BATCH_WAIT, Pipeline, Screener
from moderation.targets import Target
from moderation.toxicity import EmbeddedScorer, ToxicityError


class CountingScorer:
    """A stand-in model: scores by keyword and remembers every batch it was given."""

    name: str = "counting"
    labels: tuple[str, ...] = ("toxicity",)

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        self.calls.append(list(texts))
        return [{"toxicity": 0.99 if "idiot" in text else 0.01} for text in texts]


class FailingScorer:
    name: str = "failing"
    labels: tuple[str, ...] = ("toxicity",)

    def __init__(self, error: Exception) -> None:
        self.error = error

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        raise self.error


class SleepingScorer:
    name: str = "sleeping"
    labels: tuple[str, ...] = ("toxicity",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        time.sleep(self.seconds)
        return [{"toxicity": 0.0} for _ in texts]


SOURCES = ["Thank you all", "you are an idiot", "I want to die", "this week"]


def test_assess_batch_scores_every_text_in_one_model_call() -> None:
    scorer = CountingScorer()
    assessments = Pipeline(scorer).assess_batch(SOURCES)
    assert len(scorer.calls) == 1
    assert scorer.calls[0] == SOURCES
    assert [a.scores for a in assessments] == [
        {"toxicity": 0.01},
        {"toxicity": 0.99},
        {"toxicity": 0.01},
        {"toxicity": 0.01},
    ]


def test_assess_batch_keeps_each_texts_own_decision() -> None:
    assessments = Pipeline(CountingScorer()).assess_batch(SOURCES)
    assert [a.decision.action for a in assessments] == [
        Action.PUBLISH,
        Action.REVIEW,
        Action.PUBLISH_AND_REVIEW,
        Action.PUBLISH,
    ]
    assert assessments[2].crisis.level == "concern"


def test_assess_batch_uses_the_policy_it_is_given() -> None:
    strict = Policy.from_dict({"hold": {"toxicity": 0.005}, "flag": {"toxicity": 0.001}})
    # Aimed at someone, so the circle's hold threshold applies: friendly words or words
    # with no clear target are not held for a score alone ("you had a calm day" was).
    assessments = Pipeline(CountingScorer()).assess_batch(["you had a long day, idiot"], strict)
    assert assessments[0].decision.held


def test_scorer_failure_holds_every_item_in_the_batch() -> None:
    pipeline = Pipeline(FailingScorer(ToxicityError("model crashed")))
    assessments = pipeline.assess_batch(SOURCES)
    assert len(assessments) == len(SOURCES)
    for assessment in assessments:
        assert assessment.scores is None
        assert assessment.decision.action == Action.REVIEW
        assert "classifier_unavailable" in [r.kind for r in assessment.decision.reasons]
    # Crisis still ranks first among the held items.
    assert assessments[2].decision.priority == Priority.CRISIS


def test_sanitize_runs_before_the_scorer_sees_the_text() -> None:
    scorer = CountingScorer()
    Pipeline(scorer).assess_batch(
        ["**you** are an *idiot* [see here](https://example.com/x) AT&amp;T\n\n> quoted"]
    )
    seen = scorer.calls[0][0]
    assert seen == "you are an idiot see here AT&T quoted"
    for leftover in ("<", "**", "https://", "&amp;"):
        assert leftover not in seen


def test_sanitize_runs_before_crisis_detection_and_targeting() -> None:
    assessment = Pipeline(CountingScorer()).assess_batch(["**I** _want_ to **die**"])[0]
    assert assessment.crisis.level == "concern"
    assert assessment.target == Target.SELF


def test_pipeline_version_names_every_part() -> None:
    version = Pipeline(CountingScorer()).version
    for part in ("pipeline", "crisis", "sanitizer", "counting"):
        assert part in version


def test_assessment_to_dict_has_the_cli_shape() -> None:
    data = Pipeline(CountingScorer()).assess_batch(["I want to die, you idiot"])[0].to_dict()
    assert {"crisis", "toxicity", "decision", "reasons"} <= set(data)
    assert {"level", "matches", "signs", "score"} <= set(data["crisis"])
    assert data["crisis"]["level"] == "concern"
    match = data["crisis"]["matches"][0]
    assert {"rule", "level", "start", "end", "text"} <= set(match)
    assert data["toxicity"] == {"toxicity": 0.99}
    assert data["decision"] == "publish_and_review"
    assert data["reasons"][0]["kind"] == "crisis"
    assert all("pipeline_version" in r for r in data["reasons"])


def test_assessment_to_dict_of_a_failed_classifier_has_empty_toxicity() -> None:
    pipeline = Pipeline(FailingScorer(ToxicityError("down")))
    data = pipeline.assess_batch(["hello"])[0].to_dict()
    assert data["toxicity"] == {}
    assert data["decision"] == "review"
    assert [r["kind"] for r in data["reasons"]] == ["classifier_unavailable"]


# --- the server's screener ---


async def test_screener_scores_and_decides() -> None:
    screener = Screener(Pipeline(CountingScorer()), timeout=5)
    try:
        held = await screener.screen("you are an *idiot*")
        fine = await screener.screen("thank you")
    finally:
        await screener.close()
    assert held.decision.action == Action.REVIEW
    assert fine.decision.action == Action.PUBLISH


async def test_screener_holds_when_the_scorer_is_slower_than_the_timeout() -> None:
    screener = Screener(Pipeline(SleepingScorer(0.5)), timeout=0.05)
    try:
        started = time.monotonic()
        assessment = await screener.screen("a calm message")
        elapsed = time.monotonic() - started
    finally:
        await screener.close()
    assert elapsed < 0.4
    assert assessment.scores is None
    assert assessment.decision.action == Action.REVIEW
    assert [r.kind for r in assessment.decision.reasons] == ["classifier_unavailable"]


@pytest.mark.parametrize("error", [ToxicityError("model crashed"), ValueError("bad tensor")])
async def test_screener_holds_when_the_scorer_raises(error: Exception) -> None:
    screener = Screener(Pipeline(FailingScorer(error)), timeout=5)
    try:
        assessment = await screener.screen("a calm message")
    finally:
        await screener.close()
    assert assessment.decision.held
    assert [r.kind for r in assessment.decision.reasons] == ["classifier_unavailable"]


async def test_screener_still_reports_crisis_when_the_scorer_fails() -> None:
    screener = Screener(Pipeline(FailingScorer(ToxicityError("down"))), timeout=5)
    try:
        assessment = await screener.screen("I have the pills ready. Tonight is the night.")
    finally:
        await screener.close()
    assert assessment.crisis.level == "urgent"
    assert assessment.decision.priority == Priority.URGENT_CRISIS
    assert assessment.decision.held


async def test_screener_sanitizes_before_scoring() -> None:
    scorer = CountingScorer()
    screener = Screener(Pipeline(scorer), timeout=5)
    try:
        await screener.screen("# Title\n\n**bold** and [a link](https://example.com)")
    finally:
        await screener.close()
    assert scorer.calls == [["Title bold and a link"]]


async def test_screener_uses_the_policy_it_is_given() -> None:
    screener = Screener(Pipeline(CountingScorer()), timeout=5)
    policy = Policy(hold_crisis_concern=True)
    try:
        assessment = await screener.screen("I want to die", policy)
    finally:
        await screener.close()
    assert assessment.decision.action == Action.REVIEW


def test_screener_waits_for_company_only_when_the_scorer_gains_from_batches() -> None:
    # The embedded linear model costs the same per text alone or in company.
    assert Screener(Pipeline(EmbeddedScorer())).batcher.max_wait == 0.0
    # A scorer that does not say gets the default few milliseconds.
    assert Screener(Pipeline(CountingScorer())).batcher.max_wait == DEFAULT_BATCH_WAIT
    assert Screener(Pipeline(CountingScorer()), max_wait=0.01).batcher.max_wait == 0.01
