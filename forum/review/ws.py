"""The live review queue: moderators hear new items, claims and decisions as they commit."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from forum.accounts.models import User
from forum.errors import AppError, Forbidden
from forum.i18n import gettext
from forum.live import ALL_CIRCLES
from forum.review.service import moderation_scope
from forum.sockets import accept_live, authenticate, guarded, refuse, until_either_ends, write
from forum.state import AppState
from realtime.hub import Event, Subscriber


async def queue_socket(websocket: WebSocket) -> None:
    state: AppState = websocket.app.state.circles
    try:
        async with state.sessions() as db:
            user = await authenticate(db, websocket)
            scope = await moderation_scope(db, user)
    except AppError as exc:
        await refuse(websocket, exc)
        return
    if not await accept_live(websocket, state.live.ready):
        return
    subscriber = Subscriber(
        user.id, user.display_name, presence_hidden=True, maxsize=state.settings.chat_outbox
    )
    keys = [ALL_CIRCLES] if scope is None else scope
    for key in keys:
        state.live.queue_hub.subscribe(key, subscriber)

    async def still_moderates(db: AsyncSession, member: User) -> None:
        now = await moderation_scope(db, member)
        if now is not None and (scope is None or set(scope) - set(now)):
            raise Forbidden(
                gettext("You no longer moderate some of these circles."), code="not_moderator"
            )

    try:
        with guarded(state.live, state.sessions, websocket, subscriber, still_moderates):
            await until_either_ends(
                write(websocket, _not_about_themselves(subscriber)), _until_closed(websocket)
            )
    finally:
        for key in keys:
            state.live.queue_hub.unsubscribe(key, subscriber)


async def _not_about_themselves(subscriber: Subscriber) -> AsyncIterator[Event]:
    """Moderators never review their own content, so they don't hear about it either."""
    while True:
        event = await subscriber.next_event()
        if event.get("author_id") != subscriber.member_id:
            yield {k: v for k, v in event.items() if k != "author_id"}


async def _until_closed(websocket: WebSocket) -> None:
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass  # the queue socket only listens


routes = [WebSocketRoute("/ws/moderation", queue_socket)]
