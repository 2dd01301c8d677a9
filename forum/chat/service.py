"""Rooms, history pages and sending a chat message through moderation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from forum import events, i18n
from forum.accounts.boundaries import Boundaries
from forum.accounts.models import User
from forum.accounts.service import require_not_muted
from forum.chat import direct, repository, rooms, team
from forum.chat.content import message_info
from forum.chat.direct import DirectRoom
from forum.chat.mentions import tell_of_chat_mentions
from forum.chat.models import (
    DROP_IN,
    DROP_IN_DESCRIPTION,
    ChatMessage,
    MessageStatus,
    Room,
    RoomKind,
)
from forum.chat.team import DESCRIPTION as TEAM_DESCRIPTION
from forum.chat.team import TEAM, TEAM_NAME, TeamRoom
from forum.circle_moderation.service import refuse_blocked
from forum.circles import repository as circles_repository
from forum.circles import service as circles
from forum.circles.models import Circle
from forum.circles.service import CircleView
from forum.content_warnings import check_warnings, screened_warnings
from forum.db import utcnow
from forum.errors import AppError, Conflict, Forbidden, Invalid, NotFound, RateLimited
from forum.i18n import N_, _, number
from forum.ratelimit.service import Limits
from forum.review import resources
from forum.review import service as review
from forum.review.wording import Situation, situation_for
from moderation.decision import Policy
from moderation.pipeline import Assessment, Screener
from moderation.sanitize import render_markdown
from realtime.hub import public

MAX_MESSAGE = 2000
PAGE_SIZE = 50
REPLAY_PAGE = 500
FORMER_MEMBER = "a former member"
NO_LONGER_MEMBER = N_("You are no longer a member of this circle.")

Event = dict[str, Any]


@dataclass(frozen=True)
class RoomView:
    room: Room
    view: CircleView


Found = RoomView | DirectRoom | TeamRoom


@dataclass(frozen=True)
class Sent:
    """A sent message; `duplicate` when it was a resend of one already stored."""

    message: ChatMessage
    author_name: str
    duplicate: bool
    assessment: Assessment | None = None
    crisis: dict[str, Any] | None = None


def room_json(room: Room) -> dict[str, Any]:
    return {
        "id": room.id,
        "kind": room.kind,
        "name": _own_words(room.name),
        "description": _own_words(room.description),
        "slow_mode_seconds": room.slow_mode_seconds,
        "schedule": room.schedule,
        "hours": rooms.hours_text(room),
        "open_now": rooms.is_open(room),
    }


# Names and descriptions the app itself gives rooms: stored in English, read in the
# reader's language. What a host writes is shown as written.
OWN_WORDS = frozenset({DROP_IN, DROP_IN_DESCRIPTION, TEAM_DESCRIPTION})


def _own_words(text: str) -> str:
    return i18n.gettext(text) if text in OWN_WORDS else text


def direct_json(found: DirectRoom) -> dict[str, Any]:
    """A direct conversation in the shape of a room, named after the other member."""
    return {
        **room_json(found.room),
        "name": found.other_name,
        "with": None if found.other is None else found.other.username,
        "description": "",
        "hours": "",
    }


def conversation_json(found: DirectRoom | TeamRoom) -> dict[str, Any]:
    """A direct conversation or a check-in, in the shape of a room."""
    if isinstance(found, DirectRoom):
        return direct_json(found)
    data = {**room_json(found.room), "name": found.name, "with": None, "hours": ""}
    return {**data, "closed": found.closed}


def message_event(message: ChatMessage, author_name: str | None) -> Event:
    # In a check-in the team speaks as one: which volunteer wrote stays in the log.
    # One event goes to everyone in the room, so the names the app gives stay English
    # here, flagged for each reader's page to word its own way (static/js/chat.js).
    if message.sent_as == TEAM:
        author: dict[str, Any] = {"display_name": TEAM_NAME, "team": True}
    elif author_name:
        author = {"display_name": author_name}
    else:
        author = {"display_name": FORMER_MEMBER, "former": True}
    return {
        "type": "message",
        "id": message.id,
        "seq": message.seq,
        "room_id": message.room_id,
        "author": author,
        "body_html": message.body_html,
        "created_at": message.created_at.isoformat(),
        "client_msg_id": message.client_msg_id,
        # Private (never sent, see realtime.hub.public): for each reader's boundaries.
        "_author_id": message.author_id,
        "_text": message.body,
        "content_warnings": list(message.content_warnings or ()),
    }


def message_for(event: Event, boundaries: Boundaries | None) -> Event | None:
    """An event as one reader gets it: a message is None (not sent) when they blocked its
    author, marked `"muted": true` (for the panel to collapse) when it has their muted
    words; presence leaves out members they blocked."""
    if boundaries is None or not boundaries.active:
        return event
    if event.get("type") == "presence" and boundaries.blocked and "_ids" in event:
        members = [
            member
            for member, member_id in zip(event["members"], event["_ids"], strict=True)
            if not boundaries.hides_author(member_id)
        ]
        return {**event, "members": members}
    if event.get("type") != "message":
        return event
    author_id = event.get("_author_id")
    if boundaries.hides_author(author_id):
        return None
    if boundaries.mutes(event.get("_text") or "", author_id):
        return {**event, "muted": True}
    return event


def messages_for(events: list[Event], boundaries: Boundaries | None) -> list[Event]:
    """History as one reader gets it, ready to send (private keys removed)."""
    shown = (message_for(event, boundaries) for event in events)
    return [public(event) for event in shown if event is not None]


def held_event(message: ChatMessage) -> Event:
    reasons = i18n.reasons_said((message.moderation or {}).get("reasons", []))
    return {"type": "held", "client_msg_id": message.client_msg_id, "reasons": reasons}


def removed_event(message: ChatMessage) -> Event:
    return {"type": "removed", "id": message.id, "room_id": message.room_id}


async def list_rooms(db: AsyncSession, slug: str, user: User | None) -> list[Room]:
    view = await circles.get_circle_view_or_404(db, slug, user)
    return list(await repository.rooms_for_circle(db, view.circle.id))


async def get_room_or_404(db: AsyncSession, room_id: int, user: User | None) -> RoomView:
    """A circle's room if this member may read its circle; private rooms are 404 to outsiders."""
    found = await find_room_or_404(db, room_id, user)
    if not isinstance(found, RoomView):
        raise NotFound(_("There is no chat room here."))
    return found


async def find_room_or_404(db: AsyncSession, room_id: int, user: User | None) -> Found:
    """Any room this member may read: a circle's, a direct conversation they are in, or a
    check-in they are the member or on the team of."""
    found = await repository.get_room_with_circle(db, room_id)
    if found is None:
        raise NotFound(_("There is no chat room here."))
    room, circle = found
    if circle is None:
        if user is None:
            raise NotFound(_("There is no chat room here."))
        if room.kind == RoomKind.CHECK_IN:
            return await team.get_for_viewer(db, room, user)
        return await direct.get_for_member(db, room, user)
    try:
        view = await circles.view_of_or_404(db, circle, user)
    except NotFound:
        raise NotFound(_("There is no chat room here.")) from None
    return RoomView(room, view)


async def enter_room(db: AsyncSession, room_id: int, user: User) -> Found:
    """Live rooms of private circles admit members who accepted the rules, to read at least.

    After a new version they still read; sending asks them to accept it first. A direct
    conversation admits its two members; a check-in its member and the team.
    """
    found = await find_room_or_404(db, room_id, user)
    if not isinstance(found, RoomView):
        return found
    if found.view.membership is None:
        # A public circle's rooms admit anyone signed in, except those it banned.
        await circles.require_not_banned(db, found.view.circle.id, user)
    if not found.view.circle.is_public and not found.view.has_accepted_rules:
        raise Forbidden(
            _("Please read and accept this circle's ground rules to join its chat."),
            code="rules_not_accepted",
        )
    return found


@dataclass(frozen=True)
class Joined:
    """How a socket entered a circle's room: which circle, and whether as a member."""

    circle_id: int
    as_member: bool


def joined_as(found: Found) -> Joined | None:
    if not isinstance(found, RoomView):
        return None
    return Joined(found.view.circle.id, found.view.membership is not None)


async def still_in_room(db: AsyncSession, room_id: int, user: User, joined: Joined | None) -> None:
    """An open socket asks again after the member's access changed: a ban, or losing the
    membership it connected with (left or removed), closes it with words saying why."""
    if joined is not None:
        await circles.require_not_banned(db, joined.circle_id, user)
        membership = await circles_repository.get_membership(db, joined.circle_id, user.id)
        if joined.as_member and membership is None:
            raise Forbidden(_(NO_LONGER_MEMBER), code="not_a_member")
    await enter_room(db, room_id, user)


async def history_page(
    db: AsyncSession, room: Room, before: int | None
) -> tuple[list[Event], int | None]:
    rows = await repository.messages_before(db, room.id, before, PAGE_SIZE)
    events = [message_event(message, name) for message, name in rows]
    next_before = rows[0][0].seq if len(rows) == PAGE_SIZE else None
    return events, next_before


async def published_events(db: AsyncSession, ids: list[int]) -> dict[int, Event]:
    """Message events for the ids still published (a removed one is announced separately)."""
    rows = await repository.published_by_ids(db, ids)
    return {message.id: message_event(message, name) for message, name in rows}


async def replay(
    sessions: async_sessionmaker[AsyncSession], room_id: int, after: int
) -> AsyncIterator[Event]:
    """Every published message after `after`, read a page at a time until a short page."""
    while True:
        async with sessions() as db:
            rows = await repository.messages_after(db, room_id, after, REPLAY_PAGE)
        for message, name in rows:
            yield message_event(message, name)
        if len(rows) < REPLAY_PAGE:
            return
        after = int(rows[-1][0].seq or after)


def check_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise Invalid(_("Please write something before sending."), field="body")
    if len(body) > MAX_MESSAGE:
        raise Invalid(
            _("Chat messages can be at most %(max_message)s characters; this one has %(length)s.")
            % {"max_message": number(MAX_MESSAGE), "length": number(len(body))},
            code="too_long",
            field="body",
        )
    return body


async def _limit(db: AsyncSession, user: User, limits: Limits) -> None:
    if user.is_staff:
        return
    await limits.keep_pace(db, limits.chat, f"user:{user.id}")


def _check_open(user: User, found: RoomView) -> None:
    if rooms.is_host(user, found.view) or rooms.is_open(found.room):
        return
    raise Forbidden(
        _("This room is closed now; you can still read. It is open %(hours_text)s.")
        % {"hours_text": rooms.hours_text(found.room)},
        code="room_closed",
    )


def _check_slow_mode(user: User, found: RoomView, last: datetime | None) -> None:
    seconds = found.room.slow_mode_seconds
    if not seconds or last is None or rooms.is_host(user, found.view):
        return
    wait = (last + timedelta(seconds=seconds) - utcnow()).total_seconds()
    if wait > 0:
        raise RateLimited(
            _("This room is in slow mode: one message every %(seconds)s seconds.")
            % {"seconds": seconds},
            retry_after=wait,
            code="slow_mode",
        )


def _moderation_note(assessment: Assessment) -> dict[str, Any] | None:
    reasons = [r.to_dict() for r in assessment.decision.reasons]
    return {"held": assessment.decision.held, "reasons": reasons} if reasons else None


@dataclass(frozen=True)
class Draft:
    """One send from the socket: the client's id for it and what was written."""

    client_msg_id: str
    body: str
    content_warnings: tuple[str, ...] = ()


Outcome = Sent | AppError


async def send_messages(
    db: AsyncSession,
    user: User,
    found: Found,
    drafts: Sequence[Draft],
    screener: Screener,
    limits: Limits,
    region: str,
) -> list[Outcome]:
    """Screen and store a member's sends in one transaction; one outcome per draft, in order.

    Each draft is checked as if sent alone and in turn (a refusal answers that draft and
    the next is still tried); those accepted are screened together, so the toxicity
    scorer sees them as one batch, and stored with one insert. Published ones take the
    room's next seqs in the order they were sent.
    """
    outcomes: list[Outcome] = []
    for run in _without_repeats(drafts):
        outcomes += await _send_run(db, user, found, run, screener, limits, region)
    return outcomes


def _without_repeats(drafts: Sequence[Draft]) -> list[list[Draft]]:
    """Split where a client_msg_id repeats, so a resend finds the copy stored just before."""
    runs: list[list[Draft]] = [[]]
    for draft in drafts:
        if any(d.client_msg_id == draft.client_msg_id for d in runs[-1]):
            runs.append([])
        runs[-1].append(draft)
    return [run for run in runs if run]


async def _send_run(
    db: AsyncSession,
    user: User,
    found: Found,
    drafts: list[Draft],
    screener: Screener,
    limits: Limits,
    region: str,
) -> list[Outcome]:
    room = found.room
    stored = await repository.by_client_msg_ids(
        db, room.id, user.id, [d.client_msg_id for d in drafts]
    )
    closed: AppError | None = None
    last: datetime | None = None
    if isinstance(found, DirectRoom):
        try:
            await direct.require_not_blocked(db, found, user)
        except AppError as exc:
            closed = exc
    elif isinstance(found, TeamRoom):
        closed = team.refusal(found)
    elif room.slow_mode_seconds and any(d.client_msg_id not in stored for d in drafts):
        last = await repository.last_sent_at(db, room.id, user.id)
    outcomes: list[Outcome | None] = []
    accepted: list[tuple[int, Draft, str]] = []
    for index, draft in enumerate(drafts):
        if (existing := stored.get(draft.client_msg_id)) is not None:
            outcomes.append(Sent(existing, user.display_name, duplicate=True))
            continue
        try:
            if closed is not None:
                raise closed
            body = _check_send(user, found, draft, last)
            # Last of the checks: a send refused for another reason uses up no allowance.
            await _limit(db, user, limits)
        except AppError as exc:
            outcomes.append(exc)
            continue
        last = utcnow()
        accepted.append((index, draft, body))
        outcomes.append(None)
    if not accepted:
        return [o for o in outcomes if o is not None]
    circle = found.view.circle if isinstance(found, RoomView) else None
    policy = Policy.from_dict(circle.moderation_policy) if circle else Policy()
    screened = await asyncio.gather(*(screener.screen(body, policy) for _, _, body in accepted))
    kept: list[tuple[int, Draft, str]] = []
    assessments: list[Assessment] = []
    for (index, draft, body), assessment in zip(accepted, screened, strict=True):
        try:
            # A word the circle blocks answers this send with the owners' explanation.
            refuse_blocked(assessment)
            # Nobody reviews a private conversation: what would wait for a moderator is
            # not sent at all, and the author hears why. (In a check-in the moderators
            # are the readers, so everything is sent.)
            direct_room = isinstance(found, DirectRoom)
            if direct_room and (refusal := _not_sent_directly(assessment)) is not None:
                raise refusal
        except AppError as exc:
            outcomes[index] = exc
            continue
        kept.append(
            (index, draft, assessment.watched.source if assessment.watched.changed else body)
        )
        assessments.append(assessment)
    if not kept:
        return [o for o in outcomes if o is not None]
    published = sum(1 for a in assessments if _publishes(a, circle))
    # The room row stays locked from here to commit: one update, one insert, then commit.
    seqs = iter(await repository.take_seqs(db, room.id, published) if published else [])
    messages = []
    for (_index, draft, body), assessment in zip(kept, assessments, strict=True):
        held = not _publishes(assessment, circle)
        warnings = screened_warnings(draft.content_warnings, assessment)
        messages.append(
            ChatMessage(
                room_id=room.id,
                author_id=user.id,
                client_msg_id=draft.client_msg_id,
                body=body,
                body_html=render_markdown(body),
                status=MessageStatus.PENDING if held else MessageStatus.PUBLISHED,
                seq=None if held else next(seqs),
                moderation=_moderation_note(assessment),
                content_warnings=list(warnings) or None,
                created_at=utcnow(),
                sent_as=team.sent_as(found),
            )
        )
    if not messages:
        return [o for o in outcomes if o is not None]
    db.add_all(messages)
    await db.flush()
    support: dict[tuple[str, Situation], dict[str, Any] | None] = {}
    for (index, *_parts), message, assessment in zip(kept, messages, assessments, strict=True):
        if circle is not None:
            await review.enqueue(db, message_info(message, room, circle), assessment)
        held = message.status == MessageStatus.PENDING
        situation = situation_for(held=held, direct=circle is None, chat=True)
        key = (assessment.crisis.level.value, situation)
        if key not in support:
            support[key] = await resources.crisis_support(db, assessment, region, situation)
        # The team's own words (about crisis, often) never send it crisis lines.
        crisis = None if message.sent_as else support[key]
        outcomes[index] = Sent(message, user.display_name, False, assessment, crisis)
    await events.emit_many(
        db, [events.chat_message(room.id, m.id) for m in messages if m.seq is not None]
    )
    if circle is not None:
        for message in messages:
            await tell_of_chat_mentions(db, message, room, circle, user.display_name)
    if isinstance(found, TeamRoom) and found.is_member:
        await team.tell_team(db, found)
    return [o for o in outcomes if o is not None]


def _publishes(assessment: Assessment, circle: Circle | None) -> bool:
    """Published at once? In a direct conversation, crisis language is too."""
    return circle is None or not assessment.decision.held


def _not_sent_directly(assessment: Assessment) -> AppError | None:
    """Why a direct message is not sent, or None: only crisis language passes a hold."""
    decision = assessment.decision
    if not decision.held or all(r.kind == "crisis" for r in decision.reasons):
        return None
    why = " ".join(
        dict.fromkeys(i18n.said(r.to_dict()) for r in decision.reasons if r.kind != "crisis")
    )
    return Forbidden(
        (_("This message wasn't sent. %(why)s Please put it another way.") % {"why": why}).replace(
            "  ", " "
        ),
        code="not_sent",
    )


def _check_send(user: User, found: Found, draft: Draft, last: datetime | None) -> str:
    """The checks one send passes before screening, in order; the body, trimmed."""
    if not isinstance(found, RoomView):
        # A member whose posting is paused may still answer the moderators' check-in.
        if isinstance(found, DirectRoom):
            require_not_muted(user)
        body = check_body(draft.body)
        check_warnings(draft.content_warnings)
        return body
    try:
        circles.require_can_post(found.view)
    except Conflict as exc:
        raise Forbidden(exc.message, code=exc.code, **exc.extra) from None
    require_not_muted(user)
    body = check_body(draft.body)
    check_warnings(draft.content_warnings)
    _check_open(user, found)
    # Slow mode first: a message it refuses should not use up the member's allowance.
    _check_slow_mode(user, found, last)
    return body


def echo_event(message: ChatMessage, author_name: str) -> Event:
    """What a resend gets back: the stored message as it stands now, never a second copy."""
    if message.status == MessageStatus.PUBLISHED:
        return message_event(message, author_name)
    if message.status == MessageStatus.PENDING:
        return held_event(message)
    return removed_event(message)
