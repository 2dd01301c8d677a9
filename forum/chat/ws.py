"""The room websocket: who may connect, reading sends, and writing what the hub delivers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import JSONResponse
from starlette.websockets import WebSocket

from forum.accounts import repository as accounts_repository
from forum.accounts import service as accounts
from forum.accounts.models import User
from forum.chat import service
from forum.chat.models import MessageStatus
from forum.errors import AppError, BadRequest, Forbidden, Unauthorized
from forum.fields import parse_id
from forum.review.regions import choose_region
from forum.state import AppState
from forum.web import SESSION_COOKIE, validate
from realtime.hub import (
    SLOW_CLOSE_CODE,
    SLOW_CLOSE_REASON,
    Event,
    Hub,
    Subscriber,
    SubscriberClosed,
    resume,
)

DENIAL_EXTENSION = "websocket.http.response"


class SendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["send"]
    client_msg_id: str = Field(min_length=1, max_length=64)
    body: str


def error_event(exc: AppError) -> Event:
    return {"type": "error", "code": exc.code, "message": exc.message}


def _same_origin(websocket: WebSocket) -> bool:
    origin, host = websocket.headers.get("origin"), websocket.headers.get("host")
    return bool(origin and host and urlsplit(origin).netloc == host)


async def _authenticate(db: AsyncSession, websocket: WebSocket) -> User:
    scheme, _, token = websocket.headers.get("authorization", "").partition(" ")
    user = None
    if scheme.lower() == "bearer" and token.strip():
        user = await accounts.user_for_bearer_token(db, token.strip())
    elif cookie := websocket.cookies.get(SESSION_COOKIE):
        # Browsers send cookies to websockets from any site; only our own pages may use them.
        if not _same_origin(websocket):
            raise Forbidden("Chat connects only from this site's own pages.", code="bad_origin")
        user = await accounts.user_for_session_token(db, cookie)
    if user is None:
        raise Unauthorized("Please log in to join the chat.", code="login_required")
    return user


async def _refuse(websocket: WebSocket, exc: AppError) -> None:
    if DENIAL_EXTENSION in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(JSONResponse(exc.payload(), status_code=exc.status))
    else:
        await websocket.close(code=4000 + exc.status, reason=exc.code)


def _tell(subscriber: Subscriber, event: Event) -> None:
    if not subscriber.offer(event):
        subscriber.close(SLOW_CLOSE_CODE, SLOW_CLOSE_REASON)


async def room_socket(websocket: WebSocket) -> None:
    state: AppState = websocket.app.state.circles
    room_id = int(websocket.path_params["room_id"])
    after = parse_id(websocket.query_params.get("after")) or 0
    try:
        async with state.sessions() as db:
            user = await _authenticate(db, websocket)
            await service.enter_room(db, room_id, user)
    except AppError as exc:
        await _refuse(websocket, exc)
        return
    await websocket.accept()
    subscriber = Subscriber(user.id, user.display_name)
    # Subscribe before reading history, so nothing committed meanwhile is missed.
    state.hub.subscribe(room_id, subscriber)
    try:
        async with state.sessions() as db:
            replayed = await service.replay(db, room_id, after) if after else []
        writer = _write(websocket, resume(subscriber, replayed, after=after))
        reader = _read(websocket, state, room_id, user.id, subscriber)
        await _until_either_ends(writer, reader)
    finally:
        state.hub.unsubscribe(room_id, subscriber)


async def _until_either_ends(*coroutines: Any) -> None:
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _write(websocket: WebSocket, events: AsyncIterator[Event]) -> None:
    try:
        async for event in events:
            await websocket.send_json(event)
    except SubscriberClosed as exc:
        await websocket.close(exc.code, exc.reason)


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
            await db.commit()
    except AppError as exc:
        _tell(subscriber, error_event(exc))
        return
    _announce(state.hub, room_id, subscriber, sent)


def _announce(hub: Hub, room_id: int, subscriber: Subscriber, sent: service.Sent) -> None:
    """After commit: the room sees published messages; only the author hears the rest."""
    message = sent.message
    if sent.duplicate:
        _tell(subscriber, service.echo_event(message, sent.author_name))
        return
    if message.status == MessageStatus.PUBLISHED:
        hub.publish(room_id, service.message_event(message, sent.author_name))
    else:
        hub.send_to(room_id, subscriber.member_id, service.held_event(message))
    if sent.crisis is not None:
        crisis = {
            "type": "crisis_resources",
            "level": sent.crisis["level"],
            "message": sent.crisis["message"],
            "resources": sent.crisis["resources"],
        }
        hub.send_to(room_id, subscriber.member_id, crisis)


_decisions: set[asyncio.Task[None]] = set()


def broadcast_decision(state: AppState, message_id: int) -> None:
    """After a moderator's decision commits, show an approved message or take a removed one."""
    task = asyncio.get_running_loop().create_task(_broadcast_decision(state, message_id))
    _decisions.add(task)
    task.add_done_callback(_decisions.discard)


async def _broadcast_decision(state: AppState, message_id: int) -> None:
    async with state.sessions() as db:
        decided = await service.decided_event(db, message_id)
    if decided is not None:
        state.hub.publish(*decided)
