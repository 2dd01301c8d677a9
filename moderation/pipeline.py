"""The moderation pipeline: sanitize -> crisis -> toxicity -> decision. Pure Python."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from moderation.attack_model import AttackModel, AttackScore, attack_model
from moderation.batching import MicroBatcher
from moderation.crisis import CrisisDetector, CrisisLevel, CrisisResult
from moderation.decision import PIPELINE_VERSION, Decision, Policy, apply_watched, decide
from moderation.insults import find_insult
from moderation.normalize import fold
from moderation.sanitize import SANITIZER_VERSION, plain_text
from moderation.targets import Target, find_target
from moderation.toxicity import ToxicityError, ToxicityScorer
from moderation.watched import Hit, Watched

log = logging.getLogger("circles.moderation")
NOT_WATCHED = Watched("")


@dataclass(frozen=True)
class Assessment:
    crisis: CrisisResult
    scores: dict[str, float] | None
    target: Target
    decision: Decision
    version: str
    # What the circle's watched words made of the text; `watched.source` is what to store.
    watched: Watched = NOT_WATCHED
    attack: AttackScore | None = None  # the attack model's reading, when it ran

    @property
    def refusal(self) -> Hit | None:
        """A use of a word the circle blocks: nothing is stored and the author is told why.

        Never for words that suggest the author may be in danger: those are held instead.
        """
        return self.watched.blocked if self.crisis.level == CrisisLevel.NONE else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "crisis": self.crisis.to_dict(),
            "toxicity": {k: round(v, 4) for k, v in (self.scores or {}).items()},
            "decision": self.decision.action.value,
            "priority": int(self.decision.priority),
            "reasons": [r.to_dict() for r in self.decision.reasons],
            "pipeline_version": self.version,
            **(
                {"attack": {"score": round(self.attack.probability, 4), "cues": self.attack.cues}}
                if self.attack
                else {}
            ),
        }


_WORDS = re.compile(r"[a-z0-9]+")
# How long the micro-batcher waits for more texts when a scorer does not say.
DEFAULT_BATCH_WAIT = 0.003


def readings_of(text: str) -> list[str]:
    """The text as written, and its de-obfuscated form when that differs in its words.

    The model scores words: "f u c k you" or "1d10t" slip past it unless it also reads
    what the crisis detector reads ("fuck you", "idiot").
    """
    folded = fold(text)
    written = _WORDS.findall(text.casefold().replace("'", "").replace("\u2019", ""))
    return [text, folded] if _WORDS.findall(folded) != written else [text]


def highest(readings: Sequence[dict[str, float]]) -> dict[str, float]:
    scores = dict(readings[0])
    for other in readings[1:]:
        for label, value in other.items():
            scores[label] = max(scores.get(label, 0.0), value)
    return scores


class Pipeline:
    """Assesses text; the toxicity model is shared, crisis rules are cheap and run inline."""

    def __init__(
        self,
        scorer: ToxicityScorer,
        detector: CrisisDetector | None = None,
        attacks: AttackModel | None = None,
    ) -> None:
        self.scorer = scorer
        self.detector = detector or CrisisDetector.default()
        self.attacks = attacks or attack_model()
        self.version = (
            f"pipeline {PIPELINE_VERSION}; crisis {self.detector.version}; "
            f"sanitizer {SANITIZER_VERSION}; {scorer.name}; {self.attacks.version}"
        )

    def attack_scores(
        self, texts: Sequence[str], scores: Sequence[dict[str, float] | None]
    ) -> list[AttackScore | None]:
        """The attack model on the texts whose classifier score is known (one batch)."""
        known = [i for i, found in enumerate(scores) if found is not None]
        found = self.attacks.score(
            [texts[i] for i in known], [(scores[i] or {}).get("toxicity", 0.0) for i in known]
        )
        result: list[AttackScore | None] = [None] * len(texts)
        for i, score in zip(known, found, strict=True):
            result[i] = score
        return result

    def combine(
        self,
        text: str,
        crisis: CrisisResult,
        scores: dict[str, float] | None,
        policy: Policy,
        watched: Watched | None = None,
        attack: AttackScore | None = None,
    ) -> Assessment:
        insult = find_insult(text)
        target = find_target(text, insult)
        decision = decide(crisis, scores, target, policy, insult, attack)
        if watched is None:
            return Assessment(crisis, scores, target, decision, self.version, attack=attack)
        decision = apply_watched(decision, watched, crisis)
        return Assessment(crisis, scores, target, decision, self.version, watched, attack)

    def assess_batch(
        self, sources: Sequence[str], policy: Policy | None = None
    ) -> list[Assessment]:
        """Assess Markdown sources; one model call for the whole batch."""
        policy = policy or Policy()
        texts = [plain_text(source) for source in sources]
        watched = [
            policy.watched.review(source, text) for source, text in zip(sources, texts, strict=True)
        ]
        # The classifier reads what will be shown: the text after the circle's replacements.
        shown = [
            seen.visible if seen.changed else text
            for seen, text in zip(watched, texts, strict=True)
        ]
        readings = [readings_of(text) for text in shown]
        flat = [reading for group in readings for reading in group]
        batch: list[dict[str, float] | None]
        try:
            scored = iter(self.scorer.score(flat))
            batch = [highest([next(scored) for _ in group]) for group in readings]
        except ToxicityError as exc:
            log.error("toxicity scoring failed; holding %d items for review: %s", len(texts), exc)
            batch = [None] * len(texts)
        crises = self.detector.detect_batch(texts)  # one call of the crisis model
        attacks = self.attack_scores(shown, batch)
        return [
            self.combine(visible, crisis, scores, policy, seen, attack)
            for crisis, visible, scores, seen, attack in zip(
                crises, shown, batch, watched, attacks, strict=True
            )
        ]


class Screener:
    """The server's way in: crisis inline, toxicity through the micro-batcher, with a timeout.

    A classifier that fails or is too slow never lets content through unchecked: the
    decision holds it for review instead.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        timeout: float = 2.0,
        max_batch: int = 64,
        max_wait: float | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.timeout = timeout
        if max_wait is None:
            # How long to wait for company is the scorer's to say (see its `batch_wait`).
            max_wait = float(getattr(pipeline.scorer, "batch_wait", DEFAULT_BATCH_WAIT))
        self.batcher = MicroBatcher(pipeline.scorer.score, max_batch, max_wait)

    @property
    def model_name(self) -> str:
        return self.pipeline.scorer.name

    async def screen(self, source: str, policy: Policy | None = None) -> Assessment:
        policy = policy or Policy()
        text = plain_text(source)
        watched = policy.watched.review(source, text)
        # Crisis reads what the author wrote; replacements never hide someone in danger.
        crisis = self.pipeline.detector.detect(text)
        shown = watched.visible if watched.changed else text
        scores: dict[str, float] | None
        try:
            scores = highest(
                await asyncio.wait_for(
                    asyncio.gather(*(self.batcher.score(r) for r in readings_of(shown))),
                    self.timeout,
                )
            )
        except TimeoutError:
            log.error("toxicity scoring timed out after %.1fs; holding for review", self.timeout)
            scores = None
        except Exception as exc:  # any classifier failure holds the item, never loses it
            log.error("toxicity scoring failed; holding for review: %s", exc)
            scores = None
        attack = self.pipeline.attack_scores([shown], [scores])[0]
        return self.pipeline.combine(shown, crisis, scores, policy, watched, attack)

    async def close(self) -> None:
        await self.batcher.close()
