"""A personal safety plan after the Stanley-Brown model: the member's own steps for when
things get hard, kept for them alone (no moderator or admin can read it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from forum.accounts.models import User
from forum.db import utcnow
from forum.errors import Invalid
from forum.i18n import N_, _
from forum.review import resources
from forum.review.models import CrisisResource
from forum.safety import repository
from forum.safety.models import SafetyPlan


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    hint: str


SECTIONS = (
    Section(
        "warning_signs",
        N_("My warning signs"),
        N_("Thoughts, moods, situations or behaviours that tell me a crisis may be starting."),
    ),
    Section(
        "coping",
        N_("Things I can do on my own"),
        N_(
            "Ways to take my mind off my problems without contacting anyone: a walk, music, a "
            "shower."
        ),
    ),
    Section(
        "distractions",
        N_("People and places that help me feel better"),
        N_("Friends I can be around without talking about it; places with people, like a café."),
    ),
    Section(
        "helpers",
        N_("People I can ask for help"),
        N_("Names and numbers of people I trust to tell how I'm feeling."),
    ),
    Section(
        "professionals",
        N_("Professionals and crisis lines"),
        N_("My doctor or therapist, and crisis lines I can call or text any time."),
    ),
    Section(
        "safe_surroundings",
        N_("Making my surroundings safe"),
        N_("What I can put away, give to someone to keep, or stay away from while it passes."),
    ),
    Section(
        "reasons_for_living",
        N_("What matters most to me"),
        N_("People, pets, plans and hopes worth staying for."),
    ),
)
KEYS = tuple(section.key for section in SECTIONS)
MAX_LINES = 20
MAX_LINE = 300


@dataclass(frozen=True)
class PlanView:
    sections: dict[str, list[str]]
    saved: bool
    updated_at: str | None


def _resource_line(resource: CrisisResource) -> str:
    ways = [
        f"call {resource.phone}" if resource.phone else "",
        f"text {resource.sms}" if resource.sms else "",
    ]
    ways.append(resource.url)
    return " · ".join([resource.name, *(way for way in ways if way)])


def check_sections(sections: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Each section's lines, trimmed and without blanks; a 422 naming the section over a limit."""
    checked: dict[str, list[str]] = {}
    for section in SECTIONS:
        lines = [" ".join(line.split()) for line in sections.get(section.key, ())]
        lines = [line for line in lines if line]
        if len(lines) > MAX_LINES:
            raise Invalid(
                _("“%(title)s” can hold up to %(max_lines)s lines; it has %(length)s.")
                % {"title": _(section.title), "max_lines": MAX_LINES, "length": len(lines)},
                field=section.key,
            )
        for line in lines:
            if len(line) > MAX_LINE:
                raise Invalid(
                    _(
                        "Each line in “%(title)s” can be up to %(max_line)s characters; one has "
                        "%(length)s."
                    )
                    % {"title": _(section.title), "max_line": MAX_LINE, "length": len(line)},
                    field=section.key,
                )
        checked[section.key] = lines
    return checked


async def read_plan(db: AsyncSession, user: User, region: str) -> PlanView:
    """The member's plan; before they first save it, crisis lines for their region are
    suggested under professionals so the plan is never empty where it matters most."""
    plan = await repository.get_plan(db, user.id)
    if plan is not None:
        sections = {key: list(plan.sections.get(key, [])) for key in KEYS}
        return PlanView(sections, True, plan.updated_at.isoformat())
    lines = [_resource_line(r) for r in await resources.resources_for(db, region)]
    sections = {key: [] for key in KEYS}
    sections["professionals"] = lines[:MAX_LINES]
    return PlanView(sections, False, None)


async def save_plan(
    db: AsyncSession, user: User, sections: Mapping[str, Sequence[str]]
) -> PlanView:
    checked = check_sections(sections)
    plan = await repository.get_plan(db, user.id)
    if plan is None:
        plan = SafetyPlan(user_id=user.id)
        db.add(plan)
    plan.sections = checked
    plan.updated_at = utcnow()
    await db.flush()
    return PlanView(checked, True, plan.updated_at.isoformat())


def plan_json(view: PlanView) -> dict[str, Any]:
    return {
        "saved": view.saved,
        "updated_at": view.updated_at,
        "sections": [
            {"key": s.key, "title": _(s.title), "hint": _(s.hint), "lines": view.sections[s.key]}
            for s in SECTIONS
        ],
    }


def plan_text(view: PlanView, display_name: str) -> str:
    """The plan as plain text, to print or keep on a phone."""
    out = [_("My safety plan (%(display_name)s)") % {"display_name": display_name}, ""]
    for section in SECTIONS:
        out.append(_(section.title).upper())
        lines = view.sections[section.key]
        out.extend(f"  - {line}" for line in lines or [_("(nothing yet)")])
        out.append("")
    out.append(_("If you are in danger right now, call your local emergency number."))
    return "\n".join(out) + "\n"


async def export_plan(db: AsyncSession, user: User) -> dict[str, Any] | None:
    """For the account export: the saved plan, or None when there is none."""
    plan = await repository.get_plan(db, user.id)
    if plan is None:
        return None
    return {
        "updated_at": plan.updated_at.isoformat(),
        "sections": {key: list(plan.sections.get(key, [])) for key in KEYS},
    }
