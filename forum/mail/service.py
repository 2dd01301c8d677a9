"""A member's e-mail address: adding and verifying it, and resetting a password with it."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from forum import security
from forum.accounts import repository as accounts_repository
from forum.accounts.models import User
from forum.accounts.service import check_password, username_key
from forum.db import utcnow
from forum.errors import Conflict, Invalid, NotFound
from forum.events import access_changed, emit
from forum.i18n import N_, _, using
from forum.mail import letters, repository
from forum.mail.models import MailToken, MemberEmail
from forum.mail.sender import Mail

# Plain ASCII addresses, as every mail server takes them; the API document declares the same.
EMAIL_PATTERN = (
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
MAX_EMAIL = 254
VERIFY_TTL = timedelta(hours=24)
RESET_TTL = timedelta(hours=1)
# What JSON Schema's `\s` (ECMAScript's) counts as space: a login of only these is blank.
ECMA_SPACE = frozenset(
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
BAD_ADDRESS = N_(
    "That doesn't look like an e-mail address. Please check it: it should look like "
    "name@example.org."
)


@dataclass(frozen=True)
class EmailState:
    address: str | None
    verified: bool
    digest: bool

    def as_json(self) -> dict[str, object]:
        return {"email": self.address, "verified": self.verified, "digest": self.digest}


def state_of(email: MemberEmail | None) -> EmailState:
    if email is None:
        return EmailState(None, False, False)
    return EmailState(email.address, email.verified_at is not None, email.digest)


def check_address(raw: str) -> str:
    address = raw.strip()
    if len(address) > MAX_EMAIL or not re.fullmatch(EMAIL_PATTERN, address):
        raise Invalid(_(BAD_ADDRESS), field="email", code="bad_email")
    return address


async def email_state(db: AsyncSession, user: User) -> EmailState:
    return state_of(await repository.get_email(db, user.id))


async def _new_token(
    db: AsyncSession, user: User, purpose: str, ttl: timedelta, address: str
) -> str:
    token = security.new_token()
    now = utcnow()
    await repository.prune_tokens(db, user.id, now)
    await repository.use_tokens(db, user.id, purpose, now)  # only the newest link works
    await repository.add_token(
        db,
        MailToken(
            token_hash=security.token_hash(token),
            user_id=user.id,
            purpose=purpose,
            address=address,
            expires_at=now + ttl,
        ),
    )
    return token


async def set_email(
    db: AsyncSession, user: User, raw: str, base_url: str
) -> tuple[EmailState, Mail]:
    """Keep the address unverified and make the mail that verifies it."""
    address = check_address(raw)
    email = await repository.get_email(db, user.id)
    if email is None:
        email = MemberEmail(user_id=user.id, address=address, address_key=address.casefold())
        db.add(email)
    else:
        email.address, email.address_key = address, address.casefold()
        email.verified_at = None
    # Links already mailed to an earlier address stop working.
    await repository.use_tokens(db, user.id, "reset", utcnow())
    token = await _new_token(db, user, "verify", VERIFY_TTL, address)
    await db.flush()
    link = f"{base_url}/account/email/verify?token={token}"
    with using(letters.language_of(user)):
        mail = letters.verify_address(user.display_name, link)
    return state_of(email), replace(mail, to=address)


async def _usable_token(db: AsyncSession, token: str, purpose: str) -> MailToken:
    found = await repository.find_token(db, security.token_hash(token.strip()), purpose)
    if found is None:
        raise NotFound(
            _(
                "This link isn't one we sent, or it was replaced by a newer one. "
                "Please use the newest mail, or ask for a new link."
            ),
            code="link_not_found",
        )
    if found.used_at is not None:
        raise Conflict(
            _(
                "This link has already been used (each one works once). "
                "If you still need to, please ask for a new one."
            ),
            code="link_used",
        )
    if found.expires_at <= utcnow():
        raise Conflict(
            _("This link has expired. Please ask for a new one."),
            code="link_expired",
        )
    return found


async def verify_email(db: AsyncSession, token: str, user: User | None = None) -> EmailState:
    """Verify the address a link was sent to; `user`, when given, must be its member."""
    found = await _usable_token(db, token, "verify")
    email = await repository.get_email(db, found.user_id)
    if (user is not None and found.user_id != user.id) or email is None:
        raise NotFound(_("This link isn't for your account."), code="link_not_found")
    if email.address != found.address:
        raise Conflict(
            _("This link was for an address you have since changed."), code="link_expired"
        )
    found.used_at = email.verified_at = utcnow()
    await db.flush()
    return state_of(email)


async def remove_email(db: AsyncSession, user: User) -> EmailState:
    now = utcnow()
    await repository.delete_email(db, user.id)
    await repository.use_tokens(db, user.id, "verify", now)
    await repository.use_tokens(db, user.id, "reset", now)
    return state_of(None)


async def set_digest(db: AsyncSession, user: User, on: bool) -> EmailState:
    email = await repository.get_email(db, user.id)
    if email is None:
        raise Conflict(
            _("Please add an e-mail address first: the summary is sent there."), code="no_email"
        )
    email.digest = on
    await db.flush()
    return state_of(email)


async def request_reset(db: AsyncSession, login: str, base_url: str) -> list[Mail]:
    """The reset mails for `login` (a username or an address): none when nothing is known.

    The caller answers the same whatever this finds, so nobody learns who has an account.
    """
    if all(char in ECMA_SPACE for char in login):
        raise Invalid(_("Please enter your username or e-mail address."), field="login")
    if len(login) > MAX_EMAIL:
        raise Invalid(
            _("That is longer than any username or address (%(max_email)s characters at most).")
            % {"max_email": MAX_EMAIL},
            field="login",
        )
    login = login.strip()
    if "@" in login:
        found = list(await repository.verified_users(db, login.casefold()))
    else:
        user = await accounts_repository.get_user_by_key(db, username_key(login))
        email = await repository.get_email(db, user.id) if user is not None else None
        found = (
            [(user, email.address)]
            if user is not None and email is not None and email.verified_at is not None
            else []
        )
    mails = []
    for user, address in found:
        token = await _new_token(db, user, "reset", RESET_TTL, address)
        link = f"{base_url}/reset-password?token={token}"
        with using(letters.language_of(user)):
            mail = letters.reset_password(user.display_name, user.username, link)
        mails.append(replace(mail, to=address))
    return mails


async def confirm_reset(db: AsyncSession, token: str, new_password: str) -> User:
    """Set the new password; every session ends and every API token is revoked."""
    try:
        check_password(new_password)  # a typo costs no link
    except Invalid as exc:
        raise Invalid(exc.message, field="new_password") from None
    found = await _usable_token(db, token, "reset")
    user = await accounts_repository.get_user(db, found.user_id)
    if user is None:
        raise NotFound(_("This link isn't one we sent."), code="link_not_found")
    now = utcnow()
    user.password_hash = security.hash_password(new_password)
    await repository.use_tokens(db, user.id, "reset", now)
    await accounts_repository.revoke_other_sessions(db, user.id, None, now)
    await accounts_repository.revoke_other_tokens(db, user.id, None, now)
    await db.flush()
    await emit(db, access_changed(user.id))  # open sockets close (4401)
    return user
