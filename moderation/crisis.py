"""Detect crisis language (suicide, self-harm, harm to others, distress) in member text.

Two halves that explain each other: rules (moderation/data/crisis_patterns.toml) that know
negation, idiom, other people and the past, and a small learned model
(``moderation.crisis_model``) that reads what the rules found along with the words. Either
can raise the level; every result says which rules and warning signs fired and the model's
score.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from moderation.crisis_context import build_context, overlaps, whose
from moderation.crisis_features import RuleFindings
from moderation.crisis_features import words as words_of
from moderation.crisis_model import SIGNS, CrisisModel, ModelScore, ModelUnavailable
from moderation.crisis_regex import bounded, compile_scanner, expand, translate
from moderation.crisis_scan import Dispatch
from moderation.normalize import normalize

log = logging.getLogger("circles.moderation")

# The model alone judges only texts at least as long as the shortest it learned from
# (five words); on "More." or "ok" its score means nothing, so shorter ones are the rules'.
MODEL_MIN_WORDS = 5

# Bump when the matching logic changes; the data file carries its own version for patterns.
CRISIS_VERSION = "3"

CATEGORIES = frozenset({"suicide", "self_harm", "harm_to_others", "distress"})


class CrisisLevel(StrEnum):
    NONE = "none"
    CONCERN = "concern"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {CrisisLevel.NONE: 0, CrisisLevel.CONCERN: 1, CrisisLevel.URGENT: 2}
_BY_RANK = {rank: level for level, rank in _RANKS.items()}


@dataclass(frozen=True)
class CrisisMatch:
    """One rule firing; ``start``/``end`` index the original text and ``text`` is that slice.

    A match about someone other than the author keeps its category but has level ``none``,
    so moderators can see it without it raising the author's own level. ``sign`` is the
    warning sign the rule stands for ("goodbye", "means"), when it stands for one.
    """

    rule: str
    category: str
    level: CrisisLevel
    start: int
    end: int
    text: str
    sign: str | None = None


@dataclass(frozen=True)
class CrisisResult:
    """The author's level, the rule matches, and (when the model ran) its scores.

    ``signs`` are the warning signs named by the rules that fired and, for a flagged text,
    by the model; ``raised_by`` says what set the level: "rules", "model" or "both".
    """

    level: CrisisLevel
    matches: tuple[CrisisMatch, ...]
    score: float | None = None
    urgent_score: float | None = None
    signs: tuple[str, ...] = ()
    raised_by: str | None = None

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "level": self.level.value,
            "matches": [
                {
                    "rule": m.rule,
                    "category": m.category,
                    "level": m.level.value,
                    "start": m.start,
                    "end": m.end,
                    "text": m.text,
                    **({"sign": m.sign} if m.sign else {}),
                }
                for m in self.matches
            ],
            "signs": list(self.signs),
        }
        if self.score is not None:
            data["score"] = round(self.score, 4)
            data["urgent_score"] = round(self.urgent_score or 0.0, 4)
        if self.raised_by:
            data["raised_by"] = self.raised_by
        return data

    def sign_words(self) -> list[str]:
        """The warning signs in plain words, for moderators."""
        return [SIGNS.get(sign, sign.replace("_", " ")) for sign in self.signs]


# Compared by identity: hashing a compiled pattern hashes its whole program, on every lookup.
@dataclass(frozen=True, eq=False)
class _Rule:
    id: str
    category: str
    level: CrisisLevel
    regex: re.Pattern[str]
    bodies: tuple[str, ...]
    # A category the author must already be in crisis about for this rule to count.
    needs: str | None = None
    sign: str | None = None


class CrisisDetector:
    """Crisis rules loaded from pattern files, and the learned model when one is given.

    ``detect`` and ``detect_batch`` are safe to call from many threads.
    """

    def __init__(self, data: Mapping[str, Any], model: CrisisModel | None = None) -> None:
        self._data = data
        self.model = model
        macros: dict[str, str] = dict(data.get("macros", {}))
        self.version = f"{CRISIS_VERSION}/{data.get('version', 'unversioned')}"
        if model is not None:
            self.version += f"/model {model.version}"
        self._rules = tuple(_build_rule(raw, macros) for raw in data.get("rule", []))
        self._dispatch = Dispatch([(rule, rule.bodies) for rule in self._rules])
        self._idioms = compile_scanner(_bodies(_patterns(data.get("idiom", [])), macros))
        self._about_others = compile_scanner(
            _bodies(_patterns(data.get("about_others", [])), macros)
        )
        self._context = build_context(data.get("context", {}))
        self._needs = {rule.id: rule.needs for rule in self._rules if rule.needs}

    @classmethod
    def from_file(
        cls, path: Path | str, extra: Iterable[Path | str] = (), model: CrisisModel | None = None
    ) -> CrisisDetector:
        """Load ``path``, then each ``extra`` file on top of it (see the data file header)."""
        data = _read(Path(path))
        for more in extra:
            data = _merge(data, _read(Path(more)))
        return cls(data, model)

    @classmethod
    def default(cls) -> CrisisDetector:
        return _default_detector()

    def extended(self, path: Path | str) -> CrisisDetector:
        """These patterns plus an admin's extra file, with the same model."""
        return CrisisDetector(_merge(self._data, _read(Path(path))), self.model)

    def detect(self, text: str) -> CrisisResult:
        """The author's crisis level in ``text``, every rule that fired, the model's view.

        Matching runs on normalised text (see ``moderation.normalize``); spans are mapped
        back, so ``start``/``end`` index ``text`` itself. Negated ("I'm not suicidal"),
        idiomatic ("dying to see it") and past ("I used to cut") matches are dropped.
        Matches about someone else ("my friend wants to die", "how do I help someone who is
        suicidal") are kept at level ``none``: noted for moderators, not the author's crisis.
        """
        return self.detect_batch([text])[0]

    def detect_batch(self, texts: Sequence[str]) -> list[CrisisResult]:
        """``detect`` for many texts; the model scores them all in one call."""
        analysed = [self.analyse(text) for text in texts]
        if self.model is None or not texts:
            return [result for result, _, _ in analysed]
        scores = self.model.score([f for _, f, _ in analysed], [r for _, _, r in analysed])
        return [
            _with_model(result, score, self.model, len(words_of(folded)))
            for (result, folded, _), score in zip(analysed, scores, strict=True)
        ]

    def analyse(self, text: str) -> tuple[CrisisResult, str, RuleFindings]:
        """The rules' result, the normalised text, and the findings the model reads."""
        norm = normalize(text)
        folded = norm.text
        matches: list[CrisisMatch] = []
        discounted = False
        for rule, start, end in self._dispatch.find(folded):
            if overlaps(self._idioms, folded, start, end):
                discounted = True
                continue
            owner = whose(folded, start, end, rule.category, self._context)
            if owner is None:
                discounted = True
                continue
            level = rule.level
            if owner == "other" or overlaps(self._about_others, folded, start, end):
                level = CrisisLevel.NONE
            begin, finish = norm.original_span(start, end)
            matches.append(
                CrisisMatch(
                    rule.id, rule.category, level, begin, finish, text[begin:finish], rule.sign
                )
            )
        matches = _drop_unsupported(matches, self._needs)
        matches.sort(key=lambda m: (m.start, -m.level.rank, m.rule))
        top = max((m.level for m in matches), key=lambda lv: lv.rank, default=CrisisLevel.NONE)
        own = [m for m in matches if m.level is not CrisisLevel.NONE]
        findings = RuleFindings(
            top.rank,
            frozenset(m.category for m in own),
            about_others=len(own) < len(matches),
            discounted=discounted,
        )
        signs = tuple(dict.fromkeys(m.sign for m in own if m.sign))
        result = CrisisResult(top, tuple(matches), signs=signs, raised_by="rules" if own else None)
        return result, folded, findings


def _with_model(
    result: CrisisResult, score: ModelScore, model: CrisisModel, length: int
) -> CrisisResult:
    """The level once the model has read the text and what the rules found.

    The model flags on its own past the concern threshold; a rule's hit always stands
    (the rules handle negation, idioms, the past and other people themselves). Urgent
    needs an urgent rule, or the urgent head past a threshold set so that few messages
    that are not urgent cross it: when unsure, concern, so a moderator looks without the
    post being held.
    """
    limits = model.thresholds
    concern = limits.concern_short if score.short else limits.concern
    rules = result.level.rank
    # A rule that fired on the author's own words always stands: the model may add what
    # the rules miss, never silence what they found ("I'd rather just die than face another
    # day" scores low with the model and is exactly what a human must see).
    flagged = rules > 0 or (score.crisis >= concern and length >= MODEL_MIN_WORDS)
    if not flagged:
        return replace(
            result,
            level=CrisisLevel.NONE,
            score=score.crisis,
            urgent_score=score.urgent,
            signs=(),
            raised_by=None,
        )
    sure = score.crisis >= max(concern, 0.5) and score.urgent >= limits.urgent
    level = CrisisLevel.URGENT if rules == 2 or sure else CrisisLevel.CONCERN
    raised_by = "both" if rules and score.crisis >= concern else "rules"
    if not rules:
        raised_by = "model"
    elif level.rank > rules:
        raised_by = "both"
    signs = result.signs
    if score.sign and score.sign not in signs:
        signs = (*signs, score.sign)
    return replace(
        result,
        level=level,
        score=score.crisis,
        urgent_score=score.urgent,
        signs=signs,
        raised_by=raised_by,
    )


def detect(text: str) -> CrisisResult:
    """Crisis level, matches and model scores for ``text`` with the bundled rules and model."""
    return _default_detector().detect(text)


@cache
def _default_detector() -> CrisisDetector:
    try:
        model: CrisisModel | None = CrisisModel.default()
    except (ModelUnavailable, ImportError, RuntimeError) as exc:
        # The rules alone still find the plain cases; say loudly that the model is missing.
        log.error("crisis model unavailable, using the rules alone: %s", exc)
        model = None
    return CrisisDetector.from_file(_default_path(), model=model)


def _default_path() -> Path:
    return Path(str(resources.files("moderation") / "data" / "crisis_patterns.toml"))


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    merged["macros"] = {**base.get("macros", {}), **extra.get("macros", {})}
    context = dict(base.get("context", {}))
    for key, words in extra.get("context", {}).items():
        context[key] = [*context.get(key, []), *words]
    merged["context"] = context
    for key in ("idiom", "about_others"):
        merged[key] = [*base.get(key, []), *extra.get(key, [])]
    replaced = {rule["id"]: rule for rule in extra.get("rule", [])}
    kept = [rule for rule in base.get("rule", []) if rule["id"] not in replaced]
    merged["rule"] = [*kept, *replaced.values()]
    return merged


def _build_rule(raw: Mapping[str, Any], macros: Mapping[str, str]) -> _Rule:
    rule_id = str(raw["id"])
    category = str(raw["category"])
    if category not in CATEGORIES:
        raise ValueError(f"crisis rule {rule_id}: unknown category {category!r}")
    level = CrisisLevel(raw["level"])
    if level is CrisisLevel.NONE:
        raise ValueError(f"crisis rule {rule_id}: a rule must raise the level")
    # Despair alone asks for a supportive look, never the urgent hold of a plan or an act.
    if category == "distress" and level is not CrisisLevel.CONCERN:
        raise ValueError(f"crisis rule {rule_id}: distress rules are concern only")
    bodies = _bodies(list(raw["patterns"]), macros)
    if not bodies:
        raise ValueError(f"crisis rule {rule_id}: no patterns")
    needs = raw.get("needs")
    if needs is not None and needs not in CATEGORIES:
        raise ValueError(f"crisis rule {rule_id}: unknown category {needs!r} in needs")
    sign = raw.get("sign")
    if sign is not None and sign not in SIGNS:
        raise ValueError(f"crisis rule {rule_id}: unknown warning sign {sign!r}")
    regex = re.compile(bounded("|".join(bodies)))
    return _Rule(rule_id, category, level, regex, tuple(bodies), needs, sign)


def _drop_unsupported(matches: list[CrisisMatch], needs: Mapping[str, str]) -> list[CrisisMatch]:
    """Matches of ``needs`` rules count only beside the author's own match in that category.

    "I'll do it tonight" is a plan in a post about suicide and a chore anywhere else.
    """
    if not needs:
        return matches
    support = [m for m in matches if m.rule not in needs and m.level is not CrisisLevel.NONE]
    # The support must be other words: "goodbye everyone" cannot vouch for itself.
    return [
        m
        for m in matches
        if m.rule not in needs
        or any(
            s.category == needs[m.rule] and (s.end <= m.start or m.end <= s.start) for s in support
        )
    ]


def _patterns(tables: Sequence[Mapping[str, Any]]) -> list[str]:
    return [pattern for table in tables for pattern in table.get("patterns", [])]


def _bodies(patterns: Sequence[str], macros: Mapping[str, str]) -> list[str]:
    bodies = [translate(expand(pattern, macros)) for pattern in patterns]
    for pattern, body in zip(patterns, bodies, strict=True):
        try:
            re.compile(body)
        except re.error as error:
            raise ValueError(f"bad crisis pattern {pattern!r}: {error}") from error
    return bodies
