"""Ground rules as lists of worded items: limits, what changed between versions, conflicts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from forum import names
from forum.errors import AppError, Conflict, Invalid
from forum.i18n import N_, _

MAX_RULES = 20
TITLE_MAX = 100
TEXT_MAX = 1000
RATIONALE_MAX = 1000
COMMENT_MAX = 500
REASON_MAX = 500
SUMMARY_MAX = 500
MAX_OPEN_PER_MEMBER = 3


class Worded(Protocol):
    """A rule as worded in one version (a stored RuleItem, or a Draft)."""

    @property
    def rule_id(self) -> int | None: ...
    @property
    def title(self) -> str: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class Draft:
    """A rule in a version being written; rule_id is None for a rule new in it."""

    rule_id: int | None
    title: str
    text: str


@dataclass(frozen=True)
class Change:
    kind: str  # "added", "changed" or "removed"
    rule_id: int | None
    title: str
    text: str
    old_title: str | None = None
    old_text: str | None = None

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "kind": self.kind,
            "rule_id": self.rule_id,
            "title": self.title,
            "text": self.text,
        }
        if self.kind == "changed":
            data["old"] = {"title": self.old_title, "text": self.old_text}
        return data


def clean_title(title: str | None) -> str:
    if len(title or "") > TITLE_MAX:  # as sent (the documented limit), and once cleaned
        raise Invalid(
            _("A rule's title can be at most %(title_max)s characters.") % {"title_max": TITLE_MAX},
            field="title",
        )
    title = names.clean(title or "")
    if not title:
        raise Invalid(_("Please give the rule a short title."), field="title")
    if len(title) > TITLE_MAX:
        raise Invalid(
            _("A rule's title can be at most %(title_max)s characters.") % {"title_max": TITLE_MAX},
            field="title",
        )
    return title


def clean_text(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid(_("Please explain the rule in a sentence or two."), field="text")
    if len(text) > TEXT_MAX:
        raise Invalid(
            _("A rule's explanation can be at most %(text_max)s characters.")
            % {"text_max": TEXT_MAX},
            field="text",
        )
    return text


def clean_words(
    text: str, field: str, maximum: int, missing: str | None = None, what: str = N_("It")
) -> str:
    """Free text from a person: trimmed, within its limit, present when `missing` says why."""
    text = text.strip()
    if missing is not None and not text:
        raise Invalid(_(missing), field=field)
    if len(text) > maximum:
        raise Invalid(
            _("%(what)s can be at most %(maximum)s characters.")
            % {"what": _(what), "maximum": maximum},
            field=field,
        )
    return text


def _key(title: str) -> str:
    return title.casefold()


def check_rule_set(drafts: Sequence[Draft]) -> None:
    """A version's rules: between one and MAX_RULES, each title used once."""
    if not drafts:
        raise Conflict(
            _(
                "A circle needs at least one ground rule. Change the last one rather than removing "
                "it."
            ),
            code="last_rule",
        )
    if len(drafts) > MAX_RULES:
        raise Conflict(
            _(
                "A circle can have at most %(max_rules)s ground rules. Please remove or merge one "
                "first."
            )
            % {"max_rules": MAX_RULES},
            code="too_many_rules",
        )
    seen: set[str] = set()
    for draft in drafts:
        if _key(draft.title) in seen:
            raise Invalid(
                _("Two rules can't share the title “%(title)s”. Please give each its own.")
                % {"title": draft.title},
                field="title",
                code="duplicate_title",
            )
        seen.add(_key(draft.title))


def diff(before: Sequence[Worded], after: Sequence[Worded]) -> list[Change]:
    """What a version added, changed and removed, in the order a reader meets them."""
    old = {item.rule_id: item for item in before}
    kept = {item.rule_id for item in after if item.rule_id is not None}
    changes: list[Change] = []
    for item in after:
        was = old.get(item.rule_id) if item.rule_id is not None else None
        if was is None:
            changes.append(Change("added", item.rule_id, item.title, item.text))
        elif (was.title, was.text) != (item.title, item.text):
            changes.append(
                Change("changed", item.rule_id, item.title, item.text, was.title, was.text)
            )
    changes.extend(
        Change("removed", item.rule_id, item.title, item.text)
        for item in before
        if item.rule_id not in kept
    )
    return changes


def reordered(before: Sequence[Worded], after: Sequence[Worded]) -> bool:
    common = {item.rule_id for item in before} & {item.rule_id for item in after}
    return [i.rule_id for i in before if i.rule_id in common] != [
        i.rule_id for i in after if i.rule_id in common
    ]


SUMMARY_WORDS = {
    "first": N_("The circle's first rules."),
    "added": N_("Added “%(title)s”."),
    "changed": N_("Changed “%(title)s”."),
    "removed": N_("Removed “%(title)s”."),
    "moved": N_("Put the rules in a new order."),
}


def what_changed(changes: Sequence[Change], moved: bool) -> list[dict[str, str]]:
    """A version's changes as kept with it, to be worded in each reader's language."""
    kept = [{"kind": c.kind, "title": c.old_title or c.title} for c in changes]
    return kept + ([{"kind": "moved"}] if moved else [])


def worded_summary(version: Summarized) -> str:
    """A version's summary: the owners' words as they wrote them, else what it changed, in
    the reader's language."""
    if version.summary or not version.changes:
        return version.summary
    return " ".join(
        _(SUMMARY_WORDS[c["kind"]]) % {"title": c.get("title", "")}
        for c in version.changes
        if c.get("kind") in SUMMARY_WORDS
    )


class Summarized(Protocol):
    @property
    def summary(self) -> str: ...
    @property
    def changes(self) -> list[dict[str, str]] | None: ...


def drafts_of(items: Sequence[Worded]) -> list[Draft]:
    return [Draft(item.rule_id, item.title, item.text) for item in items]


class Proposed(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def rule_id(self) -> int | None: ...
    @property
    def title(self) -> str | None: ...
    @property
    def text(self) -> str | None: ...
    @property
    def old_title(self) -> str | None: ...
    @property
    def old_text(self) -> str | None: ...


def conflict(proposal: Proposed, current: Sequence[Worded], version: int) -> AppError | None:
    """Why a proposal can no longer apply to the rules as they now are, or None."""
    by_id = {item.rule_id: item for item in current}
    if proposal.kind in ("change", "remove"):
        item = by_id.get(proposal.rule_id)
        if item is None:
            return Conflict(
                _(
                    "Version %(version)s of the rules removed “%(old_title)s”, so this proposal "
                    "can no longer apply."
                )
                % {"version": version, "old_title": proposal.old_title},
                code="rule_removed",
                current_version=version,
            )
        if (item.title, item.text) != (proposal.old_title, proposal.old_text):
            return Conflict(
                _(
                    "Version %(version)s of the rules changed “%(old_title)s” after this proposal "
                    "was made. Please look at its current wording and propose again if it's still "
                    "needed."
                )
                % {"version": version, "old_title": proposal.old_title},
                code="proposal_outdated",
                current_version=version,
            )
    if proposal.kind in ("add", "change") and proposal.title:
        for item in current:
            same = item.rule_id == proposal.rule_id and proposal.kind == "change"
            if not same and _key(item.title) == _key(proposal.title):
                return Conflict(
                    _("Version %(version)s of the rules already has a rule called “%(title)s”.")
                    % {"version": version, "title": item.title},
                    code="duplicate_title",
                    current_version=version,
                )
    return None


def apply(proposal: Proposed, current: Sequence[Worded]) -> list[Draft]:
    """The next version's rules if this proposal is ratified (it must not conflict)."""
    drafts = drafts_of(current)
    if proposal.kind == "add":
        return [*drafts, Draft(None, proposal.title or "", proposal.text or "")]
    if proposal.kind == "remove":
        return [d for d in drafts if d.rule_id != proposal.rule_id]
    return [
        Draft(d.rule_id, proposal.title or d.title, proposal.text or d.text)
        if d.rule_id == proposal.rule_id
        else d
        for d in drafts
    ]
