"""The review queue: enqueue what the pipeline routes to humans, reports, claims, decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from forum import events
from forum.accounts import repository as accounts_repository
from forum.accounts.models import Role, User
from forum.circles import repository as circles_repository
from forum.circles.models import Circle, RuleItem
from forum.db import utcnow
from forum.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from forum.i18n import gettext
from forum.review import repository
from forum.review.content import KINDS, ContentInfo
from forum.review.models import ItemStatus, LogEntry, Report, ReviewItem
from forum.review.notices import tell_author, tell_reporters
from forum.rules import service as ground_rules
from moderation.pipeline import Assessment

SENSITIVE_KINDS = frozenset({"crisis", "self_directed", "toxicity"})


class Verdict(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REMOVE = "remove"
    ESCALATE = "escalate"
    WARN = "warn"
    MUTE = "mute"


@dataclass(frozen=True)
class Wellbeing:
    decisions_this_shift: int
    shift_limit: int
    decisions_last_hour: int
    take_a_break: bool

    @property
    def at_limit(self) -> bool:
        return self.decisions_this_shift >= self.shift_limit


@dataclass(frozen=True)
class ShiftRules:
    claim_minutes: float = 15
    shift_hours: float = 4
    shift_limit: int = 60
    break_after: int = 20  # decisions within an hour before a break reminder


@dataclass(frozen=True)
class QueueRow:
    item: ReviewItem
    circle_name: str
    author_name: str | None
    claimed_by_name: str | None
    waiting: timedelta


@dataclass(frozen=True)
class Outcome:
    """What a decision changed, for the route to announce after commit."""

    item: ReviewItem
    content: ContentInfo | None
    entry: LogEntry


async def moderation_scope(db: AsyncSession, user: User) -> list[int] | None:
    """None means every circle (site staff); else the circles this member moderates."""
    if user.role in (Role.MODERATOR, Role.ADMIN):
        return None
    circles = await repository.moderated_circle_ids(db, user.id)
    if not circles:
        raise Forbidden(
            gettext("Only moderators can see the review queue."), code="not_a_moderator"
        )
    return circles


def _reason_dicts(assessment: Assessment) -> list[dict[str, Any]]:
    return [reason.to_dict() for reason in assessment.decision.reasons]


async def announce_item(db: AsyncSession, change: str, item: ReviewItem) -> None:
    """Tell live review queues (after commit) that this item appeared or moved on."""
    event = events.queue_changed(
        change, item.id, item.circle_id, item.priority, item.crisis_level, item.held
    )
    await events.emit(db, {**event, "author_id": item.author_id})


async def open_item(db: AsyncSession, content: ContentInfo) -> ReviewItem:
    """The content's unresolved queue item, locked for this transaction; a new one if it
    has none.

    Two reports of one post can arrive together: the lock keeps their reasons from
    overwriting each other, and when both find no item the partial unique index lets only
    one insert, so the other uses that one instead of failing.
    """
    kind, content_id = content.content_type, content.content_id
    item = await repository.open_item_for(db, kind, content_id, lock=True)
    if item is None:
        item = ReviewItem(
            content_type=content.content_type,
            content_id=content.content_id,
            circle_id=content.circle_id,
            author_id=content.author_id,
            status=ItemStatus.OPEN,
            priority=0,
            reasons=[],
            version=1,
        )
        try:
            async with db.begin_nested():
                db.add(item)
                await db.flush()
        except IntegrityError:
            item = await repository.open_item_for(db, kind, content_id, lock=True)
            if item is None:
                raise
    return item


async def enqueue(
    db: AsyncSession, content: ContentInfo, assessment: Assessment
) -> ReviewItem | None:
    """Queue content the pipeline routed to a human; merge into an open item if there is one."""
    decision = assessment.decision
    if not decision.queued:
        return None
    reasons = _reason_dicts(assessment)
    item = await open_item(db, content)
    change = "new" if item.version == 1 else "updated"
    item.reasons = [*item.reasons, *reasons]
    item.held = item.held or decision.held
    item.priority = max(item.priority or 0, int(decision.priority))
    item.top_score = max(item.top_score or 0.0, decision.top_score)
    item.scores = assessment.scores
    if assessment.crisis.level.rank > _rank(item.crisis_level):
        item.crisis_level = assessment.crisis.level.value
    item.sensitive = item.sensitive or any(r["kind"] in SENSITIVE_KINDS for r in reasons)
    item.pipeline_version = assessment.version
    # The content changed under the item: a decision made on what was seen before is stale.
    item.version += 1
    await db.flush()
    await announce_item(db, change, item)
    return item


def _rank(level: str | None) -> int:
    return {"none": 0, "concern": 1, "urgent": 2}.get(level or "none", 0)


async def get_item_or_404(db: AsyncSession, moderator: User, item_id: int) -> ReviewItem:
    scope = await moderation_scope(db, moderator)
    item = await repository.get_item(db, item_id)
    if item is None or (scope is not None and item.circle_id not in scope):
        raise NotFound(gettext("That review item doesn't exist."))
    if item.author_id == moderator.id:
        # Nobody judges their own words, or learns who reported them.
        raise Forbidden(
            gettext("This is about your own post, so another moderator will look at it."),
            code="own_item",
        )
    return item


async def wellbeing(db: AsyncSession, moderator: User, rules: ShiftRules) -> Wellbeing:
    now = utcnow()
    shift = await repository.decisions_since(
        db, moderator.id, now - timedelta(hours=rules.shift_hours)
    )
    hour = await repository.decisions_since(db, moderator.id, now - timedelta(hours=1))
    return Wellbeing(shift, rules.shift_limit, hour, hour >= rules.break_after)


def _claimed_by_other(item: ReviewItem, user: User, now: datetime) -> bool:
    return (
        item.claimed_by is not None
        and item.claimed_by != user.id
        and item.claim_expires_at is not None
        and item.claim_expires_at > now
    )


async def _holder_name(db: AsyncSession, user_id: int | None) -> str:
    holder = await accounts_repository.get_user(db, user_id) if user_id else None
    return holder.display_name if holder else gettext("another moderator")


async def _within_shift(
    db: AsyncSession, moderator: User, item: ReviewItem, rules: ShiftRules
) -> None:
    """Past the shift's limit a moderator rests; someone in crisis still gets an answer."""
    if item.crisis_level != "none":
        return
    state = await wellbeing(db, moderator, rules)
    if state.at_limit:
        raise RateLimited(
            gettext(
                "You've made %(made)d decisions this shift, the limit is %(limit)d. "
                "Thank you. Please rest; crisis items stay open to you."
            )
            % {"made": state.decisions_this_shift, "limit": state.shift_limit},
            retry_after=3600,
            code="shift_limit",
        )


async def claim_item(
    db: AsyncSession, moderator: User, item_id: int, rules: ShiftRules
) -> ReviewItem:
    item = await get_item_or_404(db, moderator, item_id)
    now = utcnow()
    if item.status == ItemStatus.RESOLVED:
        raise Conflict(gettext("This item has already been decided."), code="already_decided")
    if _claimed_by_other(item, moderator, now):
        name = await _holder_name(db, item.claimed_by)
        raise Conflict(
            gettext("%(name)s is already looking at this item.") % {"name": name},
            code="already_claimed",
            claimed_by=name,
        )
    await _within_shift(db, moderator, item, rules)
    expires = now + timedelta(minutes=rules.claim_minutes)
    if not await repository.claim(db, item.id, item.version, moderator.id, expires):
        raise Conflict(gettext("Someone else just took this item."), code="already_claimed")
    await db.refresh(item)
    await announce_item(db, "claimed", item)
    return item


async def _rule_snapshot(
    db: AsyncSession, circle_id: int, rule_id: int | None, rules_version: int | None
) -> dict[str, Any] | None:
    """The cited rule of the circle's current version, with its words as they are now."""
    if rule_id is None:
        return None
    circle = await circles_repository.get_by_id(db, circle_id)
    if circle is None:
        raise Conflict(
            gettext("That ground rule is not one of this circle's."),
            code="unknown_rule",
            field="rule_id",
        )
    return await ground_rules.cite_rule(db, circle, rule_id, rules_version)


async def decide_item(
    db: AsyncSession,
    moderator: User,
    item_id: int,
    verdict: Verdict,
    *,
    rule_id: int | None = None,
    rules_version: int | None = None,
    note: str = "",
    version: int | None = None,
    mute_hours: float | None = None,
    rules: ShiftRules | None = None,
) -> Outcome:
    """Apply one moderator's decision; a second decision on the same item gets a clear 409."""
    item = await get_item_or_404(db, moderator, item_id)
    now = utcnow()
    note = note.strip()[:2000]
    if item.status == ItemStatus.RESOLVED:
        name = await _holder_name(db, item.resolved_by)
        raise Conflict(
            gettext("%(name)s has already decided this item (%(resolution)s).")
            % {"name": name, "resolution": item.resolution},
            code="already_decided",
            resolution=item.resolution,
        )
    rule = await _rule_snapshot(db, item.circle_id, rule_id, rules_version)
    if verdict in (Verdict.REJECT, Verdict.REMOVE) and rule is None:
        raise Invalid(
            gettext("Please choose the ground rule this breaks, so the author knows why."),
            field="rule_id",
        )
    if version is not None and version != item.version:
        raise Conflict(
            gettext("This item changed since you opened it. Please reload it."),
            code="stale_version",
            current_version=item.version,
        )
    if _claimed_by_other(item, moderator, now):
        name = await _holder_name(db, item.claimed_by)
        raise Conflict(
            gettext("%(name)s is looking at this item.") % {"name": name},
            code="already_claimed",
            claimed_by=name,
        )
    await _within_shift(db, moderator, item, rules or ShiftRules())
    if (
        item.status == ItemStatus.ESCALATED
        and moderator.role != Role.ADMIN
        and verdict not in (Verdict.WARN, Verdict.MUTE)
    ):
        raise Forbidden(gettext("This item was escalated to the admins."), code="escalated")
    content = (
        await KINDS[item.content_type].load(db, item.content_id)
        if (item.content_type in KINDS)
        else None
    )
    before = content
    if verdict in (Verdict.WARN, Verdict.MUTE):
        await _act_on_author(db, moderator, item, verdict, now, mute_hours)
    else:
        content = await _apply(db, item, verdict, rule, note, now, moderator)
    entry = LogEntry(
        item_id=item.id,
        actor_id=moderator.id,
        actor_name=moderator.display_name,
        action=verdict.value,
        content_type=item.content_type,
        content_id=item.content_id,
        circle_id=item.circle_id,
        target_user_id=item.author_id,
        rule_id=rule["id"] if rule else None,
        rule_title=rule["title"] if rule else None,
        rule_text=rule["text"] if rule else None,
        rules_version=rule["version"] if rule else None,
        note=note if verdict != Verdict.MUTE else f"muted for {mute_hours:g} hours. {note}".strip(),
    )
    db.add(entry)
    await db.flush()
    await tell_author(db, item, verdict.value, rule, note, before)
    await tell_reporters(db, item, verdict.value, before)
    await announce_item(db, "decided", item)
    return Outcome(item, content, entry)


async def _apply(
    db: AsyncSession,
    item: ReviewItem,
    verdict: Verdict,
    rule: dict[str, Any] | None,
    note: str,
    now: datetime,
    moderator: User,
) -> ContentInfo | None:
    values: dict[str, Any] = {"first_decision_at": item.first_decision_at or now}
    if verdict == Verdict.ESCALATE:
        values.update(status=ItemStatus.ESCALATED, claimed_by=None, claim_expires_at=None)
    else:
        values.update(
            status=ItemStatus.RESOLVED,
            resolution=verdict.value,
            resolved_by=moderator.id,
            resolved_at=now,
        )
    if not await repository.resolve(db, item.id, item.version, values):
        raise Conflict(
            gettext("Another moderator decided this item a moment ago."), code="already_decided"
        )
    await db.refresh(item)
    kind = KINDS.get(item.content_type)
    if kind is None or verdict == Verdict.ESCALATE:
        return None
    status = {Verdict.APPROVE: None, Verdict.REJECT: "rejected", Verdict.REMOVE: "removed"}[verdict]
    current = await kind.load(db, item.content_id)
    if current is None or current.removed_by == "author":
        return current  # its author took it down already; leave it so
    if status == "removed" and current.status != "published":
        # Removing what was never public would make it public as "removed": reject it.
        status = "rejected"
    if status is None:
        status = "published" if current.status == "pending" else current.status
        return await kind.set_status(db, item.content_id, status, None)
    decision = {"decision": status, "rule": rule, "note": note}
    return await kind.set_status(db, item.content_id, status, decision)


async def _act_on_author(
    db: AsyncSession,
    moderator: User,
    item: ReviewItem,
    verdict: Verdict,
    now: datetime,
    mute_hours: float | None,
) -> None:
    author = await accounts_repository.get_user(db, item.author_id) if item.author_id else None
    if author is None:
        raise Conflict(gettext("This content's author no longer has an account."), code="no_author")
    if verdict == Verdict.MUTE:
        # A mute stops someone posting anywhere, so only site staff may pause a member,
        # and only an admin may pause staff.
        if not moderator.is_staff or (author.is_staff and moderator.role != Role.ADMIN):
            raise Forbidden(
                gettext("Only site moderators can pause someone's posting; escalate it to them."),
                code="mute_not_allowed",
            )
        if mute_hours is None or not 0 < mute_hours <= 24 * 90:
            raise Invalid(
                gettext("Mute for between a minute and 90 days (mute_hours)."), field="mute_hours"
            )
        author.muted_until = now + timedelta(hours=mute_hours)
    item.first_decision_at = item.first_decision_at or now
    await db.flush()


async def queue_view(
    db: AsyncSession,
    moderator: User,
    *,
    circle_id: int | None = None,
    reason: str | None = None,
    urgent_only: bool = False,
    escalated_only: bool = False,
) -> tuple[list[QueueRow], dict[str, int]]:
    scope = await moderation_scope(db, moderator)
    statuses = (
        (ItemStatus.ESCALATED,) if escalated_only else (ItemStatus.OPEN, ItemStatus.ESCALATED)
    )
    rows = await repository.queue(
        db, scope, circle_id=circle_id, reason=reason, urgent_only=urgent_only, statuses=statuses
    )
    now = utcnow()
    rows = [row for row in rows if row[0].author_id != moderator.id]
    queue = [
        QueueRow(
            item,
            circle,
            author,
            # An expired claim frees the item: nobody is shown as holding it.
            claimer if item.claim_expires_at and item.claim_expires_at > now else None,
            now - item.created_at,
        )
        for item, circle, author, claimer in rows
    ]
    return queue, await _counts(db, scope)


async def queue_counts(db: AsyncSession, moderator: User) -> dict[str, int]:
    """How many items wait in this moderator's circles (the number in the navigation)."""
    return await _counts(db, await moderation_scope(db, moderator))


async def _counts(db: AsyncSession, scope: list[int] | None) -> dict[str, int]:
    counts = await repository.counts(db, scope)
    return {
        "total": sum(counts.values()),
        "urgent": counts.get("urgent", 0),
        "crisis": counts.get("urgent", 0) + counts.get("concern", 0),
    }


async def item_detail(
    db: AsyncSession, moderator: User, item_id: int
) -> tuple[ReviewItem, ContentInfo | None, Sequence[tuple[Report, str | None]], Sequence[LogEntry]]:
    item = await get_item_or_404(db, moderator, item_id)
    kind = KINDS.get(item.content_type)
    content = await kind.load(db, item.content_id) if kind else None
    reports = await repository.reports_for(db, item.id)
    history = await repository.log_entries(db, item_id=item.id)
    return item, content, reports, history


@dataclass(frozen=True)
class ItemContext:
    """Around an item: its circle, the rules a decision may cite, who holds it.

    The posts either side of a post come from its own package (forum.threads.content),
    which sits above the queue.
    """

    circle: Circle
    rules: Sequence[RuleItem]
    claimed_by_name: str | None


async def item_context(db: AsyncSession, item: ReviewItem) -> ItemContext:
    circle = await circles_repository.get_by_id(db, item.circle_id)
    if circle is None:
        raise NotFound(gettext("That review item's circle no longer exists."))
    rules = await circles_repository.get_rules(db, circle.id, circle.rules_version)
    claimer = None
    if item.claimed_by and item.claim_expires_at and item.claim_expires_at > utcnow():
        claimer = await _holder_name(db, item.claimed_by)
    return ItemContext(circle, rules, claimer)


async def moderation_log(db: AsyncSession, moderator: User) -> Sequence[LogEntry]:
    return await repository.log_entries(db, circle_ids=await moderation_scope(db, moderator))


async def decisions_about(db: AsyncSession, author: User) -> Sequence[LogEntry]:
    """What moderators decided about this member's own content (authors may always see it).

    Only entries from after they joined: on SQLite a deleted account's id can be given to
    the next newcomer, and the append-only log still names the old one.
    """
    entries = await repository.log_entries(db, target_user_id=author.id, since=author.created_at)
    # A check-in is not a decision about their words: they have the conversation itself.
    return [entry for entry in entries if entry.action != "check_in"]
