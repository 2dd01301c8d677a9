"""Spelling tricks don't get abuse past the model: it also reads the de-obfuscated text."""

from __future__ import annotations

import pytest

from moderation.decision import Action
from moderation.pipeline import Pipeline, readings_of
from moderation.toxicity import EmbeddedScorer


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(EmbeddedScorer())


@pytest.mark.parametrize("text", ["f u c k you", "you are a 1d10t", "\uff46\uff55\uff43\uff4b you"])
def test_obfuscated_abuse_is_held(pipeline: Pipeline, text: str) -> None:
    (assessment,) = pipeline.assess_batch([text])
    assert assessment.decision.action == Action.REVIEW
    assert assessment.scores is not None and assessment.scores["toxicity"] > 0.9


def test_plain_text_is_scored_once() -> None:
    assert readings_of("I don't know what to do, it's been a long week") == [
        "I don't know what to do, it's been a long week"
    ]


def test_obfuscated_text_is_scored_as_written_and_as_read() -> None:
    assert readings_of("f u c k you") == ["f u c k you", "fuck you"]
