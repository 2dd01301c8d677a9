"""All SQL about ground rules' versions, proposals and stances."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from forum.accounts.models import User
from forum.circles.models import Circle, Rule, RuleItem, RuleVersion
from forum.db import utcnow
from forum.rules.models import ProposalStatus, RuleProposal, RuleStance, Stance


async def lock_circle(db: AsyncSession, circle: Circle) -> None:
    """Re-read the circle's rules version and hold its row until commit.

    Two versions written at once would both take the same number; the lock makes the
    second writer wait and then see the first one's version. (SQLite writes one at a time.)
    """
    await db.refresh(circle, ["rules_version"], with_for_update=True)


async def versions_with_items(
    db: AsyncSession, circle_id: int, versions: Sequence[int]
) -> Sequence[tuple[RuleVersion, RuleItem | None]]:
    """The given versions with their rules in order, in one statement."""
    result = await db.execute(
        select(RuleVersion, RuleItem)
        .outerjoin(RuleItem, RuleItem.rule_version_id == RuleVersion.id)
        .where(RuleVersion.circle_id == circle_id, RuleVersion.version.in_(versions))
        .order_by(RuleVersion.version, RuleItem.position)
    )
    return [(version, item) for version, item in result]


async def history(db: AsyncSession, circle_id: int) -> Sequence[RuleVersion]:
    result = await db.scalars(
        select(RuleVersion).where(RuleVersion.circle_id == circle_id).order_by(RuleVersion.version)
    )
    return result.all()


async def rule_in_version(
    db: AsyncSession, circle_id: int, rule_id: int, version: int
) -> RuleItem | None:
    return await db.scalar(
        select(RuleItem)
        .join(RuleVersion, RuleVersion.id == RuleItem.rule_version_id)
        .where(
            RuleVersion.circle_id == circle_id,
            RuleVersion.version == version,
            RuleItem.rule_id == rule_id,
        )
    )


async def last_wording(
    db: AsyncSession, circle_id: int, rule_id: int
) -> tuple[RuleItem, int] | None:
    """A rule of this circle as last worded, with that version; None if it never was one."""
    row = (
        await db.execute(
            select(RuleItem, RuleVersion.version)
            .join(RuleVersion, RuleVersion.id == RuleItem.rule_version_id)
            .where(RuleVersion.circle_id == circle_id, RuleItem.rule_id == rule_id)
            .order_by(RuleVersion.version.desc())
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def add_version(
    db: AsyncSession,
    circle_id: int,
    version: int,
    summary: str,
    changes: list[dict[str, str]] | None,
) -> RuleVersion:
    row = RuleVersion(circle_id=circle_id, version=version, summary=summary, changes=changes)
    db.add(row)
    await db.flush()
    return row


async def new_rules(db: AsyncSession, circle_id: int, count: int) -> list[Rule]:
    rules = [Rule(circle_id=circle_id) for _ in range(count)]
    db.add_all(rules)
    await db.flush()
    return rules


async def get_proposal(
    db: AsyncSession, proposal_id: int, *, for_update: bool = False
) -> RuleProposal | None:
    if for_update:
        return await db.get(RuleProposal, proposal_id, with_for_update=True, populate_existing=True)
    return await db.get(RuleProposal, proposal_id)


async def open_proposals(db: AsyncSession, circle_id: int) -> Sequence[RuleProposal]:
    result = await db.scalars(
        select(RuleProposal).where(
            RuleProposal.circle_id == circle_id, RuleProposal.status == ProposalStatus.OPEN
        )
    )
    return result.all()


async def count_open_by(db: AsyncSession, circle_id: int, author_id: int) -> int:
    count = await db.scalar(
        select(func.count())
        .select_from(RuleProposal)
        .where(
            RuleProposal.circle_id == circle_id,
            RuleProposal.author_id == author_id,
            RuleProposal.status == ProposalStatus.OPEN,
        )
    )
    return int(count or 0)


ProposalRow = tuple[RuleProposal, str | None, str | None]


async def proposals(
    db: AsyncSession,
    circle_id: int,
    statuses: Sequence[str],
    limit: int,
    proposal_id: int | None = None,
) -> Sequence[ProposalRow]:
    """Proposals newest first, with their author's and decider's display names."""
    author, decider = aliased(User), aliased(User)
    query = (
        select(RuleProposal, author.display_name, decider.display_name)
        .outerjoin(author, author.id == RuleProposal.author_id)
        .outerjoin(decider, decider.id == RuleProposal.decided_by)
        .where(RuleProposal.circle_id == circle_id, RuleProposal.status.in_(statuses))
        .order_by(RuleProposal.id.desc())
        .limit(limit)
    )
    if proposal_id is not None:
        query = query.where(RuleProposal.id == proposal_id)
    return [(p, a, d) for p, a, d in await db.execute(query)]


async def tallies(db: AsyncSession, proposal_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(endorsements, objections) per proposal."""
    if not proposal_ids:
        return {}
    result = await db.execute(
        select(
            RuleStance.proposal_id,
            func.sum(case((RuleStance.stance == Stance.ENDORSE, 1), else_=0)),
            func.sum(case((RuleStance.stance == Stance.OBJECT, 1), else_=0)),
        )
        .where(RuleStance.proposal_id.in_(proposal_ids))
        .group_by(RuleStance.proposal_id)
    )
    return {pid: (int(e or 0), int(o or 0)) for pid, e, o in result}


async def stances(
    db: AsyncSession, proposal_ids: Sequence[int], user_id: int | None = None
) -> Sequence[tuple[RuleStance, str | None]]:
    """Stances on these proposals (only one member's, if given), with display names."""
    if not proposal_ids:
        return []
    query = (
        select(RuleStance, User.display_name)
        .outerjoin(User, User.id == RuleStance.user_id)
        .where(RuleStance.proposal_id.in_(proposal_ids))
        .order_by(RuleStance.proposal_id, RuleStance.updated_at)
    )
    if user_id is not None:
        query = query.where(RuleStance.user_id == user_id)
    return [(stance, name) for stance, name in await db.execute(query)]


async def set_stance(
    db: AsyncSession, proposal_id: int, user_id: int, stance: str, comment: str
) -> None:
    """One stance per member per proposal: a second one replaces the first."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = {"stance": stance, "comment": comment, "updated_at": utcnow()}
    statement = insert(RuleStance).values(proposal_id=proposal_id, user_id=user_id, **values)
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=[RuleStance.proposal_id, RuleStance.user_id], set_=values
        )
    )
