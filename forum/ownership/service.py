"""Exporting everything that is a member's own, and deleting their account in one go."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from forum import security
from forum.accounts import blocks
from forum.accounts import repository as accounts_repository
from forum.accounts.models import User
from forum.circles.models import CircleRole
from forum.db import utcnow
from forum.errors import Forbidden
from forum.events import access_changed, emit
from forum.i18n import N_, _
from forum.mail import service as mail
from forum.ownership import repository
from forum.ratelimit.service import Limits
from forum.review import service as review
from forum.safety import service as safety

EXPORT_FORMAT = 1


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def _profile(db: AsyncSession, user: User) -> dict[str, Any]:
    blocked = await blocks.blocked_members(db, user)
    return {
        "profile": {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "created_at": _iso(user.created_at),
            "availability": user.availability or "",
            "taking_break": user.taking_break,
            "posting_paused_until": _iso(user.muted_until),
        },
        "settings": {
            "region": user.region,
            "hide_presence": user.hide_presence,
            "muted_words": list(user.muted_words or []),
            "dm_policy": user.dm_policy,
            "content_warning_prefs": dict(user.content_warning_prefs or {}),
            # Your own address is yours to take away, like everything here.
            "email": (await mail.email_state(db, user)).as_json(),
            # Whom you blocked, by the name they show; never their username.
            "blocked_members": [
                {"display_name": b.user.display_name, "blocked_at": _iso(b.blocked_at)}
                for b in blocked
            ],
        },
    }


async def _sign_ins(db: AsyncSession, user: User) -> dict[str, Any]:
    sessions = await accounts_repository.list_sessions(db, user.id, utcnow())
    tokens = await accounts_repository.list_tokens(db, user.id)
    return {
        "sessions": [
            {
                "user_agent": s.user_agent,
                "created_at": _iso(s.created_at),
                "expires_at": _iso(s.expires_at),
            }
            for s in sessions
        ],
        "api_tokens": [{"name": t.name, "created_at": _iso(t.created_at)} for t in tokens],
    }


async def _writing(db: AsyncSession, user: User) -> dict[str, Any]:
    revisions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for revision in await repository.revisions_of_posts(db, user.id):
        revisions[revision.post_id].append(
            {"body": revision.body, "created_at": _iso(revision.created_at)}
        )
    return {
        "memberships": [
            {
                "circle": {"slug": circle.slug, "name": circle.name},
                "role": membership.role,
                "accepted_rules_version": membership.accepted_rules_version,
                "joined_at": _iso(membership.joined_at),
            }
            for membership, circle in await repository.memberships(db, user.id)
        ],
        "threads": [
            {
                "id": thread.id,
                "circle": slug,
                "title": thread.title,
                "status": thread.status,
                "created_at": _iso(thread.created_at),
            }
            for thread, slug in await repository.threads_started(db, user.id)
        ],
        "posts": [
            {
                "id": post.id,
                "thread_id": post.thread_id,
                "body": post.body,
                "status": post.status,
                "removed_by": post.removed_by,
                "moderation": post.moderation,
                "created_at": _iso(post.created_at),
                "edited_at": _iso(post.edited_at),
                "earlier_versions": revisions.get(post.id, []),
            }
            for post in await repository.posts_written(db, user.id)
        ],
        "chat_messages": [
            {
                "id": message.id,
                "circle": slug,  # None in a direct conversation
                "room": room.name if slug is not None else "direct conversation",
                "body": message.body,
                "status": message.status,
                "created_at": _iso(message.created_at),
            }
            for message, room, slug in await repository.chat_messages(db, user.id)
        ],
        "rule_proposals": [
            {
                "id": proposal.id,
                "circle": slug,
                "kind": proposal.kind,
                "title": proposal.title,
                "text": proposal.text,
                "rationale": proposal.rationale,
                "status": proposal.status,
                "created_at": _iso(proposal.created_at),
            }
            for proposal, slug in await repository.rule_proposals(db, user.id)
        ],
        # Given, not received: who reacted to your words is yours to see on the page, but
        # each reaction is the giver's.
        "reactions_given": [
            {"content_type": kind, "content_id": target, "kind": given, "created_at": _iso(at)}
            for kind, target, given, at in await repository.reactions_given(db, user.id)
        ],
        "rule_stances": [
            {
                "proposal_id": stance.proposal_id,
                "stance": stance.stance,
                "comment": stance.comment,
                "updated_at": _iso(stance.updated_at),
            }
            for stance in await repository.rule_stances(db, user.id)
        ],
    }


async def _moderation(db: AsyncSession, user: User) -> dict[str, Any]:
    decisions = await review.decisions_about(db, user)
    return {
        "reports_made": [
            {
                "content_type": content_type,
                "content_id": content_id,
                "reason": report.reason,
                "rule_id": report.rule_id,
                "created_at": _iso(report.created_at),
            }
            for report, content_type, content_id in await repository.reports_made(db, user.id)
        ],
        # What was decided about your content and why; not which volunteer decided, and
        # nothing about who reported you.
        "decisions_about_your_content": [
            {
                "action": entry.action,
                "content_type": entry.content_type,
                "content_id": entry.content_id,
                "rule": None
                if entry.rule_id is None
                else {
                    "title": entry.rule_title,
                    "text": entry.rule_text,
                    "version": entry.rules_version,
                },
                "note": entry.note,
                "created_at": _iso(entry.created_at),
            }
            for entry in decisions
        ],
    }


async def export_data(db: AsyncSession, user: User) -> dict[str, Any]:
    """Everything that is the member's own, as one JSON document."""
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(utcnow()),
        **await _profile(db, user),
        **await _sign_ins(db, user),
        **await _writing(db, user),
        **await _moderation(db, user),
        "safety_plan": await safety.export_plan(db, user),
    }


@dataclass(frozen=True)
class Deleted:
    user_id: int
    kept_posts: bool
    circles_handed_over: int


async def check_password(db: AsyncSession, user: User, password: str, limits: Limits) -> None:
    """Deleting asks for the password again; wrong guesses wait like sign-ins."""
    rules = limits.password_rules(user.id)
    await limits.attempt(db, rules, N_("Too many wrong passwords."))
    if not security.verify_password(user.password_hash, password):
        raise Forbidden(
            _("That password isn't right, so nothing was deleted. Please try again."),
            code="wrong_password",
        )
    await limits.passed(db, rules)


async def _hand_over_circles(db: AsyncSession, user: User) -> int:
    """Circles the member owns pass to their longest-serving moderator, else their
    longest-standing member; a circle with nobody else stays, and site staff look after it."""
    handed = 0
    for circle_id in await repository.owned_circle_ids(db, user.id):
        if await repository.has_another_owner(db, circle_id, user.id):
            continue
        heir = await repository.successor(db, circle_id, user.id)
        if heir is not None:
            heir.role = CircleRole.OWNER
            handed += 1
    await db.flush()
    return handed


async def delete_account(
    db: AsyncSession, user: User, password: str, keep_posts: bool, limits: Limits
) -> Deleted:
    """Delete the account in the caller's one transaction: either all of it or nothing.

    keep_posts: posts and messages stay, shown as "a former member"; otherwise their words
    are removed first. Either way the account, its sessions, tokens, memberships, blocks
    and settings go.
    """
    await check_password(db, user, password, limits)
    handed = await _hand_over_circles(db, user)
    if not keep_posts:
        await repository.remove_words(db, user.id)
    user_id = user.id
    await repository.delete_user(db, user_id)
    await emit(db, access_changed(user_id))  # every socket they still hold closes
    db.expunge(user)
    return Deleted(user_id, keep_posts, handed)
