"""Crisis resources by region: admins edit the table; everyone can read it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import Role, User
from forum.db import utcnow
from forum.errors import Forbidden, Invalid, NotFound
from forum.i18n import N_, gettext
from forum.review import repository, wording
from forum.review.models import CrisisResource
from forum.review.wording import Situation
from moderation.pipeline import Assessment

REGION_RE = re.compile(r"^(?:[A-Z]{2}|\*)$")
# The descriptions the first migration stores (migrations/versions/0002_moderation.py),
# marked here so they are translated; an admin's own description is shown as written.
SEEDED_DESCRIPTIONS = (
    N_("Free, confidential support 24/7 by call, text or chat."),
    N_("Call or text 9-8-8, any time, in English or French."),
    N_("Free to call, any time, day or night."),
    N_("Crisis support and suicide prevention, 24/7."),
    N_("Free, confidential helplines in your country, by phone, text or chat."),
)


def require_admin(user: User) -> None:
    if user.role != Role.ADMIN:
        raise Forbidden(gettext("Only admins can do this."), code="not_an_admin")


def check_region(region: str) -> str:
    region = region.strip().upper()
    if not REGION_RE.match(region):
        raise Invalid(
            gettext("A region is a two-letter country code such as GB, or * for everywhere."),
            field="region",
        )
    return region


async def all_resources(db: AsyncSession) -> Sequence[CrisisResource]:
    return await repository.crisis_resources(db)


async def add_resource(
    db: AsyncSession,
    admin: User,
    *,
    region: str,
    name: str,
    phone: str,
    sms: str,
    url: str,
    description: str,
    position: int,
) -> CrisisResource:
    require_admin(admin)
    name = " ".join(name.split())
    if not 1 <= len(name) <= 120:
        raise Invalid(gettext("A resource needs a name of up to 120 characters."), field="name")
    url = url.strip()
    if url and not re.match(r"^https?://[^\s]+$", url):
        raise Invalid(gettext("The web address must start with https:// or http://."), field="url")
    if not (phone.strip() or sms.strip() or url):
        raise Invalid(gettext("Give at least a phone number, a text number or a web address."))
    if len(phone) > 40 or len(sms) > 40 or len(url) > 300 or len(description) > 1000:
        raise Invalid(gettext("One of the fields is too long."))
    resource = CrisisResource(
        region=check_region(region),
        name=name,
        phone=phone.strip(),
        sms=sms.strip(),
        url=url,
        description=description.strip(),
        position=position,
        updated_at=utcnow(),
    )
    db.add(resource)
    await db.flush()
    return resource


async def delete_resource(db: AsyncSession, admin: User, resource_id: int) -> None:
    require_admin(admin)
    resource = await repository.get_resource(db, resource_id)
    if resource is None:
        raise NotFound(gettext("That resource doesn't exist."))
    await db.delete(resource)
    await db.flush()


async def resources_for(db: AsyncSession, region: str) -> Sequence[CrisisResource]:
    return await repository.crisis_resources(db, region)


def resource_json(resource: CrisisResource) -> dict[str, Any]:
    """A line as the reader sees it: names and numbers as they are, the description in the
    reader's language when it is one of ours."""
    return translated(_stored_json(resource))


def translated(line: dict[str, Any]) -> dict[str, Any]:
    return {**line, "description": gettext(line["description"]) if line["description"] else ""}


def _stored_json(resource: CrisisResource) -> dict[str, Any]:
    return {
        "name": resource.name,
        "region": resource.region,
        "phone": resource.phone,
        "sms": resource.sms,
        "url": resource.url,
        "description": resource.description,
    }


async def support_for(db: AsyncSession, situation: Situation, region: str) -> dict[str, Any]:
    """The one message for this situation, the region's lines and the safety plan."""
    resources = await repository.crisis_resources(db, region)
    return {
        "situation": situation.value,
        "region": region,
        "headline": gettext(wording.HEADLINE),
        "message": wording.message(situation),
        "resources_intro": gettext(wording.RESOURCES_INTRO),
        "emergency": gettext(wording.EMERGENCY),
        "resources": [resource_json(r) for r in resources],
        "safety_plan": {"text": gettext(wording.SAFETY_PLAN), "url": wording.SAFETY_PLAN_URL},
    }


async def crisis_support(
    db: AsyncSession, assessment: Assessment, region: str, situation: Situation
) -> dict[str, Any] | None:
    """Resources for the author right away when crisis language fired; None otherwise."""
    if assessment.crisis.level.rank == 0:
        return None
    return {"level": assessment.crisis.level.value, **await support_for(db, situation, region)}


@dataclass
class KnownLines:
    """The crisis lines as this process last read them. While the database is away every
    page answers 503, and that page must still give someone in crisis a number to call."""

    lines: tuple[dict[str, Any], ...] = ()

    def remember(self, resources: Sequence[CrisisResource]) -> None:
        # Stored as written; each page translates them for its own reader.
        self.lines = tuple(_stored_json(resource) for resource in resources)

    def for_region(self, region: str) -> list[dict[str, Any]]:
        """The region's own lines first, then those for everywhere (as `resources_for`)."""
        return [translated(line) for line in self.lines if line["region"] == region] + [
            translated(line) for line in self.lines if line["region"] == "*"
        ]
