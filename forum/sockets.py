"""What every websocket endpoint shares: who is connecting, refusing, and the writer loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import JSONResponse
from starlette.websockets import WebSocket

from forum.accounts import service as accounts
from forum.accounts.models import User
from forum.errors import AppError, Forbidden, RateLimited, Unauthorized
from forum.web import SESSION_COOKIE
from realtime.hub import Event, SubscriberClosed, encode

DENIAL_EXTENSION = "websocket.http.response"
TRY_AGAIN_CODE = 1013


async def accept_live(websocket: WebSocket, ready: bool) -> bool:
    """Accept the socket; while live updates restart, close it at once asking to retry."""
    await websocket.accept()
    if not ready:
        await websocket.close(TRY_AGAIN_CODE, "live updates are restarting: try again shortly")
    return ready


def error_event(exc: AppError) -> Event:
    event: Event = {"type": "error", "code": exc.code, "message": exc.message}
    if isinstance(exc, RateLimited):
        event["retry_after"] = exc.retry_after
    if "current_version" in exc.extra:  # rules_not_accepted: the version to accept
        event["current_version"] = exc.extra["current_version"]
    return event


def _same_origin(websocket: WebSocket) -> bool:
    origin, host = websocket.headers.get("origin"), websocket.headers.get("host")
    return bool(origin and host and urlsplit(origin).netloc == host)


async def authenticate(db: AsyncSession, websocket: WebSocket) -> User:
    """The member behind a Bearer token or (from our own pages only) the session cookie."""
    scheme, _, token = websocket.headers.get("authorization", "").partition(" ")
    user = None
    if scheme.lower() == "bearer" and token.strip():
        user = await accounts.user_for_bearer_token(db, token.strip())
    elif cookie := websocket.cookies.get(SESSION_COOKIE):
        # Browsers send cookies to websockets from any site; only our own pages may use them.
        if not _same_origin(websocket):
            raise Forbidden(
                "Live updates connect only from this site's own pages.", code="bad_origin"
            )
        user = await accounts.user_for_session_token(db, cookie)
    if user is None:
        raise Unauthorized("Please log in to join the chat.", code="login_required")
    return user


async def refuse(websocket: WebSocket, exc: AppError) -> None:
    """Refuse the handshake with our JSON error, or close with 4000 + status if we can't."""
    if DENIAL_EXTENSION in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(JSONResponse(exc.payload(), status_code=exc.status))
    else:
        await websocket.close(code=4000 + exc.status, reason=exc.code)


async def until_either_ends(*coroutines: Any) -> None:
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def write(websocket: WebSocket, events: AsyncIterator[Event]) -> None:
    """Send each event as JSON text until the hub closes the subscriber."""
    try:
        async for event in events:
            await websocket.send_text(encode(event))
    except SubscriberClosed as exc:
        await websocket.close(exc.code, exc.reason)
