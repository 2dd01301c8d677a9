"""Members' reports: they join the same queue item as any automatic flag."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import User
from forum.circles import repository as circles_repository
from forum.circles import service as circles
from forum.circles.models import Circle, RuleItem
from forum.errors import Invalid, NotFound
from forum.i18n import N_, gettext
from forum.review.content import ALIASES, KINDS, ContentInfo, Resolve
from forum.review.models import Report, ReviewItem
from forum.review.service import announce_item, open_item
from forum.rules import service as ground_rules
from moderation.decision import Priority
from moderation.wording import worded

REPORTED = N_("Reported: %(reason)s")
REPORTED_UNDER = N_("Reported under the rule “%(rule)s”")


async def _content_or_404(db: AsyncSession, content_type: str, content_id: int) -> ContentInfo:
    kind = KINDS.get(content_type)
    if kind is None:
        raise Invalid(
            gettext("content_type must be one of: %(kinds)s.")
            % {"kinds": ", ".join(sorted(KINDS))},
            field="content_type",
        )
    content = await kind.load(db, content_id)
    if content is None:
        raise NotFound(gettext("That content doesn't exist."))
    return content


async def report_content(
    db: AsyncSession,
    reporter: User,
    content_type: str,
    content_id: int,
    reason: str,
    rule_id: int | None,
) -> ReviewItem:
    """A member's report joins the same queue item as any automatic flag."""
    if (alias := ALIASES.get(content_type)) is not None:
        content_type, content_id = await _resolve(db, alias, content_id)
    content, circle = await reportable_or_404(db, reporter, content_type, content_id)
    reason = reason.strip()
    rule = await ground_rules.cite_rule(db, circle, rule_id) if rule_id is not None else None
    rule_title = rule["title"] if rule else None
    if not reason and rule_title is None:
        raise Invalid(gettext("Please say what's wrong, or choose a ground rule."), field="reason")
    if len(reason) > 1000:
        raise Invalid(gettext("A report can be at most 1000 characters."), field="reason")
    item = await open_item(db, content)
    change = "new" if item.version == 1 else "updated"
    # Worded in English once and again for each reader; the report's words stay the
    # reporter's own.
    template, values = (
        (REPORTED, {"reason": reason}) if reason else (REPORTED_UNDER, {"rule": str(rule_title)})
    )
    version = rule["version"] if rule else None
    said = {
        "kind": "report",
        "message": worded(template, values=values),
        "template": template,
        "values": values,
        "rule_id": rule_id,
        "rules_version": version,
    }
    item.reasons = [*item.reasons, said]
    item.priority = max(item.priority, int(Priority.REPORT))
    item.version += 1
    db.add(
        Report(
            item_id=item.id,
            reporter_id=reporter.id,
            reason=reason,
            rule_id=rule_id,
            rules_version=version,
        )
    )
    await db.flush()
    await announce_item(db, change, item)
    return item


async def _resolve(
    db: AsyncSession, alias: tuple[str, Resolve], content_id: int
) -> tuple[str, int]:
    stands_for, resolve = alias
    found = await resolve(db, content_id)
    if found is None:
        raise NotFound(gettext("That content doesn't exist."))
    return stands_for, found


async def reportable_or_404(
    db: AsyncSession, reporter: User, content_type: str, content_id: int
) -> tuple[ContentInfo, Circle]:
    content = await _content_or_404(db, content_type, content_id)
    circle = await circles_repository.get_by_id(db, content.circle_id)
    membership = await circles_repository.get_membership(db, content.circle_id, reporter.id)
    # Held or rejected content is its author's and the moderators' to see: a guessed id
    # must not reveal that it exists.
    public = content.status == "published" and content.in_public_thread
    hidden = not public and not (reporter.is_staff or reporter.id == content.author_id)
    if circle is None or hidden or (not circle.is_public and membership is None):
        raise NotFound(gettext("That content doesn't exist."))
    if membership is None:
        await circles.require_not_banned(db, circle.id, reporter)
    return content, circle


async def report_form(
    db: AsyncSession, reporter: User, post_id: int
) -> tuple[ContentInfo, Sequence[RuleItem]]:
    """The post being reported and the ground rules a report can name."""
    content, circle = await reportable_or_404(db, reporter, "post", post_id)
    return content, await circles_repository.get_rules(db, circle.id, circle.rules_version)
