"""What a decision tells the author of the content it was about."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from forum.notifications.service import notify, notify_many
from forum.review import repository
from forum.review.content import ContentInfo
from forum.review.models import ReviewItem

TOLD = frozenset({"approve", "reject", "remove"})


async def tell_author(
    db: AsyncSession,
    item: ReviewItem,
    verdict: str,
    rule: dict[str, Any] | None,
    note: str,
    before: ContentInfo | None,
) -> None:
    """Notify the author of an approval, rejection or removal, with the rule and the note.

    Approving what was already public changes nothing for its author, and telling them
    would only reveal that someone reported it: they hear only when held content goes up.
    """
    if item.author_id is None or verdict not in TOLD:
        return
    if verdict == "approve" and (before is None or before.status != "pending"):
        return
    data = {
        "item_id": item.id,
        "decision": verdict,
        "content_type": item.content_type,
        "rule_title": rule["title"] if rule else None,
        "note": note,
        "link": before.link if before else "",
    }
    await notify(db, item.author_id, "decision", data)


async def tell_reporters(
    db: AsyncSession, item: ReviewItem, verdict: str, before: ContentInfo | None
) -> None:
    """Thank everyone who reported it and say what became of it, once it is decided.

    Nothing names the moderator or the author's other decisions; an author who reported
    their own words hears only the author's notice.
    """
    if verdict not in TOLD:
        return
    reporters = [r for r in await repository.reporter_ids(db, item.id) if r != item.author_id]
    data = {
        "item_id": item.id,
        "decision": verdict,
        "content_type": item.content_type,
        "link": before.link if before else "",
    }
    await notify_many(db, reporters, "report", data)
