"""Tests for the learned attack-at-target model: the shipped weights, training, the decision."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from moderation.attack_model import CUES, AttackModel, AttackScore, attack_model, features
from moderation.attack_train import (
    EXTRA_FILE,
    FORUM_FILE,
    forum_split_of,
    threshold_for,
    train,
    training_rows,
)
from moderation.crisis import CrisisLevel, CrisisResult
from moderation.decision import Action, Policy, Priority, decide
from moderation.insults import Insult
from moderation.targets import Target

NO_CRISIS = CrisisResult(CrisisLevel.NONE, ())

# Our own sentences, none of them in the training files.
ATTACKS = [
    "Nobody here wants to read your whining, Dana, log off for good.",
    "People like you are the reason this group is so miserable.",
    "You are honestly the most useless person I have ever met.",
    "All of you caregivers are whiny martyrs.",
]
BENIGN = [
    "Thank you all so much, this circle got me through the winter.",
    "My sister is visiting this weekend and I can't wait.",
    "Holy shit, I finally got the job, I'm over the moon!",
    "The bus was late again this morning, such a boring commute.",
]


def test_the_shipped_model_loads_once_with_thresholds_in_order() -> None:
    model = attack_model()
    assert attack_model() is model
    assert 0.0 < model.flag <= model.hold < 1.0
    assert model.weights.size == features(["x"], [0.0]).shape[1]
    assert model.version.startswith("attacks-")


def test_the_shipped_model_ranks_our_own_attacks_over_our_own_benign_lines() -> None:
    model = attack_model()
    attacks = model.score(ATTACKS, [0.1] * len(ATTACKS))
    benign = model.score(BENIGN, [0.1] * len(BENIGN))
    assert min(a.probability for a in attacks) > max(b.probability for b in benign)
    assert all(not b.flagged for b in benign)
    assert sum(a.flagged for a in attacks) >= 3


def test_scoring_is_batched_and_the_same_one_by_one() -> None:
    model = attack_model()
    together = model.score(ATTACKS + BENIGN, [0.2] * 8)
    alone = [model.score([t], [0.2])[0] for t in ATTACKS + BENIGN]
    assert [round(a.probability, 9) for a in together] == [round(a.probability, 9) for a in alone]
    assert model.score([], []) == []


def test_cues_name_what_pushed_an_attack_up() -> None:
    (score,) = attack_model().score(["You are a pathetic little worm."], [0.9])
    assert score.cues
    assert all(isinstance(cue, str) for cue in score.cues)


def _write(path: Path, rows: list[tuple[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "kind"])
        writer.writerows((text, label, "own") for text, label in rows)


def _small_set() -> list[tuple[str, str]]:
    attacks = [f"{a} ({i})" for i in range(4) for a in ATTACKS]
    benign = [f"{b} ({i})" for i in range(4) for b in BENIGN]
    return [(t, "attack") for t in attacks] + [(t, "benign") for t in benign]


def test_training_reads_only_the_train_half_of_the_forum_file(tmp_path: Path) -> None:
    rows = _small_set()
    _write(tmp_path / FORUM_FILE, rows)
    found = training_rows(tmp_path)
    assert set(found.texts) == {t for t, _ in rows if forum_split_of(t) == "train"}
    assert found.sources[EXTRA_FILE] == 0


def test_training_refuses_unknown_labels(tmp_path: Path) -> None:
    _write(tmp_path / FORUM_FILE, [])
    _write(tmp_path / EXTRA_FILE, [("You fool", "rude")])
    with pytest.raises(ValueError, match="'attack' or 'benign'"):
        training_rows(tmp_path)


def test_training_is_deterministic_and_round_trips_without_pickle(tmp_path: Path) -> None:
    _write(tmp_path / FORUM_FILE, [])
    _write(tmp_path / EXTRA_FILE, _small_set())
    rows = training_rows(tmp_path)
    scores = [0.5 if label else 0.1 for label in rows.attack]
    first, report = train(rows, scores)
    second, _ = train(rows, scores)
    assert np.array_equal(first.weights, second.weights)
    assert (first.flag, first.hold) == (second.flag, second.hold)
    assert report["rows"] == 32 and report["attacks"] == 16
    first.save(tmp_path / "model.npz")
    loaded = AttackModel.load(tmp_path / "model.npz")
    assert loaded.version == first.version
    np.testing.assert_allclose(loaded.weights, first.weights, atol=1e-6)


def test_threshold_lets_at_most_the_given_share_of_benign_lines_over_it() -> None:
    scores = np.array([0.1, 0.2, 0.3, 0.4, 0.9, 0.95])
    benign = np.array([True, True, True, True, False, False])
    assert threshold_for(scores, benign, 0.25) == pytest.approx(0.3 + 1e-6)
    assert (scores[benign] >= threshold_for(scores, benign, 0.25)).mean() <= 0.25


def attack(probability: float, *, flagged: bool, strong: bool = False) -> AttackScore:
    return AttackScore(probability, ("'you'",), flagged, strong)


def test_a_confident_attack_reaches_a_human_whatever_the_classifier_says() -> None:
    decision = decide(
        NO_CRISIS, {"toxicity": 0.02}, Target.NONE, Policy(), None, attack(0.7, flagged=True)
    )
    assert decision.action == Action.PUBLISH_AND_REVIEW
    assert decision.priority == Priority.FLAGGED
    (reason,) = decision.reasons
    assert reason.rule == "attack.model" and reason.score == 0.7
    assert "'you'" in reason.message


def test_the_model_alone_never_hides_a_post_but_beside_the_rules_it_does() -> None:
    strong = attack(0.99, flagged=True, strong=True)
    alone = decide(NO_CRISIS, {"toxicity": 0.1}, Target.OTHERS, Policy(), None, strong)
    assert alone.action == Action.PUBLISH_AND_REVIEW
    insult = Insult("insult", "you", "you are pathetic")
    both = decide(NO_CRISIS, {"toxicity": 0.1}, Target.OTHERS, Policy(), insult, strong)
    assert both.held
    assert [r.rule for r in both.reasons] == ["insult.you", "attack.model"]


def test_a_threat_found_by_the_rules_is_held_beside_a_weak_attack_reading() -> None:
    threat = Insult("threat", "you", "i will find you")
    weak = attack(0.7, flagged=True)
    decision = decide(NO_CRISIS, {"toxicity": 0.1}, Target.OTHERS, Policy(), threat, weak)
    assert decision.held
    assert [r.rule for r in decision.reasons] == ["threat.you", "attack.model"]


def test_short_lines_are_left_to_the_rules_and_the_classifier() -> None:
    model = attack_model()
    assert model.min_words >= 3
    short = model.score(["Thank you all", "this f***ing week"], [0.1, 0.9])
    assert not any(s.flagged for s in short)


@pytest.mark.parametrize("target", [Target.SELF, Target.NONE])
def test_self_or_no_one_softens_only_when_the_attack_model_is_low(target: Target) -> None:
    low = attack(0.01, flagged=False)
    high = attack(0.8, flagged=True)
    softened = decide(NO_CRISIS, {"toxicity": 0.95}, target, Policy(), None, low)
    assert not softened.held and softened.priority <= Priority.SUPPORT
    kept = decide(NO_CRISIS, {"toxicity": 0.95}, target, Policy(), None, high)
    assert kept.priority >= Priority.FLAGGED


def test_cue_names_cover_every_cue_they_name() -> None:
    from moderation.attack_model import CUE_WORDS

    assert set(CUE_WORDS) <= set(CUES)


@pytest.mark.parametrize(
    "text",
    [
        "You are not alone. Warm milk helps me.",
        "Thank you all so much for the kind words",
        "You did so well to reach out tonight, we're proud of you",
    ],
)
def test_warm_words_to_you_are_not_taken_for_an_attack(text: str) -> None:
    # "You" is in most attacks it learned from; a warm line is left to the rules.
    assert not attack_model().score([text], [0.01])[0].flagged


def test_out_of_reach_text_has_the_classifier_flag_at_its_own_decision_point() -> None:
    unjudged = AttackScore(0.0, (), in_reach=False)
    judged = AttackScore(0.0, ())
    scores = {"toxicity": 0.6}
    alone = decide(NO_CRISIS, scores, Target.UNCLEAR, Policy(), None, unjudged)
    assert alone.action == Action.PUBLISH_AND_REVIEW and alone.priority == Priority.FLAGGED
    weighed = decide(NO_CRISIS, scores, Target.UNCLEAR, Policy(), None, judged)
    assert not weighed.queued
    # A circle that flags lower than the classifier's own point keeps its own threshold.
    strict = Policy.from_dict({"flag": {"toxicity": 0.3}})
    assert strict.flag_for(unjudged)["toxicity"] == 0.3
    assert Policy().flag_for(unjudged)["toxicity"] == 0.5


def test_a_long_text_is_marked_out_of_reach() -> None:
    model = attack_model()
    long_text = " ".join(["word"] * (model.max_words + 5))
    (reading,) = model.score([long_text], [0.9])
    assert not reading.in_reach and not reading.flagged


def test_a_warm_line_is_sent_only_when_the_model_is_sure() -> None:
    model = attack_model()
    line = "I really hope you finally get what you deserve for being here"
    (reading,) = model.score([line], [0.1])
    assert reading.in_reach
    # Warm to VADER ("hope"): the flag threshold is the hold one.
    assert reading.flagged == (reading.probability >= model.hold)
