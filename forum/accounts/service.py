"""Registering, signing in and out, sessions and personal tokens."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from forum import names, security
from forum.accounts import repository
from forum.accounts.models import ApiToken, AuthSession, Role, User
from forum.content_warnings import check_warnings
from forum.db import utcnow
from forum.errors import Conflict, Forbidden, Invalid, NotFound
from forum.events import access_changed, emit
from forum.i18n import LANGUAGES, N_, _
from forum.times import day_and_month
from moderation.content_warnings import TREATMENTS, full_prefs

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 256


def username_key(username: str) -> str:
    return username.strip().casefold()


def check_username(username: str) -> str:
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise Invalid(
            _("Usernames are 3 to 32 characters: letters, numbers, dots, dashes and underscores."),
            field="username",
        )
    return username


STAFF_NAME = N_(
    "Display names can't suggest that you speak for Circles, like “Moderator”, “Admin” or "
    "“Support team”, so nobody mistakes a member for the team. Please choose another name."
)
LOOKALIKE_NAME = N_(
    "That display name looks too much like another member's, so people could mistake one of "
    "you for the other. Please choose a different name."
)


def check_display_name(display_name: str, role: str = Role.MEMBER) -> str:
    """The name as it will be shown: NFKC, no invisible characters, not passing for staff.

    Moderators and admins may use those words: their role, not their name, gives the badge.
    """
    display_name = names.clean(display_name)
    if not 1 <= len(display_name) <= 48:
        raise Invalid(_("Display names are 1 to 48 characters."), field="display_name")
    if role == Role.MEMBER and names.imitates_staff(display_name):
        raise Invalid(_(STAFF_NAME), field="display_name", code="name_imitates_staff")
    return display_name


async def _name_key(db: AsyncSession, display_name: str, user_id: int | None) -> str:
    """The name's lookalike key, or Invalid if another member's name has it already."""
    key = names.name_key(display_name)
    if await repository.name_key_taken(db, key, user_id):
        raise Conflict(_(LOOKALIKE_NAME), field="display_name", code="name_looks_taken")
    return key


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise Invalid(
            _("Passwords need at least %(min)d characters. A few words together work well.")
            % {"min": MIN_PASSWORD},
            field="password",
        )
    if len(password) > MAX_PASSWORD:
        raise Invalid(
            _("Passwords can be at most %(max)d characters.") % {"max": MAX_PASSWORD},
            field="password",
        )
    return password


async def register(
    db: AsyncSession,
    username: str,
    password: str,
    display_name: str,
    role: Role = Role.MEMBER,
) -> User:
    username = check_username(username)
    display_name = check_display_name(display_name, role)
    check_password(password)
    if await repository.get_user_by_key(db, username_key(username)) is not None:
        raise Conflict(_("That username is taken. Please choose another."), code="username_taken")
    user = User(
        username=username,
        username_key=username_key(username),
        display_name=display_name,
        display_name_key=await _name_key(db, display_name, None),
        password_hash=security.hash_password(password),
        role=role,
    )
    db.add(user)
    await db.flush()
    return user


async def authenticate(db: AsyncSession, username: str, password: str) -> User | None:
    """The member if the password matches; the same slow check runs for unknown names."""
    user = await repository.get_user_by_key(db, username_key(username))
    ok = security.verify_password(user.password_hash if user else None, password)
    return user if ok and user is not None else None


async def start_session(db: AsyncSession, user: User, user_agent: str, days: int) -> str:
    token = security.new_token()
    db.add(
        AuthSession(
            token_hash=security.token_hash(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(days=days),
            user_agent=user_agent[:200],
        )
    )
    await db.flush()
    return token


async def end_session(db: AsyncSession, token: str) -> None:
    user = await user_for_session_token(db, token)
    await repository.revoke_session_by_hash(db, security.token_hash(token), utcnow())
    if user is not None:  # sockets opened with this session close (forum.sockets)
        await emit(db, access_changed(user.id))


async def user_for_session_token(db: AsyncSession, token: str) -> User | None:
    return await repository.user_for_session(db, security.token_hash(token), utcnow())


async def user_for_bearer_token(db: AsyncSession, token: str) -> User | None:
    return await repository.user_for_api_token(db, security.token_hash(token))


async def create_api_token(db: AsyncSession, user: User, name: str) -> str:
    token = security.new_token()
    db.add(ApiToken(token_hash=security.token_hash(token), user_id=user.id, name=name[:64]))
    await db.flush()
    return token


async def revoke_session(db: AsyncSession, user: User, session_id: int) -> None:
    if not await repository.revoke_session(db, user.id, session_id, utcnow()):
        raise NotFound(_("That session was not found or has already ended."))
    await emit(db, access_changed(user.id))


async def revoke_api_token(db: AsyncSession, user: User, token_id: int) -> None:
    if not await repository.revoke_token(db, user.id, token_id, utcnow()):
        raise NotFound(_("That token was not found or has already been revoked."))
    await emit(db, access_changed(user.id))


async def update_profile(db: AsyncSession, user: User, display_name: str) -> User:
    display_name = check_display_name(display_name, user.role)
    key = await _name_key(db, display_name, user.id)
    user.display_name, user.display_name_key = display_name, key
    await db.flush()
    return user


async def sessions_and_tokens(
    db: AsyncSession, user: User
) -> tuple[Sequence[AuthSession], Sequence[ApiToken]]:
    sessions = await repository.list_sessions(db, user.id, utcnow())
    return sessions, await repository.list_tokens(db, user.id)


async def set_region(db: AsyncSession, user: User, region: str) -> User:
    """A two-letter country code for crisis resources; empty means "from my browser"."""
    region = region.strip().upper()
    if region and not re.fullmatch(r"[A-Z]{2}", region):
        raise Invalid(
            _("Choose a country, or leave it to your browser's language."), field="region"
        )
    user.region = region or None
    await db.flush()
    return user


def check_locale(locale: str | None) -> str | None:
    """One of the languages Circles speaks (forum.i18n.LANGUAGES); empty or None means
    "follow my browser's language"."""
    if not locale:
        return None
    if locale not in LANGUAGES:
        raise Invalid(
            _(
                "Circles speaks %(languages)s. Choose one of them, or nothing to follow your "
                "browser's language."
            )
            % {"languages": ", ".join(f"{name} ({code})" for code, name in LANGUAGES.items())},
            field="locale",
            code="unknown_locale",
        )
    return locale


async def set_locale(db: AsyncSession, user: User, locale: str | None) -> User:
    """The language pages speak to this member, from their next request; None follows
    their browser's (Accept-Language)."""
    user.locale = check_locale(locale)
    await db.flush()
    return user


async def set_presence_hidden(db: AsyncSession, user: User, hidden: bool) -> User:
    """Hidden members can chat but are not listed under "Here now" (from their next visit)."""
    user.hide_presence = hidden
    await db.flush()
    return user


async def set_content_warning_prefs(
    db: AsyncSession, user: User, prefs: Mapping[str, str]
) -> dict[str, str]:
    """How this member sees each content warning; warnings not named keep their choice."""
    check_warnings(prefs, field="content_warning_prefs")
    for key, how in prefs.items():
        if how not in TREATMENTS:
            raise Invalid(
                _("For %(warning)s, choose “show”, “blur” or “hide”.") % {"warning": key},
                field=f"content_warning_prefs.{key}",
            )
    # A fresh dict: the JSON column only notices assignment, not changes inside it.
    user.content_warning_prefs = {**(user.content_warning_prefs or {}), **prefs}
    await db.flush()
    return full_prefs(user.content_warning_prefs)


def require_not_muted(user: User) -> None:
    """Members a moderator has paused can read but not write, until the pause ends."""
    if user.muted_until is not None and user.muted_until > utcnow():
        raise Forbidden(
            _(
                "A moderator has paused your posting until %(day)s at %(time)s UTC. "
                "You can still read."
            )
            % {"day": day_and_month(user.muted_until), "time": user.muted_until.strftime("%H:%M")},
            code="muted",
        )
