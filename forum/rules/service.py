"""Ground rules per circle: any version and what it changed, owners' edits, citing a rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from forum.circles import repository as circles_repository
from forum.circles.models import Circle, RuleItem, RuleVersion
from forum.circles.service import CircleView
from forum.db import utcnow
from forum.errors import AppError, Conflict, Forbidden, Invalid, NotFound
from forum.fields import parse_id
from forum.i18n import N_, _
from forum.rules import notices, repository
from forum.rules.changes import (
    SUMMARY_MAX,
    Change,
    Draft,
    check_rule_set,
    clean_text,
    clean_title,
    clean_words,
    conflict,
    diff,
    reordered,
    what_changed,
)
from forum.rules.models import ProposalStatus


@dataclass(frozen=True)
class Snapshot:
    """One version of a circle's rules, in order."""

    version: RuleVersion
    items: list[RuleItem]


@dataclass(frozen=True)
class VersionView:
    """A version as a reader sees it: its rules, and what it changed from the one before."""

    circle: Circle
    shown: Snapshot
    changes: list[Change]
    moved: bool
    history: Sequence[RuleVersion] = field(default_factory=list)

    @property
    def is_current(self) -> bool:
        return self.shown.version.version == self.circle.rules_version


async def snapshots(
    db: AsyncSession, circle: Circle, versions: Sequence[int]
) -> dict[int, Snapshot]:
    found: dict[int, Snapshot] = {}
    for version, item in await repository.versions_with_items(db, circle.id, versions):
        shot = found.setdefault(version.version, Snapshot(version, []))
        if item is not None:
            shot.items.append(item)
    return found


async def version_view(
    db: AsyncSession, circle: Circle, version: int | None = None, *, with_history: bool = False
) -> VersionView:
    """A version (the current one unless named) and its changes, in one statement."""
    number = circle.rules_version if version is None else version
    found = await snapshots(db, circle, [number - 1, number])
    shown = found.get(number)
    if shown is None:
        raise NotFound(
            _(
                "These ground rules have no version %(number)s; the current one is version "
                "%(rules_version)s."
            )
            % {"number": number, "rules_version": circle.rules_version}
        )
    before = found.get(number - 1)
    changes = diff(before.items, shown.items) if before else []
    moved = reordered(before.items, shown.items) if before else False
    history = await repository.history(db, circle.id) if with_history else []
    return VersionView(circle, shown, changes, moved, history)


def requested_version(query: str | None) -> int | None:
    """`?version=` as asked: None for the current one; 0 (no such version) if not a number."""
    if not query:
        return None
    number = parse_id(query)
    return 0 if number is None else number


async def current_items(db: AsyncSession, circle: Circle) -> list[RuleItem]:
    return list(await circles_repository.get_rules(db, circle.id, circle.rules_version))


def require_owner(view: CircleView, doing: str) -> None:
    if not view.is_owner:
        raise Forbidden(
            _("Only this circle's owners can %(doing)s.") % {"doing": _(doing)}, code="owners_only"
        )


def drafts_from(entries: Sequence[tuple[int | None, str, str]]) -> list[Draft]:
    """An owner's list of rules, checked one by one; errors say which rule."""
    drafts: list[Draft] = []
    seen: set[int] = set()
    for n, (rule_id, title, text) in enumerate(entries, start=1):
        try:
            drafts.append(Draft(rule_id, clean_title(title), clean_text(text)))
        except Invalid as exc:
            where = f"items.{n - 1}.{exc.extra['field']}"
            raise Invalid(
                _("Rule %(n)s: %(message)s") % {"n": n, "message": exc.message}, field=where
            ) from None
        if rule_id is not None:
            if rule_id in seen:
                raise Invalid(
                    _("Rule %(n)s appears twice in the list.") % {"n": n}, field=f"items.{n - 1}.id"
                )
            seen.add(rule_id)
    return drafts


async def edit_rules(
    db: AsyncSession, owner_view: CircleView, drafts: list[Draft], summary: str
) -> Snapshot:
    """An owner rewrites the rules directly: a new version members are asked to accept."""
    require_owner(owner_view, N_("edit the ground rules"))
    circle = owner_view.circle
    current = await locked_items(db, circle)
    known = {item.rule_id for item in current}
    for n, draft in enumerate(drafts, start=1):
        if draft.rule_id is not None and draft.rule_id not in known:
            raise Conflict(
                _(
                    "Rule %(n)s names a rule that isn't in the current version. Leave out its id "
                    "to add it as a new rule."
                )
                % {"n": n},
                code="unknown_rule",
                field=f"items.{n - 1}.id",
            )
    by = owner_view.membership.user_id if owner_view.membership else 0
    snapshot = await write_version(db, circle, current, drafts, summary, by)
    accept_own_version(owner_view)
    return snapshot


def accept_own_version(owner_view: CircleView) -> None:
    """The owner who makes a version has read it: they go on posting without a prompt."""
    if owner_view.membership is not None:
        owner_view.membership.accepted_rules_version = owner_view.circle.rules_version


async def locked_items(db: AsyncSession, circle: Circle) -> list[RuleItem]:
    """The current rules, with the circle held so no other version can be written meanwhile."""
    await repository.lock_circle(db, circle)
    return await current_items(db, circle)


async def write_version(
    db: AsyncSession,
    circle: Circle,
    current: Sequence[RuleItem],
    drafts: Sequence[Draft],
    summary: str,
    by_user_id: int,
) -> Snapshot:
    """The next version from `drafts`; open proposals it overtakes become outdated, and
    the members (but the owner who made it) are asked to accept it."""
    check_rule_set(drafts)
    changes, moved = diff(current, drafts), reordered(current, drafts)
    if not changes and not moved:
        raise Conflict(_("That wouldn't change anything in the rules."), code="no_changes")
    summary = clean_words(summary, "summary", SUMMARY_MAX, what=N_("A summary"))
    number = circle.rules_version + 1
    version = await repository.add_version(
        db, circle.id, number, summary, None if summary else what_changed(changes, moved)
    )
    fresh = iter(await repository.new_rules(db, circle.id, sum(d.rule_id is None for d in drafts)))
    items = [
        RuleItem(
            rule_version_id=version.id,
            rule_id=draft.rule_id if draft.rule_id is not None else next(fresh).id,
            position=position,
            title=draft.title,
            text=draft.text,
        )
        for position, draft in enumerate(drafts, start=1)
    ]
    db.add_all(items)
    circle.rules_version = number
    await db.flush()
    await outdate_overtaken(db, circle, items)
    await notices.tell_members(db, circle, by_user_id, "version")
    return Snapshot(version, items)


async def outdate_overtaken(db: AsyncSession, circle: Circle, items: Sequence[RuleItem]) -> None:
    """Close open proposals that a new version made impossible, saying why."""
    now = utcnow()
    for proposal in await repository.open_proposals(db, circle.id):
        reason = conflict(proposal, items, circle.rules_version)
        if reason is not None:
            proposal.status = ProposalStatus.OUTDATED
            proposal.decision_note = reason.message
            proposal.decided_at = now
    await db.flush()


async def rule_or_error(db: AsyncSession, circle: Circle, rule_id: int) -> RuleItem:
    """A rule of the circle's current version; a removed or foreign rule is refused clearly."""
    item = await repository.rule_in_version(db, circle.id, rule_id, circle.rules_version)
    if item is not None:
        return item
    raise await _missing_rule(db, circle, rule_id)


async def _missing_rule(db: AsyncSession, circle: Circle, rule_id: int) -> AppError:
    last = await repository.last_wording(db, circle.id, rule_id)
    if last is None:
        # A well-formed id; whether it names one of this circle's rules is stored state
        # (rules come and go by version), so the answer is a conflict, like a removed rule.
        return Conflict(
            _("That ground rule is not one of this circle's."), code="unknown_rule", field="rule_id"
        )
    item, version = last
    return Conflict(
        _(
            "The rule “%(title)s” was removed in version %(removed_in)s of this circle's ground "
            "rules. The current version is %(rules_version)s."
        )
        % {"title": item.title, "removed_in": version + 1, "rules_version": circle.rules_version},
        code="rule_removed",
        field="rule_id",
        removed_in_version=version + 1,
        current_version=circle.rules_version,
    )


async def cite_rule(
    db: AsyncSession, circle: Circle, rule_id: int, rules_version: int | None = None
) -> dict[str, Any]:
    """A rule of the current version, as cited: its id, version and words at that moment."""
    if rules_version is not None and rules_version != circle.rules_version:
        raise Conflict(
            _(
                "This circle's ground rules are now at version %(rules_version)s (you were looking "
                "at version %(seen)s). Please check the rule you're citing."
            )
            % {"rules_version": circle.rules_version, "seen": rules_version},
            code="rules_version_stale",
            current_version=circle.rules_version,
        )
    item = await rule_or_error(db, circle, rule_id)
    return {
        "id": item.rule_id,
        "title": item.title,
        "text": item.text,
        "version": circle.rules_version,
    }
