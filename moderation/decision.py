"""The decision: publish, hold for review, or publish and queue; with reasons a person can read.

Scores route content to humans; they never punish on their own. Crisis comes first:
someone in pain is answered, not silenced, and pain aimed at oneself is not abuse.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum
from typing import Any

from moderation import wording
from moderation.attack_model import AttackScore
from moderation.content_warnings import WARNINGS
from moderation.crisis import CrisisLevel, CrisisResult
from moderation.insults import Insult
from moderation.targets import Target
from moderation.watched import Hit, Watched, WatchedWord, WatchList
from moderation.wording import Words, worded

PIPELINE_VERSION = "1"


# The embedded classifier's own decision point (profanity_check.predict is predict_prob
# over 0.5): where the attack model does not judge a text, the score stands alone.
CLASSIFIER_ALONE = 0.5

# Labels that plain swearing or self-criticism also set off.
STRONG_LANGUAGE_LABELS = frozenset({"toxicity", "obscene", "insult"})


class Action(StrEnum):
    PUBLISH = "publish"
    PUBLISH_AND_REVIEW = "publish_and_review"
    REVIEW = "review"  # held: only the author sees it until a moderator approves


class Priority(IntEnum):
    """Queue order: higher first, then by score and age."""

    NONE = 0
    SUPPORT = 10  # self-directed pain: a supportive look, not a sanction
    REPORT = 30
    FLAGGED = 40
    HELD = 50
    DISTRESS = 60  # despair or isolation without words of self-harm or suicide
    CRISIS = 80
    URGENT_CRISIS = 100


@dataclass(frozen=True)
class Policy:
    """A circle's moderation settings (owners tune them)."""

    hold: dict[str, float] = field(
        default_factory=lambda: {
            "toxicity": 0.9,
            "severe_toxicity": 0.5,
            "threat": 0.6,
            "identity_attack": 0.6,
            "insult": 0.9,
        }
    )
    # The embedded classifier's toxicity flag: 0.85, chosen by cross-validation of the whole
    # decision on the forum training rows (attack_train.classifier_flag_sweep): from 0.6 to
    # 0.85 it sent 0.18 -> 0.14 of benign lines to a human and lost no attack, since the
    # attack model weighs the score with who is addressed.
    flag: dict[str, float] = field(
        default_factory=lambda: {
            "toxicity": 0.85,
            "severe_toxicity": 0.3,
            "threat": 0.4,
            "identity_attack": 0.4,
            "insult": 0.6,
        }
    )
    hold_crisis_concern: bool = False
    watched: WatchList = field(default_factory=WatchList)

    def flag_for(self, attack: AttackScore | None) -> dict[str, float]:
        """The flag thresholds for a text the attack model did or did not judge.

        The toxicity flag above was chosen where the attack model weighs the classifier's
        score with who is addressed. A text out of the model's reach (too short or too long
        for what it learned from) has only the classifier to speak for it: there its own
        decision point applies, 0.5 (alt-profanity-check's predict()), unless the circle
        flags lower.
        """
        if attack is None or attack.in_reach:
            return self.flag
        limit = min(self.flag.get("toxicity", CLASSIFIER_ALONE), CLASSIFIER_ALONE)
        return {**self.flag, "toxicity": limit}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Policy:
        if not data:
            return cls()
        default = cls()
        return cls(
            hold={**default.hold, **data.get("hold", {})},
            flag={**default.flag, **data.get("flag", {})},
            hold_crisis_concern=bool(data.get("hold_crisis_concern", False)),
            watched=WatchList.of(WatchedWord.from_dict(w) for w in data.get("watched", [])),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "hold": dict(self.hold),
            "flag": dict(self.flag),
            "hold_crisis_concern": self.hold_crisis_concern,
            "watched": [word.to_dict() for word in self.watched.words],
        }


@dataclass(frozen=True)
class Reason:
    # crisis | toxicity | self_directed | classifier_unavailable | report | watched_word
    # | watched_replaced | content_warning (an attack found by insults.py is "toxicity",
    # its rule saying which attack and at whom: "insult.person", "threat.you")
    kind: str
    message: str  # plain words in English, shown to the author and moderators
    rule: str | None = None
    label: str | None = None
    score: float | None = None
    level: str | None = None
    word: str | None = None  # the circle's watched words that applied
    pipeline_version: str = PIPELINE_VERSION
    # What the message was worded from, so each reader's page words it in their language.
    template: str | None = None
    words: Words | None = None
    values: dict[str, str] | None = None

    @classmethod
    def worded(
        cls,
        kind: str,
        template: str,
        words: Words | None = None,
        values: dict[str, str] | None = None,
        **details: Any,
    ) -> Reason:
        message = worded(template, words, values)
        return cls(kind, message, template=template, words=words, values=values, **details)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "message": self.message,
            "pipeline_version": self.pipeline_version,
        }
        for key in ("rule", "label", "score", "level", "word", "template", "values"):
            if (value := getattr(self, key)) is not None:
                data[key] = round(value, 4) if isinstance(value, float) else value
        if self.words is not None:
            data["words"] = {
                key: word if isinstance(word, str) else list(word)
                for key, word in self.words.items()
            }
        return data


@dataclass(frozen=True)
class Decision:
    action: Action
    priority: Priority
    reasons: tuple[Reason, ...]
    top_score: float = 0.0

    @property
    def queued(self) -> bool:
        return self.action != Action.PUBLISH or self.priority > Priority.NONE

    @property
    def held(self) -> bool:
        return self.action == Action.REVIEW


def _crisis_reasons(crisis: CrisisResult) -> list[Reason]:
    """One reason per rule that fired, or one for the model when it flagged alone; the
    first carries the warning signs (``label``) and the model's score, for moderators."""
    if crisis.level == CrisisLevel.NONE:
        return []  # rules the model was confident were a false alarm explain nothing
    seen: set[str] = set()
    reasons = []
    for match in crisis.matches:
        if match.level == CrisisLevel.NONE or match.rule in seen:
            continue
        seen.add(match.rule)
        message = _crisis_message(match.category)
        reasons.append(Reason.worded("crisis", message, rule=match.rule, level=match.level.value))
    if not reasons:
        reasons.append(Reason.worded("crisis", _crisis_message("suicide"), rule="model"))
    reasons[0] = replace(
        reasons[0],
        level=crisis.level.value,
        score=crisis.score,
        label=",".join(crisis.signs) or None,
    )
    return reasons


def _crisis_message(category: str) -> str:
    return wording.DISTRESS if category == "distress" else wording.IN_DANGER


def _concern_priority(crisis: CrisisResult) -> Priority:
    """Ideation and self-harm come before despair alone, so the crisis queue stays urgent."""
    categories = {m.category for m in crisis.matches if m.level != CrisisLevel.NONE}
    return Priority.DISTRESS if categories == {"distress"} else Priority.CRISIS


def _over(scores: dict[str, float], thresholds: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(
        (
            (label, scores[label])
            for label, limit in thresholds.items()
            if label in scores and scores[label] >= limit
        ),
        key=lambda pair: -pair[1],
    )


def decide(
    crisis: CrisisResult,
    scores: dict[str, float] | None,
    target: Target,
    policy: Policy,
    insult: Insult | None = None,
    attack: AttackScore | None = None,
) -> Decision:
    """Combine the signals; `scores` is None when the classifier failed or timed out.

    `insult` is hostility found aimed at someone (insults.py) and `attack` the learned
    attack model's reading (attack_model.py): either reaches a human whatever the
    classifier scored, because the classifier misses attacks made without swear words.
    """
    reasons = _crisis_reasons(crisis)
    if scores is None:
        reasons.append(Reason.worded("classifier_unavailable", wording.UNCHECKED))
        priority = (
            Priority.URGENT_CRISIS
            if crisis.level == CrisisLevel.URGENT
            else (
                _concern_priority(crisis) if crisis.level == CrisisLevel.CONCERN else Priority.HELD
            )
        )
        return Decision(Action.REVIEW, priority, tuple(reasons))

    if not all(math.isfinite(value) for value in scores.values()):
        return decide(crisis, None, target, policy)  # a broken score is a failed check
    held, flagged = _over(scores, policy.hold), _over(scores, policy.flag_for(attack))
    # A label may be held without being flagged (a hold threshold under the flag one).
    flagged = sorted({*flagged, *held}, key=lambda pair: -pair[1])
    top = max(scores.values(), default=0.0)
    if crisis.level == CrisisLevel.URGENT:
        return Decision(Action.REVIEW, Priority.URGENT_CRISIS, tuple(reasons), top)
    if crisis.level == CrisisLevel.CONCERN and insult is not None and insult.severe:
        # "Go kill yourself" is a wish of harm on someone else, not its author's crisis:
        # held like any threat, queued at the crisis priority the words earned.
        reasons.append(_targeted_reason(insult, hold=True))
        priority = max(_concern_priority(crisis), Priority.HELD)
        return Decision(Action.REVIEW, priority, tuple(reasons), top)
    if crisis.level == CrisisLevel.CONCERN:
        action = Action.REVIEW if policy.hold_crisis_concern else Action.PUBLISH_AND_REVIEW
        # Toxicity never holds a post that is reaching out for help, and its author is not
        # told their pain "may be hurtful"; moderators still see the scores on the item.
        return Decision(action, _concern_priority(crisis), tuple(reasons), top)
    return _by_toxicity(target, insult, attack, held, flagged, reasons, top)


def _by_toxicity(
    target: Target,
    insult: Insult | None,
    attack: AttackScore | None,
    held: list[tuple[str, float]],
    flagged: list[tuple[str, float]],
    reasons: list[Reason],
    top: float,
) -> Decision:
    """No crisis: an attack found, the scores, and whom the words are aimed at decide."""
    if attack is not None and attack.flagged:
        return _attacked(attack, insult, held, reasons, top)
    if insult is not None:
        return _targeted(insult, flagged, held, reasons, top)
    if not flagged:
        return Decision(Action.PUBLISH, Priority.NONE, tuple(reasons), top)
    # Threats and identity attacks are not explained away by having no obvious target.
    only_strong_language = all(label in STRONG_LANGUAGE_LABELS for label, _ in flagged)
    if target == Target.SELF and only_strong_language:
        label, score = flagged[0]
        reasons.append(
            Reason.worded("self_directed", wording.SELF_DIRECTED, label=label, score=score)
        )
        return Decision(Action.PUBLISH_AND_REVIEW, Priority.SUPPORT, tuple(reasons), top)
    if target == Target.NONE and only_strong_language:
        # Swearing at the day or in joy, judging no one: publish and don't queue. UNCLEAR and
        # OTHERS are never softened: when it can't tell who is meant, a human reads it.
        return Decision(Action.PUBLISH, Priority.NONE, tuple(reasons), top)
    # Hiding someone's words takes knowing whom they hurt: strong words with no one clearly
    # meant are read by a moderator while they stay up. Threats and identity attacks, and
    # anything aimed at someone, are held as the circle's thresholds say.
    if held and not (target == Target.UNCLEAR and only_strong_language):
        reasons += [_toxicity_reason(label, score, flagged=False) for label, score in held]
        return Decision(Action.REVIEW, Priority.HELD, tuple(reasons), top)
    reasons += [_toxicity_reason(label, score, flagged=True) for label, score in flagged]
    return Decision(Action.PUBLISH_AND_REVIEW, Priority.FLAGGED, tuple(reasons), top)


def _targeted_reason(
    insult: Insult, *, hold: bool, scored: tuple[str, float] | None = None
) -> Reason:
    """One reason for an attack: what it reads as and at whom, and the score if it counted.

    Its kind stays "toxicity" (what moderators sort and filter by); `rule` says which
    attack and at whom ("insult.person"), `word` the words that fired.
    """
    words = {
        "what": wording.ATTACK_WORDS.get(insult.kind, wording.AN_ATTACK),
        "who": wording.TARGET_WORDS.get(insult.target, wording.TARGET_WORDS["someone"]),
    }
    template = wording.HELD_AS if hold else wording.FLAGGED_AS
    label, score = scored if scored else (None, None)
    rule = f"{insult.kind}.{insult.target}"
    return Reason.worded(
        "toxicity", template, words, rule=rule, label=label, score=score, word=insult.word
    )


def _targeted(
    insult: Insult,
    flagged: list[tuple[str, float]],
    held: list[tuple[str, float]],
    reasons: list[Reason],
    top: float,
) -> Decision:
    """An attack on someone: held when it threatens or the score is over hold, else queued."""
    hold = insult.severe or bool(held)
    scored = held[0] if held else flagged[0] if flagged else None
    reasons.append(_targeted_reason(insult, hold=hold, scored=scored))
    # Further labels over hold each add their own line ("may read as a threat").
    reasons += [_toxicity_reason(label, score, flagged=False) for label, score in held[1:]]
    if hold:
        return Decision(Action.REVIEW, Priority.HELD, tuple(reasons), top)
    return Decision(Action.PUBLISH_AND_REVIEW, Priority.FLAGGED, tuple(reasons), top)


def _attacked(
    attack: AttackScore,
    insult: Insult | None,
    held: list[tuple[str, float]],
    reasons: list[Reason],
    top: float,
) -> Decision:
    """The attack model reads the text as aimed at someone: a moderator reads it; first
    when the rules found a threat, the classifier is over hold, or the model is sure and
    the rules found an attack too. The model alone never hides a post: trained on a
    thousand lines, it can be sure of a kind one ("Congratulations on your new job!")."""
    hold = bool(held) or (insult is not None and (insult.severe or attack.strong))
    if insult is not None:
        reasons.append(_targeted_reason(insult, hold=hold, scored=held[0] if held else None))
    for label, score in held if insult is None else held[1:]:
        reasons.append(_toxicity_reason(label, score, flagged=False))
    if attack.cues:
        template = wording.HELD_ATTACK_CUES if hold else wording.FLAGGED_ATTACK_CUES
    else:
        template = wording.HELD_ATTACK if hold else wording.FLAGGED_ATTACK
    words = {"cues": attack.cues} if attack.cues else None
    reasons.append(
        Reason.worded(
            "toxicity",
            template,
            words,
            rule="attack.model",
            label="attack",
            score=attack.probability,
        )
    )
    if hold:
        return Decision(Action.REVIEW, Priority.HELD, tuple(reasons), top)
    return Decision(Action.PUBLISH_AND_REVIEW, Priority.FLAGGED, tuple(reasons), top)


def _toxicity_reason(label: str, score: float, *, flagged: bool) -> Reason:
    template = wording.FLAGGED_LABEL if flagged else wording.HELD_LABEL
    words = {"words": wording.LABEL_WORDS.get(label, wording.SCORED_HIGH)}
    values = None if label in wording.LABEL_WORDS else {"label": label.replace("_", " ")}
    return Reason.worded("toxicity", template, words, values, label=label, score=score)


def _phrases(hits: Sequence[Hit]) -> str:
    return ", ".join(dict.fromkeys(hit.word.phrase for hit in hits))


def apply_watched(decision: Decision, watched: Watched, crisis: CrisisResult) -> Decision:
    """Add what the circle's watched words ask for: hold, say what was replaced or warned.

    A word the circle blocks is held instead when the words suggest the author may be in
    danger: someone reaching out is never turned away.
    """
    held = list(watched.held)
    if watched.blocked is not None and crisis.level != CrisisLevel.NONE:
        held.append(watched.blocked)
    action, priority = decision.action, decision.priority
    reasons = list(decision.reasons)
    if held:
        action, priority = Action.REVIEW, max(priority, Priority.HELD)
        reasons.append(Reason.worded("watched_word", wording.WATCHED, word=_phrases(held)))
    if watched.replaced:
        reasons.append(
            Reason.worded("watched_replaced", wording.REPLACED, word=_phrases(watched.replaced))
        )
    if watched.warnings:
        warned = [hit for hit in watched.hits if hit.word.action == "warn"]
        reasons.append(
            Reason.worded(
                "content_warning",
                wording.WARNED,
                {"warnings": tuple(WARNINGS.get(key, key) for key in watched.warnings)},
                word=_phrases(warned),
            )
        )
    return Decision(action, priority, tuple(reasons), decision.top_score)
