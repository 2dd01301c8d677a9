"""What every websocket endpoint shares: who is connecting, refusing, and the writer loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.responses import JSONResponse
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from forum import i18n
from forum.accounts import service as accounts
from forum.accounts.models import User
from forum.errors import AppError, DatabaseUnavailable, Forbidden, RateLimited, Unauthorized
from forum.i18n import N_, _
from forum.live import Live
from forum.outage import DATABASE_ERRORS, is_unavailable
from forum.web import SESSION_COOKIE
from realtime.hub import Event, Subscriber, SubscriberClosed, encode

log = logging.getLogger("circles.sockets")

DENIAL_EXTENSION = "websocket.http.response"
TRY_AGAIN_CODE = 1013
# Application close codes (4000 + the HTTP status): the client shows the reason and does
# not reconnect, since reconnecting would only be refused again.
SIGNED_OUT_CODE = 4401
WITHDRAWN_CODE = 4403
SIGNED_OUT_REASON = N_("You have been signed out. Please log in again.")
WITHDRAWN_REASON = N_("You no longer have access to this.")
UNAVAILABLE_REASON = N_("The forum can't reach its database for a moment: try again shortly.")
# A close frame's reason may hold at most 123 bytes of UTF-8.
REASON_BYTES = 123

# Checks that `user` may still hold this socket open; raises AppError when not.
AccessCheck = Callable[[AsyncSession, User], Awaitable[object]]


async def accept_live(websocket: WebSocket, ready: bool) -> bool:
    """Accept the socket; while live updates restart, close it at once asking to retry."""
    await websocket.accept()
    if not ready:
        await websocket.close(TRY_AGAIN_CODE, "live updates are restarting: try again shortly")
    return ready


async def close_unavailable(websocket: WebSocket) -> None:
    """The database is away: close with 1013 (try again later) and say so, never a 500."""
    with suppress(RuntimeError, OSError, WebSocketDisconnect):  # the client already left
        if websocket.application_state == WebSocketState.CONNECTING:
            await websocket.accept()
        if websocket.application_state == WebSocketState.CONNECTED:
            await websocket.close(TRY_AGAIN_CODE, _(UNAVAILABLE_REASON))


def error_event(exc: AppError) -> Event:
    event: Event = {"type": "error", "code": exc.code, "message": exc.message}
    if isinstance(exc, RateLimited | DatabaseUnavailable):
        event["retry_after"] = exc.retry_after
    if "current_version" in exc.extra:  # rules_not_accepted: the version to accept
        event["current_version"] = exc.extra["current_version"]
    return event


def _same_origin(websocket: WebSocket) -> bool:
    origin, host = websocket.headers.get("origin"), websocket.headers.get("host")
    return bool(origin and host and urlsplit(origin).netloc == host)


async def authenticate(db: AsyncSession, websocket: WebSocket) -> User:
    """The member behind a Bearer token or (from our own pages only) the session cookie.

    It also sets the socket's language (forum.i18n) for everything said on it from here
    on: the member's own choice, else their browser's, which also words a refusal.
    """
    accept_language = websocket.headers.get("accept-language", "")
    i18n.switch(i18n.for_request(None, accept_language))
    scheme, _space, token = websocket.headers.get("authorization", "").partition(" ")
    user = None
    if scheme.lower() == "bearer" and token.strip():
        user = await accounts.user_for_bearer_token(db, token.strip())
    elif cookie := websocket.cookies.get(SESSION_COOKIE):
        # Browsers send cookies to websockets from any site; only our own pages may use them.
        if not _same_origin(websocket):
            raise Forbidden(
                _("Live updates connect only from this site's own pages."), code="bad_origin"
            )
        user = await accounts.user_for_session_token(db, cookie)
    if user is None:
        raise Unauthorized(_("Please log in to join the chat."), code="login_required")
    i18n.switch(i18n.for_request(user.locale, accept_language))
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
    except DATABASE_ERRORS as exc:  # reading history when the database went away
        if not is_unavailable(exc):
            raise
        await close_unavailable(websocket)


def _close_reason(exc: AppError, fallback: str) -> str:
    return exc.message if len(exc.message.encode()) <= REASON_BYTES else fallback


@contextmanager
def guarded(
    live: Live,
    sessions: async_sessionmaker[AsyncSession],
    websocket: WebSocket,
    subscriber: Subscriber,
    check: AccessCheck,
) -> Iterator[None]:
    """While open, the socket re-checks its credentials and `check` whenever the member's
    access changes (forum.events.access_changed), and closes with 4401 or 4403 if gone."""

    async def recheck() -> None:
        try:
            async with sessions() as db:
                user = await authenticate(db, websocket)
                await check(db, user)
        except Unauthorized:
            subscriber.close(SIGNED_OUT_CODE, _(SIGNED_OUT_REASON))
        except AppError as exc:
            subscriber.close(WITHDRAWN_CODE, _close_reason(exc, _(WITHDRAWN_REASON)))
        except Exception:  # the database failed: keep the socket rather than guess
            log.exception("sockets: re-checking member %d failed", subscriber.member_id)

    live.watch(subscriber.member_id, recheck)
    try:
        yield
    finally:
        live.unwatch(subscriber.member_id, recheck)
