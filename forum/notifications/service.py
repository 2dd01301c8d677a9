"""Telling a member something: storing it, listing it, marking it read, pushing it live."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from forum import events
from forum.accounts.models import User
from forum.db import utcnow
from forum.errors import Invalid
from forum.i18n import gettext, using
from forum.notifications import repository
from forum.notifications.kinds import KINDS, OPTIONAL
from forum.notifications.models import Notification
from forum.notifications.settings import Settings

PAGE = 50
MAX_IDS = 200
EMIT_BATCH = 100  # live events per statement when a whole circle is told something


async def notify(
    db: AsyncSession, user_id: int, kind: str, data: dict[str, Any]
) -> Notification | None:
    """Store a notification for `user_id`; it is pushed to their open pages after commit.

    A kind the member may turn off (`OPTIONAL`) is not stored if they did, and waits
    unpushed in their quiet hours. What the moderators say always arrives at once.
    """
    told = await notify_many(db, [user_id], kind, data)
    return told[0] if told else None


async def notify_many(
    db: AsyncSession, user_ids: Sequence[int], kind: str, data: dict[str, Any]
) -> list[Notification]:
    """The same notification for several members (a circle's), each by their settings."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")  # a programming error
    user_ids = sorted(set(user_ids))  # one lock order for every writer of these rows
    if not user_ids:
        return []
    push = set(user_ids)
    if kind in OPTIONAL:
        now = utcnow()
        settings = {
            user_id: Settings.of(doc) for user_id, doc in await repository.preferences(db, user_ids)
        }
        user_ids = [u for u in user_ids if u in settings and settings[u].wants(kind)]
        push = {u for u in user_ids if not settings[u].quiet_at(now)}
    told = await repository.add_many(db, user_ids, kind, data)
    pushed = [events.notification(n.user_id, n.id) for n in told if n.user_id in push]
    for start in range(0, len(pushed), EMIT_BATCH):
        await events.emit_many(db, pushed[start : start + EMIT_BATCH])
    return told


def settings_of(user: User) -> Settings:
    return Settings.of(user.notification_prefs)


async def change_settings(db: AsyncSession, user: User, settings: Settings) -> Settings:
    user.notification_prefs = settings.document()
    await db.flush()
    return settings


def notification_json(notification: Notification) -> dict[str, Any]:
    kind = KINDS.get(notification.kind)
    return {
        "id": notification.id,
        "kind": notification.kind,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
        "text": kind.text(notification.data) if kind else "",
        "url": kind.url(notification.data) if kind else "/notifications",
    }


async def newest(db: AsyncSession, user: User) -> list[Notification]:
    return list(await repository.newest(db, user.id, PAGE))


def check_ids(ids: list[int] | None) -> list[int] | None:
    if ids is not None and len(ids) > MAX_IDS:
        raise Invalid(
            gettext("Mark at most %(count)d notifications at once.") % {"count": MAX_IDS},
            field="ids",
        )
    return ids


async def mark_read(db: AsyncSession, user: User, ids: list[int] | None) -> int:
    """Mark these notifications (all when `ids` is None) read; the unread count after."""
    unread = await repository.mark_read(db, user.id, check_ids(ids), utcnow())
    await events.emit(db, events.notifications_read(user.id, unread))
    return unread


async def live_events(db: AsyncSession, ids: list[int]) -> dict[int, tuple[int, dict[str, Any]]]:
    """For each notification id: its member and the event their open pages are sent."""
    found = {}
    for notification, unread, locale in await repository.with_unread_counts(db, ids):
        with using(locale or "en"):  # the words are the recipient's, not the sender's
            event = {
                "type": "notification",
                "notification": notification_json(notification),
                "unread": unread,
            }
        found[notification.id] = (notification.user_id, event)
    return found


async def unread_of_kind(
    db: AsyncSession, user_ids: list[int], kind: str
) -> dict[int, list[Notification]]:
    """Each member's unread notifications of one kind."""
    found: dict[int, list[Notification]] = {}
    for notification in await repository.unread_of_kind(db, user_ids, kind):
        found.setdefault(notification.user_id, []).append(notification)
    return found


async def unread_count(db: AsyncSession, user: User) -> int:
    return await repository.unread_count(db, user.id)


async def unread_events(db: AsyncSession, user_ids: list[int]) -> dict[int, dict[str, Any]]:
    """For each member: the event that sets their bell to their unread count now."""
    counts = await repository.unread_counts(db, user_ids)
    return {user_id: {"type": "unread", "count": count} for user_id, count in counts.items()}
