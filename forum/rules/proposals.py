"""Members propose changes to the rules, endorse or object; owners ratify or decline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import User
from forum.accounts.service import require_not_muted
from forum.circles import repository as circles_repository
from forum.circles import service as circles
from forum.circles.models import RuleItem, RuleVersion
from forum.circles.service import CircleView
from forum.db import utcnow
from forum.errors import Conflict, Forbidden, Invalid, NotFound
from forum.i18n import N_, _
from forum.rules import notices, repository, service
from forum.rules.changes import (
    COMMENT_MAX,
    MAX_OPEN_PER_MEMBER,
    MAX_RULES,
    RATIONALE_MAX,
    REASON_MAX,
    SUMMARY_MAX,
    apply,
    check_rule_set,
    clean_text,
    clean_title,
    clean_words,
    conflict,
)
from forum.rules.models import ProposalKind, ProposalStatus, RuleProposal, RuleStance, Stance

CLOSED = (
    ProposalStatus.RATIFIED,
    ProposalStatus.DECLINED,
    ProposalStatus.WITHDRAWN,
    ProposalStatus.OUTDATED,
)
LIST_LIMIT = 100
STATUS_FILTERS = {
    "open": (ProposalStatus.OPEN,),
    "closed": CLOSED,
    "all": (ProposalStatus.OPEN, *CLOSED),
}
CLOSED_WORDS = {
    ProposalStatus.RATIFIED: N_("was ratified"),
    ProposalStatus.DECLINED: N_("was declined"),
    ProposalStatus.WITHDRAWN: N_("was withdrawn"),
    ProposalStatus.OUTDATED: N_("no longer applies to the current rules"),
}


@dataclass(frozen=True)
class ProposalView:
    """A proposal with its tally; `stances` (everyone's, with comments) only for owners."""

    proposal: RuleProposal
    author_name: str | None
    decider_name: str | None
    endorsements: int
    objections: int
    mine: RuleStance | None
    stances: list[tuple[RuleStance, str | None]]
    for_owner: bool


def require_member(view: CircleView, doing: str) -> None:
    if view.membership is None:
        raise Forbidden(
            _("Join this circle (and accept its ground rules) to %(doing)s.") % {"doing": _(doing)},
            code="not_a_member",
        )


def require_voice(user: User, view: CircleView, doing: str) -> None:
    """Proposals and stances are words other members read: like posting, they need the rules
    accepted (some version: a new one is what a member may want to change) and no pause."""
    require_member(view, doing)
    if not view.has_accepted_rules:
        raise Conflict(
            _("Please read this circle's ground rules and accept them to %(doing)s.")
            % {"doing": _(doing)},
            code="rules_not_accepted",
            current_version=view.circle.rules_version,
        )
    require_not_muted(user)


async def propose(
    db: AsyncSession,
    user: User,
    view: CircleView,
    kind: str,
    rule_id: int | None,
    title: str | None,
    text: str | None,
    rationale: str,
    seen_version: int | None = None,
) -> RuleProposal:
    """A member's proposal to add, change or remove a rule, with their reasons."""
    require_voice(user, view, N_("propose changes to its ground rules"))
    circle = view.circle
    rationale = clean_words(
        rationale,
        "rationale",
        RATIONALE_MAX,
        N_("Please say why you're proposing this, so others can weigh it."),
        N_("Your reasons"),
    )
    if await repository.count_open_by(db, circle.id, user.id) >= MAX_OPEN_PER_MEMBER:
        raise Conflict(
            _(
                "You already have %(max_open_per_member)s open proposals in this circle. Please "
                "wait for one to be decided, or withdraw one, before proposing another."
            )
            % {"max_open_per_member": MAX_OPEN_PER_MEMBER},
            code="too_many_open_proposals",
        )
    current = await service.current_items(db, circle)
    proposal = RuleProposal(
        circle_id=circle.id,
        author_id=user.id,
        kind=kind,
        base_version=circle.rules_version,
        rationale=rationale,
    )
    if kind == ProposalKind.ADD:
        if len(current) >= MAX_RULES:
            raise Conflict(
                _(
                    "This circle already has %(max_rules)s ground rules, the most it can have. "
                    "Propose removing or merging one first."
                )
                % {"max_rules": MAX_RULES},
                code="too_many_rules",
            )
        proposal.title, proposal.text = clean_title(title), clean_text(text)
    else:
        if rule_id is None:
            raise Invalid(
                (
                    _("Please say which rule to change (rule_id).")
                    if kind == ProposalKind.CHANGE
                    else _("Please say which rule to remove (rule_id).")
                ),
                field="rule_id",
            )
        item = await service.rule_or_error(db, circle, rule_id)
        if seen_version is not None:
            await _check_unchanged_since(db, view, seen_version, item)
        _aim_at(proposal, item, title, text, len(current))
    problem = conflict(proposal, current, circle.rules_version)
    if problem is not None:
        problem.extra.setdefault("field", "title")
        raise problem
    db.add(proposal)
    await db.flush()
    await notices.tell_members(db, circle, user.id, "proposal", user.display_name)
    return proposal


def _aim_at(
    proposal: RuleProposal, item: RuleItem, title: str | None, text: str | None, count: int
) -> None:
    """A change or removal of `item`: its words as they are, and any new ones."""
    proposal.rule_id = item.rule_id
    proposal.old_title, proposal.old_text = item.title, item.text
    if proposal.kind == ProposalKind.CHANGE:
        proposal.title = clean_title(title) if title and title.strip() else item.title
        proposal.text = clean_text(text) if text and text.strip() else item.text
        if (proposal.title, proposal.text) == (item.title, item.text):
            # Only the stored wording makes this change empty: a conflict, like no_changes.
            raise Conflict(
                _("That's the rule's current wording. Please write the change you'd like."),
                code="no_changes",
                field="text",
            )
    elif count == 1:
        raise Conflict(
            _(
                "This is the circle's only ground rule, and a circle needs at least one. "
                "You could propose changing it instead."
            ),
            code="last_rule",
        )


async def _check_unchanged_since(
    db: AsyncSession, view: CircleView, seen: int, now: RuleItem
) -> None:
    """The proposer read version `seen`: refuse if the rule's words have changed since."""
    circle = view.circle
    if not 1 <= seen <= circle.rules_version:
        # Which versions exist is stored state, as with rules_version_stale elsewhere.
        raise Conflict(
            _(
                "There is no version %(seen)s of these rules; the current one is version "
                "%(rules_version)s."
            )
            % {"seen": seen, "rules_version": circle.rules_version},
            code="unknown_version",
            field="rules_version",
            current_version=circle.rules_version,
        )
    then = await repository.rule_in_version(db, circle.id, now.rule_id, seen)
    if then is None or (then.title, then.text) != (now.title, now.text):
        raise Conflict(
            _(
                "This rule has changed since version %(seen)s, which you were reading. Please read "
                "its current wording (version %(rules_version)s) and propose again if it's still "
                "needed."
            )
            % {"seen": seen, "rules_version": circle.rules_version},
            code="rule_outdated",
            current_version=circle.rules_version,
            current={"id": now.rule_id, "title": now.title, "text": now.text},
        )


async def get_proposal_or_404(
    db: AsyncSession, user: User | None, proposal_id: int, *, for_update: bool = False
) -> tuple[RuleProposal, CircleView]:
    """The proposal and its circle as this member sees it; private circles stay hidden."""
    proposal = await repository.get_proposal(db, proposal_id, for_update=for_update)
    circle = await circles_repository.get_by_id(db, proposal.circle_id) if proposal else None
    if proposal is None or circle is None:
        raise NotFound(_("There is no such proposal."))
    try:
        view = await circles.view_of_or_404(db, circle, user)
    except NotFound:
        raise NotFound(_("There is no such proposal.")) from None
    return proposal, view


def _require_open(proposal: RuleProposal) -> None:
    if proposal.status != ProposalStatus.OPEN:
        words = CLOSED_WORDS.get(ProposalStatus(proposal.status), N_("is closed"))
        raise Conflict(
            _("This proposal %(words)s, so it can't be changed now.") % {"words": _(words)},
            code="proposal_closed",
            status=proposal.status,
        )


async def take_stance(
    db: AsyncSession, user: User, proposal_id: int, stance: str, comment: str
) -> RuleProposal:
    """Endorse or object, with an optional comment; a second stance replaces the first."""
    proposal, view = await get_proposal_or_404(db, user, proposal_id)
    require_voice(user, view, N_("endorse or object to proposals"))
    _require_open(proposal)
    comment = clean_words(comment, "comment", COMMENT_MAX, what=N_("A comment"))
    await repository.set_stance(db, proposal.id, user.id, Stance(stance), comment)
    return proposal


async def ratify(db: AsyncSession, owner: User, proposal_id: int, summary: str) -> RuleVersion:
    """An owner accepts a proposal: a new version of the rules, which they accept too."""
    proposal, view = await get_proposal_or_404(db, owner, proposal_id)
    service.require_owner(view, N_("ratify proposals"))
    # The circle first, then the proposal: the same order as an owner's edit takes them.
    current = await service.locked_items(db, view.circle)
    proposal, view = await get_proposal_or_404(db, owner, proposal_id, for_update=True)
    _require_open(proposal)
    problem = conflict(proposal, current, view.circle.rules_version)
    if problem is not None:
        raise problem
    # Everything that could refuse is checked before anything changes.
    drafts = apply(proposal, current)
    check_rule_set(drafts)
    summary = clean_words(summary, "summary", SUMMARY_MAX, what=N_("A summary"))
    proposal.status = ProposalStatus.RATIFIED
    snapshot = await service.write_version(db, view.circle, current, drafts, summary, owner.id)
    if proposal.kind == ProposalKind.ADD:
        proposal.rule_id = snapshot.items[-1].rule_id
    proposal.ratified_version = snapshot.version.version
    proposal.decided_by, proposal.decided_at = owner.id, utcnow()
    service.accept_own_version(view)
    await db.flush()
    return snapshot.version


async def decline(db: AsyncSession, owner: User, proposal_id: int, reason: str) -> RuleProposal:
    proposal, view = await get_proposal_or_404(db, owner, proposal_id, for_update=True)
    service.require_owner(view, N_("decline proposals"))
    _require_open(proposal)
    proposal.decision_note = clean_words(
        reason,
        "reason",
        REASON_MAX,
        N_("Please give a reason, so the member who proposed it understands."),
        N_("A reason"),
    )
    proposal.status = ProposalStatus.DECLINED
    proposal.decided_by, proposal.decided_at = owner.id, utcnow()
    await db.flush()
    return proposal


async def withdraw(db: AsyncSession, user: User, proposal_id: int) -> RuleProposal:
    proposal, _view = await get_proposal_or_404(db, user, proposal_id, for_update=True)
    if proposal.author_id != user.id:
        raise Forbidden(_("Only the member who made a proposal can withdraw it."))
    _require_open(proposal)
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.decided_by, proposal.decided_at = user.id, utcnow()
    await db.flush()
    return proposal


async def proposal_views(
    db: AsyncSession,
    user: User,
    view: CircleView,
    status: str = "all",
    proposal_id: int | None = None,
) -> list[ProposalView]:
    """Proposals with tallies (a fixed number of statements); comments for owners only."""
    require_member(view, N_("see and take part in proposals to its ground rules"))
    statuses = STATUS_FILTERS.get(status)
    if statuses is None:
        raise Invalid(_("status is one of: open, closed, all."), field="status")
    rows = await repository.proposals(db, view.circle.id, statuses, LIST_LIMIT, proposal_id)
    ids = [p.id for p, _, _ in rows]
    tallies = await repository.tallies(db, ids)
    owner, me = view.is_owner, user.id
    stances = await repository.stances(db, ids, None if owner else user.id)
    by_proposal: dict[int, list[tuple[RuleStance, str | None]]] = {}
    for stance, name in stances:
        by_proposal.setdefault(stance.proposal_id, []).append((stance, name))
    return [
        ProposalView(
            proposal,
            author,
            decider,
            *tallies.get(proposal.id, (0, 0)),
            mine=next((s for s, _ in by_proposal.get(proposal.id, []) if s.user_id == me), None),
            stances=by_proposal.get(proposal.id, []) if owner else [],
            for_owner=owner,
        )
        for proposal, author, decider in rows
    ]


async def one_proposal(db: AsyncSession, user: User, proposal_id: int) -> ProposalView:
    _proposal, view = await get_proposal_or_404(db, user, proposal_id)
    found = await proposal_views(db, user, view, "all", proposal_id)
    if not found:
        raise NotFound(_("There is no such proposal."))
    return found[0]


def split(views: Sequence[ProposalView]) -> tuple[list[ProposalView], list[ProposalView]]:
    """Open proposals, and the closed ones."""
    return (
        [v for v in views if v.proposal.status == ProposalStatus.OPEN],
        [v for v in views if v.proposal.status != ProposalStatus.OPEN],
    )
