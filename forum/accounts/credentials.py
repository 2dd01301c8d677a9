"""Changing one's password, and admins changing who is a site moderator or admin.

Both withdraw access that open sockets may still hold, so both announce
`access_changed`: every process re-checks the member's sockets and closes those that
lost it (forum.sockets.guarded).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from forum import security
from forum.accounts import repository
from forum.accounts.models import Role, User
from forum.accounts.service import check_password, username_key
from forum.db import utcnow
from forum.errors import Conflict, Forbidden, Invalid, NotFound
from forum.events import access_changed, emit
from forum.i18n import _
from forum.ratelimit.service import Limits

ROLE_WORDS = {Role.MEMBER: "member", Role.MODERATOR: "site moderator", Role.ADMIN: "admin"}


@dataclass(frozen=True)
class PasswordChanged:
    sessions_ended: int
    tokens_revoked: int


def _new_password(new: str) -> str:
    try:
        return check_password(new)
    except Invalid as exc:
        raise Invalid(exc.message, field="new_password") from None


async def change_password(
    db: AsyncSession,
    user: User,
    current: str,
    new: str,
    limits: Limits,
    kept_session: str | None,
    kept_token: str | None,
) -> PasswordChanged:
    """Set a new password; every other session ends and every other API token is revoked.

    `kept_session` / `kept_token` are the hashes of the credential this request came with:
    whoever changed the password stays signed in there (as on GitHub and Discourse).
    """
    _new_password(new)  # a typo in the new one costs no try
    rules = limits.password_rules(user.id)
    await limits.attempt(db, rules, _("Too many wrong passwords."))
    if not security.verify_password(user.password_hash, current):
        raise Forbidden(
            _("That isn't your current password, so nothing was changed. Please try again."),
            code="wrong_password",
        )
    await limits.passed(db, rules)
    if security.verify_password(user.password_hash, new):
        raise Invalid(
            _("That is your current password. Please choose a new one."),
            field="new_password",
            code="same_password",
        )
    user.password_hash = security.hash_password(new)
    now = utcnow()
    sessions = await repository.revoke_other_sessions(db, user.id, kept_session, now)
    tokens = await repository.revoke_other_tokens(db, user.id, kept_token, now)
    await db.flush()
    await emit(db, access_changed(user.id))  # sockets on the other sign-ins close (4401)
    return PasswordChanged(sessions, tokens)


def require_admin(user: User) -> None:
    if user.role != Role.ADMIN:
        raise Forbidden(
            _("Only admins can change who is a moderator or admin."), code="not_an_admin"
        )


async def set_site_role(db: AsyncSession, admin: User, username: str, role: str) -> User:
    """Make someone a member, site moderator or admin; never leave the site without an admin."""
    require_admin(admin)
    if role not in ROLE_WORDS:
        raise Invalid(_("A role is “member”, “moderator” or “admin”."), field="role")
    target = await repository.get_user_by_key(db, username_key(username))
    if target is None:
        raise NotFound(_("There is no member with that username."), code="no_such_user")
    if target.role == role:
        return target
    if target.role == Role.ADMIN and len(await repository.lock_admins(db)) <= 1:
        raise Conflict(
            _("They are the only admin. Make someone else an admin first."), code="last_admin"
        )
    target.role = role
    await db.flush()
    # A moderator who lost the role: their live review queue closes (4403) everywhere.
    await emit(db, access_changed(target.id))
    return target
