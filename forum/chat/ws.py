"""The room websocket: who may connect, reading sends, and writing what the hub delivers."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.websockets import WebSocket

from forum.accounts import repository as accounts_repository
from forum.accounts.boundaries import Boundaries, presence_hidden, viewer_boundaries
from forum.accounts.models import User
from forum.chat import service
from forum.chat.models import MessageStatus
from forum.errors import AppError, BadRequest, RateLimited, Unauthorized
from forum.fields import parse_id
from forum.i18n import gettext
from forum.outage import DATABASE_ERRORS, is_unavailable, unavailable
from forum.review.regions import choose_region
from forum.sockets import (
    accept_live,
    authenticate,
    error_event,
    guarded,
    refuse,
    until_either_ends,
    write,
)
from forum.state import AppState
from forum.web import validate
from realtime.hub import SLOW_CLOSE_CODE, SLOW_CLOSE_REASON, Event, Subscriber, resume

log = logging.getLogger("circles.chat")


class SendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["send"]
    client_msg_id: str = Field(min_length=1, max_length=64)
    body: str
    # Keys of moderation.content_warnings.WARNINGS, such as ["grief"].
    content_warnings: list[str] = Field(default_factory=list, max_length=20)


# Sends handled together: checked in turn, screened together, stored in one transaction.
BATCH = 32
SERVER_ERROR_CODE = 1011
SERVER_ERROR_REASON = "something went wrong: reconnect and send again"
# How long sends already read may still be handled once the client has gone.
DRAIN_SECONDS = 10.0


def _tell(subscriber: Subscriber, event: Event) -> None:
    if not subscriber.offer(event):
        subscriber.close(SLOW_CLOSE_CODE, SLOW_CLOSE_REASON)


def _refused(exc: AppError, client_msg_id: str | None) -> Event:
    event = error_event(exc)
    if client_msg_id is not None:
        event["client_msg_id"] = client_msg_id
    return event


def _after(text: str | None) -> int | None:
    """The last seq the client holds: 0 asks for the whole room, None for none of it."""
    return 0 if text == "0" else parse_id(text)


async def room_socket(websocket: WebSocket) -> None:
    state: AppState = websocket.app.state.circles
    room_id = int(websocket.path_params["room_id"])
    after = _after(websocket.query_params.get("after"))
    try:
        async with state.sessions() as db:
            user = await authenticate(db, websocket)
            found = await service.enter_room(db, room_id, user)
            # Read once per connection: changed boundaries apply from the next connection.
            boundaries = await viewer_boundaries(db, None, user)
    except AppError as exc:
        await refuse(websocket, exc)
        return
    if not await accept_live(websocket, state.live.ready):
        return
    subscriber = Subscriber(
        user.id,
        user.display_name,
        presence_hidden=presence_hidden(user),
        maxsize=state.settings.chat_outbox,
    )
    # The handshake's Accept-Language picks the crisis lines when the profile names no region.
    sender = _Sender(state, room_id, user.id, subscriber, websocket.headers.get("accept-language"))
    # Subscribe before reading history, so nothing committed meanwhile is missed.
    # The room's newest seq as read above: where a gap fill starts if the relay drops
    # before this process delivers a message to the room.
    state.hub.subscribe(room_id, subscriber, last_seq=found.room.last_seq)

    joined = service.joined_as(found)

    async def still_in_room(db: AsyncSession, member: User) -> None:
        await service.still_in_room(db, room_id, member, joined)

    try:
        with guarded(state.live, state.sessions, websocket, subscriber, still_in_room):
            # ?after=0 asks for the room from its start; no ?after, only what comes next.
            replayed: AsyncIterator[Event] | list[Event] = (
                service.replay(state.sessions, room_id, after) if after is not None else []
            )
            events = resume(subscriber, replayed, after=after or 0)
            shown = _as_seen_by(events, boundaries) if boundaries.active else events
            await until_either_ends(write(websocket, shown), _read(websocket, sender, subscriber))
            # Sends already read are still stored and published, even if their author has gone.
            await sender.finish(DRAIN_SECONDS)
    finally:
        sender.stop()
        state.hub.unsubscribe(room_id, subscriber)


async def _as_seen_by(events: AsyncIterator[Event], boundaries: Boundaries) -> AsyncIterator[Event]:
    """Events as this reader gets them: no messages from members they blocked, and
    messages with their muted words marked to be collapsed."""
    async for event in events:
        if (shown := service.message_for(event, boundaries)) is not None:
            yield shown


async def _read(websocket: WebSocket, sender: _Sender, subscriber: Subscriber) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            _tell(
                subscriber,
                error_event(BadRequest(gettext("Send JSON text frames."), code="bad_frame")),
            )
            continue
        try:
            send = _parse(text)
        except AppError as exc:
            _tell(subscriber, error_event(exc))
            continue
        if not sender.take(send):
            too_fast = RateLimited(
                gettext(
                    "Messages are arriving faster than this room can take them. "
                    "Please wait a moment and send again."
                ),
                retry_after=1.0,
                code="too_fast",
            )
            _tell(subscriber, _refused(too_fast, send.client_msg_id))


def _parse(text: str) -> SendIn:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise BadRequest(gettext("That message is not valid JSON."), code="bad_json") from None
    return validate(SendIn, data)


class _Sender:
    """One connection's sends: read into a bounded inbox, handled a batch at a time.

    Reading never waits on the database, so a member who sends quickly keeps being read
    (and answered) while earlier sends are stored; the batch amortises a transaction over
    every send that arrived meanwhile.
    """

    def __init__(
        self,
        state: AppState,
        room_id: int,
        user_id: int,
        subscriber: Subscriber,
        accept_language: str | None = None,
    ):
        self.state = state
        self.accept_language = accept_language
        self.room_id = room_id
        self.user_id = user_id
        self.subscriber = subscriber
        self._inbox: asyncio.Queue[SendIn | None] = asyncio.Queue()
        self._task = asyncio.get_running_loop().create_task(self._run())

    def take(self, send: SendIn) -> bool:
        """Queue a send; False (refuse it) when the inbox is full."""
        if self._inbox.qsize() >= self.state.settings.chat_inbox:
            return False
        self._inbox.put_nowait(send)
        return True

    async def finish(self, timeout: float) -> None:
        self._inbox.put_nowait(None)
        await asyncio.wait([self._task], timeout=timeout)

    def stop(self) -> None:
        self._task.cancel()

    async def _run(self) -> None:
        try:
            await self._drain()
        except Exception:
            # Unanswered sends are safe to send again: client_msg_id makes that idempotent.
            log.exception("chat: sending in room %d failed", self.room_id)
            self.subscriber.close(SERVER_ERROR_CODE, SERVER_ERROR_REASON)

    async def _drain(self) -> None:
        ending = False
        while not ending:
            batch: list[SendIn] = []
            first = await self._inbox.get()
            ending = first is None
            if first is not None:
                batch.append(first)
            while not ending and len(batch) < BATCH and not self._inbox.empty():
                send = self._inbox.get_nowait()
                ending = send is None
                if send is not None:
                    batch.append(send)
            if batch:
                # Shielded: a batch that started is committed and announced even if the
                # connection ends meanwhile, so nothing stored goes unannounced.
                await asyncio.shield(self._handle(batch))

    async def _handle(self, batch: list[SendIn]) -> None:
        drafts = [
            service.Draft(send.client_msg_id, send.body, tuple(send.content_warnings))
            for send in batch
        ]
        try:
            outcomes = await self._store_settling_races(drafts)
        except AppError as exc:
            outcomes = [exc] * len(drafts)
        except DATABASE_ERRORS as exc:
            if not is_unavailable(exc):
                raise
            # Stored or not, the client keeps these and sends them again once live; the
            # client_msg_id makes a resend of a stored one come back as a duplicate.
            log.warning("chat: database unavailable in room %d: %s", self.room_id, exc)
            outcomes = [unavailable()] * len(drafts)
        for draft, outcome in zip(drafts, outcomes, strict=True):
            if isinstance(outcome, AppError):
                _tell(self.subscriber, _refused(outcome, draft.client_msg_id))
            else:
                self._answer_author(outcome)

    async def _store_settling_races(self, drafts: list[service.Draft]) -> list[service.Outcome]:
        try:
            return await self._store(drafts)
        except IntegrityError:
            # The same client_msg_id from another connection at the same moment: once
            # more, and the resend now finds the stored copy.
            return await self._store(drafts)

    async def _store(self, drafts: list[service.Draft]) -> list[service.Outcome]:
        state = self.state
        async with state.sessions() as db:
            # Looked up afresh for every batch, so a mute or a lost membership applies at once.
            user = await accounts_repository.get_user(db, self.user_id)
            if user is None:
                raise Unauthorized(
                    gettext("Your account is no longer active."), code="login_required"
                )
            found = await service.enter_room(db, self.room_id, user)
            outcomes = await service.send_messages(
                db,
                user,
                found,
                drafts,
                state.screener,
                state.limits,
                choose_region(user.region, self.accept_language),
            )
            for outcome in outcomes:
                if isinstance(outcome, service.Sent) and _is_new_published(outcome):
                    message = outcome.message
                    state.live.remember(
                        message.id, service.message_event(message, user.display_name)
                    )
            await db.commit()
        state.live.committed(db)
        return outcomes

    def _answer_author(self, sent: service.Sent) -> None:
        """What only the author hears; the room hears published messages through `Live`."""
        message = sent.message
        if sent.duplicate:
            echo = service.echo_event(message, sent.author_name)
            _tell(self.subscriber, {**echo, "duplicate": True})
            return
        hub, member_id = self.state.hub, self.subscriber.member_id
        if message.status != MessageStatus.PUBLISHED:
            hub.send_to(self.room_id, member_id, service.held_event(message))
        if sent.crisis is not None:
            hub.send_to(self.room_id, member_id, {"type": "crisis_resources", **sent.crisis})


def _is_new_published(sent: service.Sent) -> bool:
    return not sent.duplicate and sent.message.status == MessageStatus.PUBLISHED
