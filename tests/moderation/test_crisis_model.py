"""The learned crisis model: the shipped artifact, the issue's examples, explanations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from moderation.crisis import CrisisDetector, CrisisLevel, _default_path, _with_model, detect
from moderation.crisis_model import MODEL_FILES, SIGNS, CrisisModel, ModelScore
from moderation.decision import Policy, decide
from moderation.targets import Target

DATA = Path(__file__).resolve().parents[2] / "moderation" / "data"


@pytest.mark.parametrize(
    "text",
    [
        "I've said my goodbyes and given my guitar to my brother",
        "I wrote letters to my family for after I'm gone",
        "soon I won't be a burden to anyone",
        "I won't be around much longer",
    ],
)
def test_warning_signs_are_crisis(text: str) -> None:
    assert detect(text).level is not CrisisLevel.NONE


@pytest.mark.parametrize(
    "text",
    [
        "Goodbye everyone, off on holiday for two weeks!",
        "I could disappear into a good book",
        "I have never had suicidal thoughts",
        "wanted to die but I passed haha",
        "I'm gonna live forever, I'm gonna learn how to fly (high), fame!",
    ],
)
def test_ordinary_posts_are_not_crisis(text: str) -> None:
    assert detect(text).level is CrisisLevel.NONE


def test_flag_names_its_warning_signs_and_score() -> None:
    result = detect("I've said my goodbyes and given my guitar to my brother")
    assert {"goodbye", "giving_away"} <= set(result.signs)
    assert result.score is not None
    assert result.raised_by in ("rules", "model", "both")
    assert "saying goodbye" in result.sign_words()
    data = result.to_dict()
    assert data["signs"] == list(result.signs)
    assert "score" in data


def test_decision_reasons_carry_signs_and_model_score() -> None:
    result = detect("soon I won't be a burden to anyone")
    decision = decide(result, {"toxicity": 0.01}, Target.SELF, Policy())
    crisis = [r for r in decision.reasons if r.kind == "crisis"]
    assert crisis[0].rule == "suicide.burden"
    assert "burden" in (crisis[0].label or "").split(",")
    assert crisis[0].score == pytest.approx(result.score)
    # One reason per rule: the author does not read the same words twice for the model.
    assert len(crisis) == len({m.rule for m in result.matches})


def test_holiday_farewell_gives_no_crisis_reasons() -> None:
    result = detect("Goodbye everyone, off on holiday for two weeks!")
    decision = decide(result, {"toxicity": 0.01}, Target.NONE, Policy())
    assert not [r for r in decision.reasons if r.kind == "crisis"]


@pytest.mark.parametrize(
    "text", ["I'd rather just die than face another day", "why was I even born"]
)
def test_model_never_silences_a_rule_that_fired(text: str) -> None:
    detector = CrisisDetector.default()
    assert detector.model is not None
    rules, folded, _ = detector.analyse(text)
    assert rules.level is CrisisLevel.CONCERN
    # Whatever this model scores them, a model sure there is no crisis must not silence
    # the rule: its finding still reaches a human.
    doubt = ModelScore(crisis=0.01, urgent=0.0, short=True, sign=None, sign_score=0.0)
    result = _with_model(rules, doubt, detector.model, len(folded.split()))
    assert result.level is CrisisLevel.CONCERN
    assert result.raised_by == "rules"
    assert result.score == pytest.approx(0.01)


def test_batch_matches_one_at_a_time() -> None:
    detector = CrisisDetector.default()
    texts = ["I want to die tonight", "lovely walk today", "", "I feel like a burden"]
    batch = detector.detect_batch(texts)
    for text, result in zip(texts, batch, strict=True):
        alone = detector.detect(text)
        assert (result.level, result.matches, result.signs) == (
            alone.level,
            alone.matches,
            alone.signs,
        )
        # Matrix products may round differently in a batch of four and of one.
        assert result.score == pytest.approx(alone.score, abs=1e-5)


def test_rules_alone_without_a_model() -> None:
    detector = CrisisDetector.from_file(_default_path())
    result = detector.detect("I want to kill myself")
    assert result.level is CrisisLevel.CONCERN
    assert result.score is None
    assert result.raised_by == "rules"


def test_artifact_is_small_and_safe() -> None:
    total = sum((DATA / name).stat().st_size for name in MODEL_FILES)
    assert total < 20_000_000
    model = CrisisModel.load(DATA)
    assert set(model.signs) == set(SIGNS)
    assert 0 < model.thresholds.rule <= model.thresholds.concern < 1


def test_model_loads_without_torch_or_downloads() -> None:
    script = (
        "import sys\n"
        "from moderation.crisis_model import CrisisModel\n"
        "model = CrisisModel.load()\n"
        "model.score(['warm'], [__import__('moderation.crisis_features').crisis_features"
        ".RuleFindings(0, frozenset(), False, False)])\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "assert 'requests' not in sys.modules, 'a downloader was imported'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    # How fast it loads is measured in bench/pipeline.py, not here.
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("text", ["More.", "Some of it.", "Me too.", "same here"])
def test_model_alone_never_flags_a_few_words(text: str) -> None:
    # Shorter than anything the model learned from: its score is noise, the rules decide.
    assert detect(text).level is CrisisLevel.NONE
