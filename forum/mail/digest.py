"""The daily digest: one mail per member who asked for it, with what is unread since the
last one. Run by `circles digest` (from cron or a systemd timer, once a day or more often).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from forum.accounts import repository as accounts_repository
from forum.db import transaction, utcnow
from forum.i18n import using
from forum.mail import letters, repository
from forum.mail.sender import Mailer

log = logging.getLogger("circles.mail")
MOST = 20  # notifications listed in one mail; the rest are a link


async def send_digests(
    sessions: async_sessionmaker[AsyncSession], mailer: Mailer, now: datetime | None = None
) -> int:
    """Send every digest due today; how many were sent."""
    now = now or utcnow()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    async with sessions() as db:
        due = await repository.digest_due(db, day_start)
    sent = 0
    for user_id, last in due:
        if await _send_one(sessions, mailer, user_id, last, now):
            sent += 1
    return sent


async def _send_one(
    sessions: async_sessionmaker[AsyncSession],
    mailer: Mailer,
    user_id: int,
    last: datetime | None,
    now: datetime,
) -> bool:
    # Claim today's digest first, in its own transaction: two runs at once send one mail.
    async with transaction(sessions) as db:
        found = await repository.unread_since(db, user_id, last, MOST)
        if not found or not await repository.record_digest(db, user_id, now):
            return False
        row = await repository.get_email(db, user_id)
        user = await accounts_repository.get_user(db, user_id)
        assert row is not None and user is not None
        with using(letters.language_of(user)):
            mail = letters.digest(
                user.display_name, found, user.unread_notifications, mailer.settings.base_url
            )
        mail = replace(mail, to=row.address)
    try:
        await mailer.send(mail)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("digest for member %s not sent: %s", user_id, exc)
        async with transaction(sessions) as db:  # not sent: the next run tries again
            await repository.set_digest_sent(db, user_id, last)
        return False
    return True
