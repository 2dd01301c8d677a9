"""Live events a write announces: delivered to every process only once its transaction commits.

A service calls `await emit(db, event)` inside the unit of work. On PostgreSQL that is a
`pg_notify` in the same transaction (so a rollback sends nothing and every process hears
it in commit order); on SQLite the event waits in the session until the request boundary
commits and hands it to `Live.committed`. Events carry ids only; see `forum.live`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from realtime.pg_relay import CHANNEL, encode_payload

PENDING = "circles.live_events"
LiveEvent = dict[str, Any]


async def emit(db: AsyncSession, event: LiveEvent) -> None:
    await emit_many(db, [event])


async def emit_many(db: AsyncSession, batch: list[LiveEvent]) -> None:
    """Announce several events with one statement, heard in this order."""
    if not batch:
        return
    db.info.setdefault(PENDING, []).extend(batch)
    if db.get_bind().dialect.name == "postgresql":
        # Select-list items are evaluated left to right, so the notifications keep order.
        notify = [func.pg_notify(CHANNEL, encode_payload(event)) for event in batch]
        await db.execute(select(*notify))


def take_pending(db: AsyncSession) -> list[LiveEvent]:
    """The events of a committed transaction, once."""
    events: list[LiveEvent] = db.info.pop(PENDING, [])
    return events


def chat_message(room_id: int, message_id: int) -> LiveEvent:
    """A message joined the room (sent, or approved by a moderator)."""
    return {"kind": "message", "room_id": room_id, "id": message_id}


def chat_removed(room_id: int, message_id: int) -> LiveEvent:
    return {"kind": "removed", "room_id": room_id, "id": message_id}


def chat_reactions(room_id: int, message_id: int, counts: dict[str, int]) -> LiveEvent:
    """A message's supportive reactions changed: the room hears the new counts."""
    return {"kind": "reactions", "room_id": room_id, "id": message_id, "counts": counts}


def queue_changed(
    change: str, item_id: int, circle_id: int, priority: int, crisis_level: str, held: bool
) -> LiveEvent:
    """A review item was opened, grew, was claimed or was decided."""
    return {
        "kind": "queue",
        "change": change,
        "item_id": item_id,
        "circle_id": circle_id,
        "priority": priority,
        "crisis_level": crisis_level,
        "held": held,
    }


def notification(user_id: int, notification_id: int) -> LiveEvent:
    """A member was told something (see forum/notifications)."""
    return {"kind": "notification", "user_id": user_id, "id": notification_id}


def notifications_read(user_id: int, unread: int) -> LiveEvent:
    """A member read notifications: their other open pages update the bell."""
    return {"kind": "notifications_read", "user_id": user_id, "unread": unread}


def access_changed(user_id: int) -> LiveEvent:
    """A member signed out, lost a session or token, left a circle, lost a role or was
    deleted: each of their open sockets checks again whether it may stay open."""
    return {"kind": "access", "user_id": user_id}
