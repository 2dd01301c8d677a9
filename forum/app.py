"""The application factory: routes, middleware, error pages and shared state."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, ExceptionHandler, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from forum import script_words, security
from forum.accounts import routes as account_routes
from forum.boundaries import routes as boundary_routes
from forum.cache import PageCache, ReadCache
from forum.chat import routes as chat_routes
from forum.chat import service as chat_service
from forum.checkins import routes as check_in_routes
from forum.circle_members import routes as circle_member_routes
from forum.circle_moderation import routes as circle_moderation_routes
from forum.circles import routes as circle_routes
from forum.config import Settings
from forum.db import make_engine, make_sessionmaker, ping
from forum.errors import AppError, DatabaseUnavailable
from forum.headers import SecurityHeaders
from forum.i18n import N_, _, number
from forum.live import Live
from forum.mail import routes as mail_routes
from forum.mail.sender import Mailer
from forum.notifications import routes as notification_routes
from forum.notifications import service as notifications
from forum.openapi import openapi_document
from forum.outage import DATABASE_ERRORS, is_unavailable, unavailable
from forum.ownership import routes as ownership_routes
from forum.people import routes as people_routes
from forum.ratelimit.service import Limits
from forum.reactions import routes as reaction_routes
from forum.review import pages as review_pages
from forum.review import resources as crisis_resources
from forum.review import routes as review_routes
from forum.review import ws as review_ws
from forum.review.escalation import run_escalations
from forum.review.regions import choose_region
from forum.review.service import ShiftRules
from forum.rules import pages as rules_pages
from forum.rules import routes as rules_routes
from forum.safety import routes as safety_routes
from forum.screening import build_screener
from forum.search import routes as search_routes
from forum.sockets import close_unavailable
from forum.state import AppState, make_templates
from forum.threads import routes as thread_routes
from forum.welcome import routes as welcome_routes
from moderation.toxicity import ToxicityScorer
from realtime.hub import Hub

log = logging.getLogger("circles")

# Presence changes within this many seconds go out as one event (a crowd joining at once).
PRESENCE_DELAY = 0.25


async def healthz(request: Request) -> Response:
    state: AppState = request.app.state.circles
    try:
        await ping(state.sessions)
        database = "ok"
    except Exception as exc:  # any failure to reach the database is what we report
        log.warning("health check: database unreachable: %s", exc)
        database = "unreachable"
    ok = database == "ok"
    return JSONResponse(
        {
            "status": "ok" if ok else "degraded",
            "database": database,
            "toxicity_model": state.screener.model_name,
            "moderation_pipeline": state.screener.pipeline.version,
        },
        status_code=200 if ok else 503,
        headers=None if ok else {"Retry-After": str(DatabaseUnavailable.RETRY_AFTER)},
    )


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def _error_page(request: Request, status: int, code: str, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    state: AppState = request.app.state.circles
    html = state.templates.get_template("error.html").render(
        request=request, current_user=None, csrf_token=lambda: "", message=message, code=code
    )
    return HTMLResponse(html, status_code=status)


HTTP_MESSAGES = {
    404: ("not_found", N_("There's nothing at this address.")),
    405: ("method_not_allowed", N_("This address doesn't accept that kind of request.")),
    413: ("payload_too_large", N_("That is more than this site accepts in one go.")),
}


def allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (a path may have one route per method)."""
    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, Route) and route.methods:
            match, _ = route.matches({**request.scope, "method": "OPTIONS"})
            if match != Match.NONE:
                methods |= route.methods
    return ", ".join(sorted(methods))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, message = HTTP_MESSAGES.get(exc.status_code, ("error", str(exc.detail)))
    message = _(message)
    if exc.status_code == 413:
        limit = request.app.state.circles.settings.max_body_bytes
        message = _(
            "That is more than this site accepts in one go (the limit is %(limit)s bytes)."
        ) % {"limit": number(limit)}
    response = _error_page(request, exc.status_code, code, message)
    if exc.status_code == 405:
        response.headers["Allow"] = allowed_methods(request)
    return response


async def app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return _error_page(request, exc.status, exc.code, exc.message)


async def database_unavailable(conn: HTTPConnection, exc: Exception) -> Response | None:
    """503 with Retry-After while the database is away; any other database error is a bug."""
    if not is_unavailable(exc):
        raise exc  # on to `server_error`, as before
    log.warning("database unavailable on %s: %s", conn.url.path, exc)
    if isinstance(conn, WebSocket):
        await close_unavailable(conn)
        return None
    assert isinstance(conn, Request)
    error = unavailable(exc)
    headers = {"Retry-After": str(error.retry_after)}
    if _wants_json(conn):
        return JSONResponse(error.payload(), status_code=error.status, headers=headers)
    state: AppState = conn.app.state.circles
    html = state.templates.get_template("unavailable.html").render(
        request=conn,
        current_user=None,
        csrf_token=lambda: "",
        busy=error.code == "busy",
        lines=state.crisis_lines.for_region(
            choose_region(None, conn.headers.get("accept-language"))
        ),
        # A page that was only being read can safely ask again by itself.
        refresh=error.retry_after if conn.method in ("GET", "HEAD") else None,
    )
    return HTMLResponse(html, status_code=error.status, headers=headers)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error_page(
        request,
        500,
        "server_error",
        _("Something went wrong on our side. Nothing you did caused this; please try again."),
    )


class BodyLimit:
    """Refuses request bodies over the limit with our own 413 (JSON on the API, a page elsewhere).

    Starlette's `max_body_size` answers a too-large Content-Length in plain text, over
    whatever the app replies, so the limit is enforced here instead.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Reads carry no body worth checking, and they are most of the traffic.
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            response = await http_error(Request(scope), HTTPException(413))
            await response(scope, receive, send)
            return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413)
            return message

        await self.app(scope, receive_within_limit, send)


def create_app(
    settings: Settings | None = None,
    *,
    engine: AsyncEngine | None = None,
    sessions: async_sessionmaker[AsyncSession] | None = None,
    scorer: ToxicityScorer | None = None,
) -> Starlette:
    settings = settings or Settings.from_env()
    security.use_fast_hashing(settings.environment == "test")
    engine = engine or make_engine(settings.database_url, settings.db_pool_size)
    sessions = sessions or make_sessionmaker(engine)
    hub = Hub(presence_delay=PRESENCE_DELAY)
    state = AppState(
        settings=settings,
        engine=engine,
        sessions=sessions,
        templates=make_templates(),
        limits=Limits(settings, sessions),
        page_cache=PageCache(settings.page_cache_seconds),
        read_cache=ReadCache(settings.page_cache_seconds, principal_id=lambda user: user.id),
        screener=build_screener(settings, scorer),
        shift_rules=ShiftRules(
            settings.claim_minutes,
            settings.shift_hours,
            settings.shift_limit,
            settings.break_after,
        ),
        hub=hub,
        live=Live(sessions, settings.database_url, hub),
        mailer=Mailer(settings),
    )
    state.live.load_messages = chat_service.published_events
    state.live.load_notifications = notifications.live_events
    state.live.replay_messages = chat_service.replay
    state.live.load_unread = notifications.unread_events
    state.live.forget_user = state.read_cache.forget_user
    log.info("moderation: %s", state.screener.pipeline.version)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await state.live.start()
        async with state.sessions() as db:
            state.crisis_lines.remember(await crisis_resources.all_resources(db))
        # The first message screened should not also pay for the scorer's first call.
        await state.screener.screen("Hello, everyone.")
        # What start-up made lives as long as the process: keep the collector from
        # walking it again and again, which paused live chat for a tenth of a second.
        gc.collect()
        gc.freeze()
        interval = settings.escalation_check_seconds
        escalations = (
            asyncio.get_running_loop().create_task(
                run_escalations(state.sessions, state.live, interval)
            )
            if interval > 0
            else None
        )
        yield
        if escalations is not None:
            escalations.cancel()
        await state.mailer.drain()
        await state.live.stop()
        await state.screener.close()
        await engine.dispose()

    # Starlette tries routes in order: the hot read paths (threads) go first.
    routes = [
        *thread_routes.routes,
        Route("/healthz", healthz, methods=["GET"]),
        Route("/api/v1/openapi.json", openapi, methods=["GET"]),
        *account_routes.routes,
        *circle_routes.routes,
        *rules_routes.routes,
        *rules_pages.routes,
        *circle_moderation_routes.routes,
        *circle_member_routes.routes,
        *review_routes.routes,
        *review_pages.routes,
        *check_in_routes.routes,
        *chat_routes.routes,
        *review_ws.routes,
        *notification_routes.routes,
        *people_routes.routes,
        # Personal boundaries and data ownership (issue 5).
        *boundary_routes.routes,
        *ownership_routes.routes,
        # Crisis care (issue 11): the member's own safety plan.
        *safety_routes.routes,
        *search_routes.routes,
        *reaction_routes.routes,
        *welcome_routes.routes,
        # Optional e-mail: password resets and the daily digest (issue 13).
        *mail_routes.routes,
        Route(script_words.PATH, script_words.script_words_module, methods=["GET"]),
        Mount("/static", StaticFiles(directory=settings.static_dir), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders, hsts_seconds=settings.hsts_seconds),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
        ],
        exception_handlers={
            HTTPException: http_error,
            AppError: app_error,
            # One handler for pages, the API and sockets alike (Starlette types them apart).
            **{kind: cast(ExceptionHandler, database_unavailable) for kind in DATABASE_ERRORS},
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.state.circles = state
    return app
