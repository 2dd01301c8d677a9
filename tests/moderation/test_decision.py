"""Tests for the decision rules: crisis first, scores route to humans, pain is support."""

from __future__ import annotations

import pytest

from moderation.crisis import CrisisLevel, CrisisMatch, CrisisResult
from moderation.decision import (
    PIPELINE_VERSION,
    Action,
    Decision,
    Policy,
    Priority,
    decide,
)
from moderation.insults import Insult
from moderation.pipeline import Assessment, Pipeline
from moderation.targets import Target
from moderation.toxicity import EmbeddedScorer

NO_CRISIS = CrisisResult(CrisisLevel.NONE, ())


def crisis(level: CrisisLevel, rule: str = "suicide.test_rule") -> CrisisResult:
    match = CrisisMatch(rule, "suicide", level, 0, 10, "want to die")
    return CrisisResult(level, (match,))


def kinds(decision: Decision) -> list[str]:
    return [reason.kind for reason in decision.reasons]


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(EmbeddedScorer())


# --- crisis ---


def test_urgent_crisis_is_held_for_urgent_review() -> None:
    decision = decide(crisis(CrisisLevel.URGENT), {"toxicity": 0.01}, Target.SELF, Policy())
    assert decision.action == Action.REVIEW
    assert decision.priority == Priority.URGENT_CRISIS
    assert decision.held and decision.queued
    assert kinds(decision) == ["crisis"]
    assert decision.reasons[0].level == "urgent"
    assert decision.reasons[0].rule == "suicide.test_rule"


def test_crisis_concern_is_published_and_queued_as_crisis() -> None:
    decision = decide(crisis(CrisisLevel.CONCERN), {"toxicity": 0.01}, Target.SELF, Policy())
    assert decision.action == Action.PUBLISH_AND_REVIEW
    assert decision.priority == Priority.CRISIS
    assert not decision.held and decision.queued


def test_crisis_concern_is_held_when_the_circle_chooses_hold() -> None:
    policy = Policy(hold_crisis_concern=True)
    decision = decide(crisis(CrisisLevel.CONCERN), {"toxicity": 0.01}, Target.SELF, policy)
    assert decision.action == Action.REVIEW
    assert decision.priority == Priority.CRISIS


def test_urgent_crisis_outranks_concern_which_outranks_held_toxicity() -> None:
    assert Priority.URGENT_CRISIS > Priority.CRISIS > Priority.HELD > Priority.FLAGGED
    assert Priority.FLAGGED > Priority.REPORT > Priority.SUPPORT > Priority.NONE


@pytest.mark.parametrize("target", list(Target))
def test_crisis_with_high_toxicity_is_not_held_for_toxicity(target: Target) -> None:
    scores = {"toxicity": 0.99, "insult": 0.99}
    decision = decide(crisis(CrisisLevel.CONCERN), scores, target, Policy())
    assert decision.action == Action.PUBLISH_AND_REVIEW
    assert decision.priority == Priority.CRISIS
    assert "toxicity" not in kinds(decision)
    # Moderators still see how high it scored.
    assert decision.top_score == 0.99


def test_matches_about_someone_else_add_no_crisis_reason() -> None:
    other = CrisisMatch("suicide.third_person", "suicide", CrisisLevel.NONE, 0, 5, "she wants")
    result = CrisisResult(CrisisLevel.NONE, (other,))
    decision = decide(result, {"toxicity": 0.01}, Target.OTHERS, Policy())
    assert decision.action == Action.PUBLISH
    assert decision.reasons == ()


def test_each_crisis_rule_is_one_reason_however_often_it_fires() -> None:
    match = CrisisMatch("suicide.want_to_die", "suicide", CrisisLevel.CONCERN, 0, 5, "die")
    result = CrisisResult(CrisisLevel.CONCERN, (match, match))
    decision = decide(result, {"toxicity": 0.0}, Target.SELF, Policy())
    assert kinds(decision) == ["crisis"]


# --- toxicity ---


def test_toxicity_over_hold_aimed_at_others_is_held() -> None:
    decision = decide(NO_CRISIS, {"toxicity": 0.95}, Target.OTHERS, Policy())
    assert decision.action == Action.REVIEW
    assert decision.priority == Priority.HELD
    assert kinds(decision) == ["toxicity"]
    assert decision.reasons[0].label == "toxicity"
    assert decision.reasons[0].score == 0.95
    assert decision.top_score == 0.95


def test_toxicity_between_flag_and_hold_is_published_and_flagged() -> None:
    decision = decide(NO_CRISIS, {"toxicity": 0.87}, Target.OTHERS, Policy())
    assert decision.action == Action.PUBLISH_AND_REVIEW
    assert decision.priority == Priority.FLAGGED
    assert kinds(decision) == ["toxicity"]


def test_toxicity_below_flag_is_published_without_queueing() -> None:
    decision = decide(NO_CRISIS, {"toxicity": 0.84}, Target.OTHERS, Policy())
    assert decision.action == Action.PUBLISH
    assert decision.priority == Priority.NONE
    assert not decision.queued
    assert decision.reasons == ()


def test_circle_thresholds_change_what_is_held() -> None:
    strict = Policy.from_dict({"hold": {"toxicity": 0.5}, "flag": {"toxicity": 0.3}})
    assert decide(NO_CRISIS, {"toxicity": 0.55}, Target.OTHERS, strict).held
    assert not decide(NO_CRISIS, {"toxicity": 0.55}, Target.OTHERS, Policy()).queued


def test_held_reasons_list_every_label_over_hold_highest_first() -> None:
    scores = {"toxicity": 0.92, "insult": 0.97, "threat": 0.1}
    decision = decide(NO_CRISIS, scores, Target.OTHERS, Policy())
    assert decision.held
    assert [(r.label, r.score) for r in decision.reasons] == [("insult", 0.97), ("toxicity", 0.92)]


def test_self_directed_strong_language_is_published_as_low_priority_support() -> None:
    decision = decide(NO_CRISIS, {"toxicity": 1.0}, Target.SELF, Policy())
    assert decision.action == Action.PUBLISH_AND_REVIEW
    assert decision.priority == Priority.SUPPORT
    assert kinds(decision) == ["self_directed"]
    assert "toxicity" not in kinds(decision)


def test_swearing_with_no_target_is_published() -> None:
    decision = decide(NO_CRISIS, {"toxicity": 0.99, "obscene": 0.99}, Target.NONE, Policy())
    assert decision.action == Action.PUBLISH
    assert not decision.queued


@pytest.mark.parametrize("label", ["threat", "identity_attack", "severe_toxicity"])
@pytest.mark.parametrize("target", [Target.NONE, Target.SELF])
def test_serious_labels_are_not_excused_by_a_missing_target(label: str, target: Target) -> None:
    scores = {"toxicity": 0.95, label: 0.9}
    decision = decide(NO_CRISIS, scores, target, Policy())
    assert decision.action == Action.REVIEW
    assert decision.priority == Priority.HELD
    assert label in [r.label for r in decision.reasons]


# --- classifier failure ---


@pytest.mark.parametrize(
    ("level", "priority"),
    [
        (CrisisLevel.NONE, Priority.HELD),
        (CrisisLevel.CONCERN, Priority.CRISIS),
        (CrisisLevel.URGENT, Priority.URGENT_CRISIS),
    ],
)
@pytest.mark.parametrize("target", list(Target))
def test_classifier_failure_holds_for_review_never_publishes(
    level: CrisisLevel, priority: Priority, target: Target
) -> None:
    result = NO_CRISIS if level == CrisisLevel.NONE else crisis(level)
    decision = decide(result, None, target, Policy())
    assert decision.action == Action.REVIEW
    assert decision.priority == priority
    assert "classifier_unavailable" in kinds(decision)


def test_classifier_failure_holds_even_when_concern_would_publish() -> None:
    decision = decide(crisis(CrisisLevel.CONCERN), None, Target.SELF, Policy())
    assert decision.held
    assert kinds(decision) == ["crisis", "classifier_unavailable"]


# --- reasons and policy ---


def test_reasons_carry_kind_label_score_and_pipeline_version() -> None:
    decision = decide(
        NO_CRISIS, {"toxicity": 0.123456789}, Target.OTHERS, Policy(flag={"toxicity": 0.1})
    )
    data = decision.reasons[0].to_dict()
    assert data["kind"] == "toxicity"
    assert data["label"] == "toxicity"
    assert data["score"] == 0.1235
    assert data["pipeline_version"] == PIPELINE_VERSION
    assert data["message"]


def test_crisis_reason_carries_rule_and_level_but_no_score() -> None:
    data = decide(crisis(CrisisLevel.URGENT), {}, Target.SELF, Policy()).reasons[0].to_dict()
    assert data["kind"] == "crisis"
    assert data["rule"] == "suicide.test_rule"
    assert data["level"] == "urgent"
    assert "score" not in data
    assert data["pipeline_version"] == PIPELINE_VERSION


def test_classifier_unavailable_reason_tells_the_author_in_plain_words() -> None:
    data = decide(NO_CRISIS, None, Target.NONE, Policy()).reasons[0].to_dict()
    assert data["kind"] == "classifier_unavailable"
    assert "moderator" in data["message"]
    assert data["pipeline_version"] == PIPELINE_VERSION


def test_policy_from_dict_merges_with_defaults() -> None:
    default = Policy()
    policy = Policy.from_dict({"hold": {"toxicity": 0.8}, "flag": {"threat": 0.2}})
    assert policy.hold["toxicity"] == 0.8
    assert policy.hold["threat"] == default.hold["threat"]
    assert policy.flag["threat"] == 0.2
    assert policy.flag["toxicity"] == default.flag["toxicity"]
    assert policy.hold_crisis_concern is False


@pytest.mark.parametrize("empty", [None, {}])
def test_policy_from_empty_dict_is_the_default(empty: dict[str, object] | None) -> None:
    assert Policy.from_dict(empty) == Policy()


def test_policy_round_trips_through_dict() -> None:
    policy = Policy(hold={"toxicity": 0.7}, flag={"toxicity": 0.4}, hold_crisis_concern=True)
    again = Policy.from_dict(policy.to_dict())
    assert again.hold["toxicity"] == 0.7
    assert again.flag["toxicity"] == 0.4
    assert again.hold_crisis_concern is True


# --- the real pipeline on the sentences the issue names ---


def assess(pipeline: Pipeline, text: str) -> Assessment:
    return pipeline.assess_batch([text])[0]


def test_real_pipeline_treats_self_directed_failure_as_low_priority_support(
    pipeline: Pipeline,
) -> None:
    assessment = assess(pipeline, "I hate myself, I'm such a f***ing failure")
    assert assessment.target == Target.SELF
    assert assessment.decision.action == Action.PUBLISH_AND_REVIEW
    assert "toxicity" not in kinds(assessment.decision)
    # The issue: "visible, and queued at low priority for a supportive look".
    assert assessment.decision.priority == Priority.SUPPORT


def test_real_pipeline_publishes_swearing_at_the_week(pipeline: Pipeline) -> None:
    assessment = assess(pipeline, "this f***ing week")
    assert assessment.target == Target.NONE
    assert assessment.decision.action == Action.PUBLISH
    assert not assessment.decision.queued


def test_real_pipeline_holds_an_insult_aimed_at_someone(pipeline: Pipeline) -> None:
    assessment = assess(pipeline, "you are a fucking idiot")
    assert assessment.decision.action == Action.REVIEW
    assert assessment.decision.priority == Priority.HELD


def distress() -> CrisisResult:
    match = CrisisMatch("distress.alone", "distress", CrisisLevel.CONCERN, 0, 10, "so alone")
    return CrisisResult(CrisisLevel.CONCERN, (match,))


def test_despair_alone_is_published_and_queued_below_ideation() -> None:
    despair = decide(distress(), {"toxicity": 0.1}, Target.SELF, Policy())
    ideation = decide(crisis(CrisisLevel.CONCERN), {"toxicity": 0.1}, Target.SELF, Policy())
    assert despair.action == Action.PUBLISH_AND_REVIEW
    assert despair.priority == Priority.DISTRESS
    assert Priority.HELD < despair.priority < ideation.priority == Priority.CRISIS
    assert despair.reasons[0].message == "This sounds really hard. A moderator will check in."


def test_despair_beside_ideation_is_queued_as_crisis() -> None:
    both = CrisisResult(
        CrisisLevel.CONCERN, distress().matches + crisis(CrisisLevel.CONCERN).matches
    )
    assert decide(both, {"toxicity": 0.1}, Target.SELF, Policy()).priority == Priority.CRISIS


# --- attacks aimed at someone (insults.py) ---


def insult(kind: str = "insult", target: str = "person", word: str = "Priya moronic") -> Insult:
    return Insult(kind, target, word)


def test_an_insult_reaches_a_human_however_low_the_score() -> None:
    decision = decide(NO_CRISIS, {"toxicity": 0.05}, Target.OTHERS, Policy(), insult())
    assert decision.action == Action.PUBLISH_AND_REVIEW
    assert decision.priority == Priority.FLAGGED
    [reason] = decision.reasons
    assert reason.kind == "toxicity"
    assert reason.rule == "insult.person"
    assert reason.word == "Priya moronic"
    assert "insult aimed at a person by name" in reason.message


def test_an_insult_over_the_hold_threshold_is_held_with_one_reason_that_says_both() -> None:
    decision = decide(NO_CRISIS, {"toxicity": 0.97}, Target.OTHERS, Policy(), insult())
    assert decision.held
    assert decision.priority == Priority.HELD
    [reason] = decision.reasons
    assert (reason.kind, reason.rule, reason.label, reason.score) == (
        "toxicity",
        "insult.person",
        "toxicity",
        0.97,
    )
    assert "before others can see it" in reason.message


@pytest.mark.parametrize("kind", ["threat", "harm"])
def test_threats_and_wishes_of_harm_are_held_whatever_the_score(kind: str) -> None:
    decision = decide(NO_CRISIS, {"toxicity": 0.01}, Target.OTHERS, Policy(), insult(kind, "you"))
    assert decision.held
    assert decision.reasons[0].rule == f"{kind}.you"
    assert "before others can see it" in decision.reasons[0].message


def test_a_wish_of_harm_that_the_crisis_rules_also_match_is_held_at_crisis_priority() -> None:
    # "go kill yourself" matches crisis words, but it is aimed at someone else.
    harm = insult("harm", "you", "kill yourself")
    decision = decide(crisis(CrisisLevel.CONCERN), {"toxicity": 0.9}, Target.OTHERS, Policy(), harm)
    assert decision.held
    assert decision.priority == Priority.CRISIS
    assert kinds(decision) == ["crisis", "toxicity"]
    assert decision.reasons[1].rule == "harm.you"


def test_a_plain_insult_never_holds_someone_reaching_out() -> None:
    decision = decide(
        crisis(CrisisLevel.CONCERN), {"toxicity": 0.9}, Target.OTHERS, Policy(), insult()
    )
    assert decision.action == Action.PUBLISH_AND_REVIEW
    assert decision.priority == Priority.CRISIS


def test_a_high_score_with_no_clear_target_goes_to_a_human_but_stays_up() -> None:
    decision = decide(NO_CRISIS, {"toxicity": 0.95}, Target.UNCLEAR, Policy())
    assert decision.action == Action.PUBLISH_AND_REVIEW
    assert decision.priority == Priority.FLAGGED
    assert kinds(decision) == ["toxicity"]
    assert "a moderator will take a look" in decision.reasons[0].message


@pytest.mark.parametrize("label", ["threat", "identity_attack", "severe_toxicity"])
def test_serious_labels_are_held_even_with_no_clear_target(label: str) -> None:
    decision = decide(NO_CRISIS, {"toxicity": 0.5, label: 0.9}, Target.UNCLEAR, Policy())
    assert decision.held


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Priya is a moronic lesbian", "insult.person"),
        ("Go cry somewhere else, nobody here wants your drama", "dismissal.you"),
        ("Typical greedy Jew", "group.identity"),
        ("you should just die", "harm.you"),
    ],
)
def test_real_pipeline_sends_attacks_without_swear_words_to_a_human(
    pipeline: Pipeline, text: str, rule: str
) -> None:
    decision = assess(pipeline, text).decision
    assert decision.queued
    assert rule in [r.rule for r in decision.reasons]


def test_real_pipeline_publishes_friendly_swearing_unqueued(pipeline: Pipeline) -> None:
    assessment = assess(pipeline, "holy shit that's amazing news")
    assert assessment.scores is not None and assessment.scores["toxicity"] >= 0.9
    assert assessment.target == Target.NONE
    assert not assessment.decision.queued


def test_real_pipeline_never_holds_self_hatred_and_sends_it_to_care(pipeline: Pipeline) -> None:
    decision = assess(pipeline, "I hate myself, I'm such a fucking failure at everything").decision
    assert decision.action == Action.PUBLISH_AND_REVIEW
    assert decision.priority in (Priority.SUPPORT, Priority.DISTRESS, Priority.CRISIS)
    assert "toxicity" not in kinds(decision)


def test_real_pipeline_reads_recounted_abuse_as_aimed_at_the_author(pipeline: Pipeline) -> None:
    assessment = assess(pipeline, "My dad used to call me a worthless idiot.")
    assert assessment.target == Target.SELF
    assert not assessment.decision.held
    assert "toxicity" not in kinds(assessment.decision)
