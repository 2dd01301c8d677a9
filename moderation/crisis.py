"""Detect crisis language (suicide, self-harm, harm to others, distress) in member text."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from moderation.crisis_regex import bounded, compile_scanner, expand, first_chars, translate
from moderation.normalize import normalize

# Bump when the matching logic changes; the data file carries its own version for patterns.
CRISIS_VERSION = "2"

CATEGORIES = frozenset({"suicide", "self_harm", "harm_to_others", "distress"})

_WORD = re.compile(r"[a-z0-9]+")
_CLAUSE_BREAK = re.compile(r"[.!?;:\n]|\bbut\b|\bthough\b")
_WINDOW = 80


class CrisisLevel(StrEnum):
    NONE = "none"
    CONCERN = "concern"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {CrisisLevel.NONE: 0, CrisisLevel.CONCERN: 1, CrisisLevel.URGENT: 2}


@dataclass(frozen=True)
class CrisisMatch:
    """One rule firing; ``start``/``end`` index the original text and ``text`` is that slice.

    A match about someone other than the author keeps its category but has level ``none``,
    so moderators can see it without it raising the author's own level.
    """

    rule: str
    category: str
    level: CrisisLevel
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class CrisisResult:
    """The highest level among the matches (``none`` when there are none) and the matches."""

    level: CrisisLevel
    matches: tuple[CrisisMatch, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "level": self.level.value,
            "matches": [
                {
                    "rule": m.rule,
                    "category": m.category,
                    "level": m.level.value,
                    "start": m.start,
                    "end": m.end,
                    "text": m.text,
                }
                for m in self.matches
            ],
        }


# Compared by identity: hashing a compiled pattern hashes its whole program, on every lookup.
@dataclass(frozen=True, eq=False)
class _Rule:
    id: str
    category: str
    level: CrisisLevel
    regex: re.Pattern[str]
    # First letters a match can begin with; None when the rule could start anywhere.
    leads: frozenset[str] | None
    # A category the author must already be in crisis about for this rule to count.
    needs: str | None = None


@dataclass(frozen=True)
class _Context:
    """Word lists from the data file; phrase lists compiled to match on space-joined words."""

    negators: re.Pattern[str]
    questions: frozenset[str]
    fillers: frozenset[str]
    self_words: frozenset[str]
    other_words: frozenset[str]
    past_before: re.Pattern[str]
    past_after: re.Pattern[str]


class CrisisDetector:
    """Crisis rules loaded from pattern files; ``detect`` is safe to call from many threads."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data
        macros: dict[str, str] = dict(data.get("macros", {}))
        self.version = f"{CRISIS_VERSION}/{data.get('version', 'unversioned')}"
        self._rules = tuple(_build_rule(raw, macros) for raw in data.get("rule", []))
        self._scanner = compile_scanner(
            _bodies([p for raw in data.get("rule", []) for p in raw["patterns"]], macros)
        )
        self._idioms = compile_scanner(_bodies(_patterns(data.get("idiom", [])), macros))
        self._about_others = compile_scanner(
            _bodies(_patterns(data.get("about_others", [])), macros)
        )
        self._context = _build_context(data.get("context", {}))
        self._needs = {rule.id: rule.needs for rule in self._rules if rule.needs}

    @classmethod
    def from_file(cls, path: Path | str, extra: Iterable[Path | str] = ()) -> CrisisDetector:
        """Load ``path``, then each ``extra`` file on top of it (see the data file header)."""
        data = _read(Path(path))
        for more in extra:
            data = _merge(data, _read(Path(more)))
        return cls(data)

    @classmethod
    def default(cls) -> CrisisDetector:
        return _default_detector()

    def extended(self, path: Path | str) -> CrisisDetector:
        """These patterns plus an admin's extra file."""
        return CrisisDetector(_merge(self._data, _read(Path(path))))

    def detect(self, text: str) -> CrisisResult:
        """The author's crisis level in ``text`` and every rule that fired.

        Matching runs on normalised text (see ``moderation.normalize``); spans are mapped
        back, so ``start``/``end`` index ``text`` itself. Negated ("I'm not suicidal"),
        idiomatic ("dying to see it") and past ("I used to cut") matches are dropped.
        Matches about someone else ("my friend wants to die", "how do I help someone who is
        suicidal") are kept at level ``none``: noted for moderators, not the author's crisis.
        """
        norm = normalize(text)
        folded = norm.text
        found = list(self._find(folded))
        if not found:
            return _NOTHING
        matches: list[CrisisMatch] = []
        for rule, start, end in found:
            if _overlaps(self._idioms, folded, start, end):
                continue
            whose = _whose(folded, start, end, rule.category, self._context)
            if whose is None:
                continue
            level = rule.level
            if whose == "other" or _overlaps(self._about_others, folded, start, end):
                level = CrisisLevel.NONE
            begin, finish = norm.original_span(start, end)
            matches.append(
                CrisisMatch(rule.id, rule.category, level, begin, finish, text[begin:finish])
            )
        matches = _drop_unsupported(matches, self._needs)
        matches.sort(key=lambda m: (m.start, -m.level.rank, m.rule))
        top = max((m.level for m in matches), key=lambda lv: lv.rank, default=CrisisLevel.NONE)
        return CrisisResult(top, tuple(matches))

    def _find(self, text: str) -> Iterator[tuple[_Rule, int, int]]:
        """Every (rule, start, end) match; one scan finds where some rule may start."""
        if self._scanner is None:
            return
        pos = 0
        # Searching again from each start finds overlapping matches of different rules;
        # a rule's own later matches inside its earlier one are the same words again.
        reached = dict.fromkeys(self._rules, 0)
        while found := self._scanner.search(text, pos):
            start = found.start()
            lead = text[start]
            for rule in self._rules:
                if start >= reached[rule] and (rule.leads is None or lead in rule.leads):
                    hit = rule.regex.match(text, start)
                    if hit:
                        reached[rule] = hit.end()
                        yield rule, start, hit.end()
            pos = start + 1


_NOTHING = CrisisResult(CrisisLevel.NONE, ())


def detect(text: str) -> CrisisResult:
    """Crisis level and matches for ``text`` using the bundled patterns."""
    return _default_detector().detect(text)


@cache
def _default_detector() -> CrisisDetector:
    return CrisisDetector.from_file(_default_path())


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
    leads: frozenset[str] | None = frozenset()
    for body in bodies:
        chars = first_chars(body)
        leads = None if chars is None or leads is None else leads | chars
    needs = raw.get("needs")
    if needs is not None and needs not in CATEGORIES:
        raise ValueError(f"crisis rule {rule_id}: unknown category {needs!r} in needs")
    regex = re.compile(bounded("|".join(bodies)))
    return _Rule(rule_id, category, level, regex, leads, needs)


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


def _build_context(raw: Mapping[str, Any]) -> _Context:
    def phrases(key: str, anchor: str = "") -> re.Pattern[str]:
        words = [" ".join(_WORD.findall(p)) for p in raw.get(key, [])]
        alternatives = "|".join(re.escape(w) for w in words if w) or "(?!)"
        return re.compile(rf"(?:^| )(?:{alternatives})(?: |$){anchor}")

    return _Context(
        negators=phrases("negators", anchor="$"),
        questions=frozenset(raw.get("negation_questions", [])),
        fillers=frozenset(raw.get("fillers", [])),
        self_words=frozenset(raw.get("self_words", [])),
        other_words=frozenset(raw.get("other_words", [])),
        past_before=phrases("past_before"),
        past_after=phrases("past_after"),
    )


def _overlaps(regex: re.Pattern[str] | None, text: str, start: int, end: int) -> bool:
    """Whether a match of ``regex`` overlaps ``text[start:end]``; looks only nearby."""
    if regex is None:
        return False
    near = max(0, start - _WINDOW)
    return any(
        s < end and start < e
        for s, e in (m.span() for m in regex.finditer(text, near, end + _WINDOW))
    )


def _whose(text: str, start: int, end: int, category: str, ctx: _Context) -> str | None:
    """``"self"``, ``"other"``, or None when the match is negated or in the past."""
    before = _clause_tail(text[max(0, start - _WINDOW) : start])
    after = _clause_head(text[end : end + _WINDOW // 2])
    if _negated(before, ctx) or ctx.past_before.search(" ".join(before)):
        return None
    if ctx.past_after.search(" ".join(after[:4])):
        return None
    # Abuse and threats name their target; only self-directed crisis needs a subject check.
    if category == "harm_to_others" or ctx.self_words.intersection(_WORD.findall(text[start:end])):
        return "self"
    for word in reversed(before[-6:]):
        if word in ctx.self_words:
            return "self"
        if word in ctx.other_words:
            return "other"
    return "self"


def _clause_tail(text: str) -> list[str]:
    breaks = list(_CLAUSE_BREAK.finditer(text))
    return _WORD.findall(text[breaks[-1].end() :] if breaks else text)


def _clause_head(text: str) -> list[str]:
    found = _CLAUSE_BREAK.search(text)
    return _WORD.findall(text[: found.start()] if found else text)


def _negated(before: Sequence[str], ctx: _Context) -> bool:
    """A negator governs the match once filler words ("really", "want to") are skipped."""
    i = len(before)
    while i > 0 and before[i - 1] in ctx.fillers and len(before) - i < 6:
        i -= 1
    head = " ".join(before[:i])
    found = ctx.negators.search(head)
    if found is None:
        return False
    # "Why shouldn't I ..." asks rather than denies.
    asked = head[: found.start()].rsplit(" ", 1)[-1]
    return asked not in ctx.questions
