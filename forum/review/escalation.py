"""Nothing waits silently: an urgent crisis item nobody claims in time is escalated.

Escalating pushes the item again to every moderator with the live queue open, records it
(once per item), and, when no moderator is online to see the push, tells the author kindly
that it may take a while and gives them their crisis lines again. The site admin sets how
long is too long; the app's background task calls `escalate_overdue` every little while.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from forum.accounts import repository as accounts_repository
from forum.accounts.models import User
from forum.db import utcnow
from forum.errors import Invalid
from forum.i18n import gettext
from forum.live import ALL_CIRCLES, Live
from forum.notifications.service import notify
from forum.review import repository, resources, wording
from forum.review.models import SITE_SETTINGS_ID, ReviewItem, SiteSettings
from forum.review.service import announce_item
from realtime.hub import Hub

log = logging.getLogger("circles.escalation")

DEFAULT_MINUTES = 5
MIN_MINUTES, MAX_MINUTES = 1, 240
# Is a moderator (other than the author) watching the live queue for this item?
Online = Callable[[ReviewItem], bool]


@dataclass(frozen=True)
class Escalated:
    item_id: int
    author_told: bool


async def escalate_after(db: AsyncSession) -> int:
    """Minutes an urgent item may wait unclaimed (the admin's setting, else the default)."""
    found = await repository.site_settings(db)
    return found.escalate_after_minutes if found is not None else DEFAULT_MINUTES


async def set_escalate_after(db: AsyncSession, admin: User, minutes: int) -> SiteSettings:
    resources.require_admin(admin)
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise Invalid(
            gettext(
                "Choose between %(low)d and %(high)d minutes before an urgent item is escalated."
            )
            % {"low": MIN_MINUTES, "high": MAX_MINUTES},
            field="escalate_after_minutes",
        )
    found = await repository.site_settings(db)
    if found is None:
        found = SiteSettings(id=SITE_SETTINGS_ID)
        db.add(found)
    found.escalate_after_minutes = minutes
    found.updated_at = utcnow()
    found.updated_by = admin.id
    await db.flush()
    return found


def moderators_online(hub: Hub) -> Online:
    """Whether someone other than the author has the item's queue open in this process."""

    def online(item: ReviewItem) -> bool:
        return any(
            subscriber.member_id != item.author_id
            for key in (ALL_CIRCLES, item.circle_id)
            for subscriber in hub.subscribers(key)
        )

    return online


async def _tell_author(db: AsyncSession, author_id: int, item: ReviewItem) -> bool:
    author = await accounts_repository.get_user(db, author_id)
    if author is None:
        return False
    # No request here, so no browser language: the profile's region, else the lines for
    # everywhere; the link opens the support page, which reads their language. The words
    # are put together when the notification is read, in the reader's language.
    region = author.region or "*"
    lines = [
        {"name": r.name, "phone": r.phone, "other": r.url or r.sms}
        for r in await resources.resources_for(db, region)
    ]
    data = {"item_id": item.id, "region": region, "message": wording.WAITING, "lines": lines}
    await notify(db, author_id, "support_waiting", data)
    return True


async def escalate_overdue(db: AsyncSession, now: datetime, online: Online) -> list[Escalated]:
    """Escalate every urgent item unclaimed for longer than the admin allows, each once."""
    minutes = await escalate_after(db)
    done = []
    for item in await repository.overdue_urgent(db, now - timedelta(minutes=minutes), now):
        if not await repository.mark_overdue(db, item.id, now):
            continue
        await announce_item(db, "overdue", item)
        told = False
        if item.author_id is not None and not online(item):
            told = await _tell_author(db, item.author_id, item)
        done.append(Escalated(item.id, told))
    await db.flush()
    return done


async def run_escalations(
    sessions: async_sessionmaker[AsyncSession], live: Live, interval: float
) -> None:
    """The lifespan's background task: check, commit, announce, sleep; forever."""
    online = moderators_online(live.queue_hub)
    while True:
        try:
            async with sessions() as db:
                escalated = await escalate_overdue(db, utcnow(), online)
                await db.commit()
            live.committed(db)
            if escalated:
                log.warning("escalation: %d urgent items waited too long", len(escalated))
        except Exception:  # a failed pass must not end the checks
            log.exception("escalation: a pass failed; trying again next time")
        await asyncio.sleep(interval)
