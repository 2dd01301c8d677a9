"""Who is in a circle; owners and moderators remove and ban members (each change is logged
in the circle's moderation log and closes the member's open sockets in its rooms)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts import repository as accounts_repository
from forum.accounts.models import Role, User
from forum.accounts.service import username_key
from forum.circle_moderation.service import log_member_change
from forum.circles import repository
from forum.circles.models import CircleBan, CircleRole, Membership
from forum.circles.service import CircleView
from forum.errors import Conflict, Forbidden, Invalid, NotFound
from forum.events import access_changed, emit
from forum.i18n import _

MAX_REASON = 500
# The members page lists at most this many; a circle bigger than that is rare here.
MEMBERS_SHOWN = 500


@dataclass(frozen=True)
class MemberRow:
    user: User
    membership: Membership
    # Whether the one looking may remove or ban this member.
    can_manage: bool


@dataclass(frozen=True)
class BanRow:
    ban: CircleBan
    user: User
    banned_by: str


async def view_or_404(db: AsyncSession, slug: str, user: User) -> CircleView:
    """The circle as `user` sees it; site staff look after private circles too."""
    circle = await repository.get_by_slug(db, slug)
    if circle is None:
        raise NotFound(_("There is no circle at this address."))
    membership = await repository.get_membership(db, circle.id, user.id)
    if not circle.is_public and membership is None and not user.is_staff:
        raise NotFound(_("There is no circle at this address."))
    return CircleView(circle, membership)


def manages(actor: User, view: CircleView) -> bool:
    """Owners and moderators of the circle, and site staff, remove and ban members."""
    role = view.membership.role if view.membership is not None else None
    return actor.is_staff or role in (CircleRole.OWNER, CircleRole.MODERATOR)


def _owner_standing(actor: User, view: CircleView) -> bool:
    role = view.membership.role if view.membership is not None else None
    return actor.role == Role.ADMIN or role == CircleRole.OWNER


def may_act_on(actor: User, view: CircleView, target: Membership | None) -> bool:
    """Moderators (the circle's or the site's) can't remove or ban owners; nobody acts on
    themselves here (leaving is its own button)."""
    if not manages(actor, view) or (target is not None and target.user_id == actor.id):
        return False
    return target is None or target.role != CircleRole.OWNER or _owner_standing(actor, view)


def require_manages(actor: User, view: CircleView) -> None:
    if not manages(actor, view):
        raise Forbidden(
            _("Only this circle's owners and moderators can remove or ban members."),
            code="not_a_moderator",
        )


async def _target(db: AsyncSession, actor: User, username: str, verb: str) -> User:
    target = await accounts_repository.get_user_by_key(db, username_key(username))
    if target is None:
        raise NotFound(_("There is no member with that username."), code="no_such_user")
    if target.id == actor.id:
        # 409 as for blocking yourself: the name is valid, it is who is asking that refuses it.
        raise Conflict(
            _("You can't remove yourself. To go, use “Leave this circle”.")
            if verb == "remove"
            else _("You can't ban yourself. To go, use “Leave this circle”."),
            code="yourself",
        )
    return target


async def _take_membership(
    db: AsyncSession, actor: User, view: CircleView, membership: Membership
) -> None:
    """Delete the membership if the actor may; never the circle's last owner."""
    if not may_act_on(actor, view, membership):
        raise Forbidden(
            _("Only owners (and site admins) can remove or ban an owner."), code="target_is_owner"
        )
    if membership.role == CircleRole.OWNER:
        owners = await repository.lock_owners(db, view.circle.id)
        if len(owners) <= 1:
            raise Conflict(
                _(
                    "They are this circle's only owner, so they can't be removed. "
                    "Make someone else an owner first."
                ),
                code="last_owner",
            )
    await db.delete(membership)
    await db.flush()


async def remove_member(db: AsyncSession, actor: User, view: CircleView, username: str) -> User:
    """Remove a member; they may join again (a public circle) unless banned."""
    require_manages(actor, view)
    target = await _target(db, actor, username, "remove")
    membership = await repository.get_membership(db, view.circle.id, target.id)
    if membership is None:
        raise NotFound(_("They are not a member of this circle."), code="not_a_member")
    await _take_membership(db, actor, view, membership)
    change = {"kind": "member_removed", "member": target.display_name, "user_id": target.id}
    await log_member_change(db, actor, view.circle.id, change)
    await emit(db, access_changed(target.id))  # their sockets in its rooms close
    return target


def _check_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise Invalid(
            _("A reason can be at most %(max_reason)s characters.") % {"max_reason": MAX_REASON},
            field="reason",
        )
    return reason


async def ban_member(
    db: AsyncSession, actor: User, view: CircleView, username: str, reason: str
) -> tuple[User, CircleBan]:
    """Ban someone (a member or not): no membership, no rejoining, no writing here."""
    require_manages(actor, view)
    reason = _check_reason(reason)
    target = await _target(db, actor, username, "ban")
    # Joining and invitations lock the same row: whichever comes second sees the other.
    await accounts_repository.lock_user(db, target.id)
    if await repository.get_ban(db, view.circle.id, target.id) is not None:
        raise Conflict(_("They are already banned from this circle."), code="already_banned")
    membership = await repository.get_membership(db, view.circle.id, target.id)
    if membership is not None:
        await _take_membership(db, actor, view, membership)
    ban = CircleBan(circle_id=view.circle.id, user_id=target.id, banned_by=actor.id, reason=reason)
    db.add(ban)
    await db.flush()
    change = {
        "kind": "member_banned",
        "member": target.display_name,
        "user_id": target.id,
        "reason": reason,
    }
    await log_member_change(db, actor, view.circle.id, change)
    await emit(db, access_changed(target.id))
    return target, ban


async def lift_ban(db: AsyncSession, actor: User, view: CircleView, username: str) -> User:
    require_manages(actor, view)
    target = await accounts_repository.get_user_by_key(db, username_key(username))
    if target is None or not await repository.delete_ban(db, view.circle.id, target.id):
        raise NotFound(
            _("Nobody with that username is banned from this circle."), code="not_banned"
        )
    change = {"kind": "ban_lifted", "member": target.display_name, "user_id": target.id}
    await log_member_change(db, actor, view.circle.id, change)
    return target


async def list_bans(db: AsyncSession, actor: User, view: CircleView) -> list[BanRow]:
    require_manages(actor, view)
    rows = await repository.list_bans(db, view.circle.id)
    return [BanRow(ban, user, by or _("a former member")) for ban, user, by in rows]


async def list_members(db: AsyncSession, viewer: User, view: CircleView) -> list[MemberRow]:
    """Members (and site staff) see who is in the circle; outsiders don't, since being
    in a support circle says something private about a person."""
    if view.membership is None and not viewer.is_staff:
        raise Forbidden(_("Only this circle's members can see who is in it."), code="not_a_member")
    rows = await repository.list_members(db, view.circle.id, MEMBERS_SHOWN)
    return [MemberRow(user, m, may_act_on(viewer, view, m)) for m, user in rows]


def member_json(row: MemberRow, manager: bool) -> dict[str, object]:
    data: dict[str, object] = {
        "display_name": row.user.display_name,
        "role": row.membership.role,
        "joined_at": row.membership.joined_at.isoformat(),
    }
    if manager:  # usernames are how removals and bans name someone
        data["username"] = row.user.username
        data["can_manage"] = row.can_manage
    return data


def ban_json(row: BanRow) -> dict[str, object]:
    return {
        "username": row.user.username,
        "display_name": row.user.display_name,
        "reason": row.ban.reason,
        "banned_by": row.banned_by,
        "created_at": _iso(row.ban.created_at),
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def members_json(rows: Sequence[MemberRow], manager: bool) -> list[dict[str, object]]:
    return [member_json(row, manager) for row in rows]
