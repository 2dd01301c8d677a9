"""The room websocket: who may connect, reading sends, and writing what the hub delivers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.websockets import WebSocket

from forum.accounts import repository as accounts_repository
from forum.chat import service
from forum.chat.models import MessageStatus
from forum.errors import AppError, BadRequest, Unauthorized
from forum.fields import parse_id
from forum.review.regions import choose_region
from forum.sockets import (
    TRY_AGAIN_CODE,
    authenticate,
    error_event,
    refuse,
    until_either_ends,
    write,
)
from forum.state import AppState
from forum.web import validate
from realtime.hub import SLOW_CLOSE_CODE, SLOW_CLOSE_REASON, Event, Subscriber, resume


class SendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["send"]
    client_msg_id: str = Field(min_length=1, max_length=64)
    body: str


def _tell(subscriber: Subscriber, event: Event) -> None:
    if not subscriber.offer(event):
        subscriber.close(SLOW_CLOSE_CODE, SLOW_CLOSE_REASON)


async def room_socket(websocket: WebSocket) -> None:
    state: AppState = websocket.app.state.circles
    room_id = int(websocket.path_params["room_id"])
    after = parse_id(websocket.query_params.get("after")) or 0
    try:
        async with state.sessions() as db:
            user = await authenticate(db, websocket)
            await service.enter_room(db, room_id, user)
    except AppError as exc:
        await refuse(websocket, exc)
        return
    await websocket.accept()
    if not state.live.ready:
        await websocket.close(TRY_AGAIN_CODE, "live updates are restarting: try again shortly")
        return
    subscriber = Subscriber(
        user.id,
        user.display_name,
        presence_hidden=user.hide_presence,
        maxsize=state.settings.chat_outbox,
    )
    # Subscribe before reading history, so nothing committed meanwhile is missed.
    state.hub.subscribe(room_id, subscriber)
    try:
        replayed: AsyncIterator[Event] | list[Event] = (
            service.replay(state.sessions, room_id, after) if after else []
        )
        writer = write(websocket, resume(subscriber, replayed, after=after))
        reader = _read(websocket, state, room_id, user.id, subscriber)
        await until_either_ends(writer, reader)
    finally:
        state.hub.unsubscribe(room_id, subscriber)


async def _read(
    websocket: WebSocket, state: AppState, room_id: int, user_id: int, subscriber: Subscriber
) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            _tell(subscriber, error_event(BadRequest("Send JSON text frames.", code="bad_frame")))
            continue
        await _handle(state, room_id, user_id, subscriber, text)


def _parse(text: str) -> SendIn:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise BadRequest("That message is not valid JSON.", code="bad_json") from None
    return validate(SendIn, data)


async def _handle(
    state: AppState, room_id: int, user_id: int, subscriber: Subscriber, text: str
) -> None:
    try:
        data = _parse(text)
        async with state.sessions() as db:
            # Looked up afresh for every send, so a mute or a lost membership applies at once.
            user = await accounts_repository.get_user(db, user_id)
            if user is None:
                raise Unauthorized("Your account is no longer active.", code="login_required")
            found = await service.enter_room(db, room_id, user)
            sent = await service.send_message(
                db,
                user,
                found,
                data.client_msg_id,
                data.body,
                state.screener,
                state.chat_limiter,
                choose_region(user.region, None),
            )
            if not sent.duplicate and sent.message.status == MessageStatus.PUBLISHED:
                event = service.message_event(sent.message, sent.author_name)
                state.live.remember(sent.message.id, event)
            await db.commit()
        state.live.committed(db)
    except AppError as exc:
        _tell(subscriber, error_event(exc))
        return
    _answer_author(state, room_id, subscriber, sent)


def _answer_author(
    state: AppState, room_id: int, subscriber: Subscriber, sent: service.Sent
) -> None:
    """What only the author hears; the room hears published messages through `Live`."""
    message = sent.message
    if sent.duplicate:
        _tell(subscriber, service.echo_event(message, sent.author_name))
        return
    if message.status != MessageStatus.PUBLISHED:
        state.hub.send_to(room_id, subscriber.member_id, service.held_event(message))
    if sent.crisis is not None:
        crisis = {
            "type": "crisis_resources",
            "level": sent.crisis["level"],
            "message": sent.crisis["message"],
            "resources": sent.crisis["resources"],
        }
        state.hub.send_to(room_id, subscriber.member_id, crisis)
