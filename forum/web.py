"""The request boundary: one unit of work per request, who is asking, CSRF, parsing, replies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from forum import i18n, security
from forum.accounts import service as accounts
from forum.accounts.models import User
from forum.errors import AppError, BadRequest, Forbidden, Invalid, RateLimited, Unauthorized
from forum.fields import check_values, invalid_field, parse_json
from forum.i18n import _
from forum.ratelimit.service import Pace
from forum.state import AppState

SESSION_COOKIE = "circles_session"
CSRF_COOKIE = "circles_csrf"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

M = TypeVar("M", bound=BaseModel)


@dataclass
class Ctx:
    """What a handler needs: the request, its database session and who is asking."""

    request: Request
    app: AppState
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    set_cookies: list[tuple[str, str, int]] = field(default_factory=list)
    failed: bool = False
    _db: AsyncSession | None = None
    _user: User | None = None
    _user_loaded: bool = False

    @property
    def db(self) -> AsyncSession:
        # Opened on first use: a page served from cache never touches the database.
        if self._db is None:
            self._db = self.app.sessions()
        return self._db

    @property
    def is_read(self) -> bool:
        return self.request.method not in UNSAFE_METHODS

    @property
    def is_api(self) -> bool:
        return self.request.url.path.startswith("/api/")

    @property
    def bearer(self) -> str | None:
        header = self.request.headers.get("authorization", "")
        scheme, _space, token = header.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None

    async def user(self) -> User | None:
        if not self._user_loaded:
            self._user_loaded = True
            if (token := self.bearer) is not None:
                self._user = await self._principal("bearer", token)
                if self._user is None:
                    raise Unauthorized(_("That API token is not valid."), code="bad_token")
            elif cookie := self.request.cookies.get(SESSION_COOKIE):
                self._user = await self._principal("session", cookie)
            if self._user is not None and self._user.locale:
                # Their own choice outranks the browser's from here on (endpoint's `using`).
                i18n.switch(self._user.locale)
        return self._user

    async def _principal(self, kind: str, token: str) -> User | None:
        """Reads may use a member looked up moments ago; writes always check afresh."""
        principals = self.app.read_cache.principals
        key = (kind, security.token_hash(token))
        if self.is_read and (cached := principals.get(key)) is not None:
            return cached.value
        lookup = (
            accounts.user_for_bearer_token
            if kind == "bearer"
            else (accounts.user_for_session_token)
        )
        user = await lookup(self.db, token)
        if self.is_read and user is not None:
            self.db.expunge(user)
            principals.put(key, user)
        return user

    async def require_user(self) -> User:
        user = await self.user()
        if user is None:
            raise Unauthorized(_("Please log in first."), code="login_required")
        return user

    def forget_user(self, user_id: int) -> None:
        """After commit, drop this member from the read caches (sessions, profile)."""
        self.after_commit.append(lambda: self.app.read_cache.forget_user(user_id))

    def forget_thread(self, thread_id: int) -> None:
        """After commit, drop the thread's cached pages and snapshots."""

        def forget() -> None:
            self.app.page_cache.invalidate_thread(thread_id)
            self.app.read_cache.forget_thread(thread_id)

        self.after_commit.append(forget)

    def forget_membership(self, circle_id: int, user_id: int) -> None:
        key = (circle_id, user_id)
        self.after_commit.append(lambda: self.app.read_cache.memberships.drop(key))

    def forget_session(self, token: str) -> None:
        key = ("session", security.token_hash(token))
        self.after_commit.append(lambda: self.app.read_cache.principals.drop(key))

    def csrf_seed(self) -> str:
        seed = self.request.cookies.get(CSRF_COOKIE)
        if not seed:
            seed = security.new_token()
            self.request.cookies[CSRF_COOKIE] = seed
            self.set_cookies.append((CSRF_COOKIE, seed, 60 * 60 * 24 * 365))
        return seed

    def csrf_token(self) -> str:
        return security.csrf_token(self.app.settings.secret_key, self.csrf_seed())

    def check_csrf(self, submitted: str | None) -> None:
        """Cookie-authenticated writes must prove they came from our own pages."""
        if self.bearer is not None and SESSION_COOKIE not in self.request.cookies:
            return
        submitted = submitted or self.request.headers.get("x-csrf-token")
        seed = self.request.cookies.get(CSRF_COOKIE)
        if not security.csrf_valid(self.app.settings.secret_key, seed, submitted):
            raise Forbidden(
                _("This form has expired. Please go back, reload the page and try again."),
                code="csrf_failed",
            )

    async def limit_writes(self, user: User, pace: Pace | None = None) -> None:
        """Take one of the member's posts (or `pace`) from the shared limits; staff are exempt."""
        if user.is_staff:
            return
        await self.app.limits.keep_pace(self.db, pace or self.app.limits.posts, f"user:{user.id}")

    async def json_body(self, model: type[M]) -> M:
        """The body as `model`; no body at all is an empty object (claim, join, leave)."""
        data = parse_json(await self.request.body())
        self.check_api_csrf()
        return validate(model, data)

    def check_api_csrf(self) -> None:
        # Only ambient credentials (the session cookie) can be forged cross-site.
        if self.request.method in UNSAFE_METHODS and SESSION_COOKIE in self.request.cookies:
            self.check_csrf(None)

    async def form(self, model: type[M]) -> M:
        form = await self.request.form()
        data = {key: value for key, value in form.items() if isinstance(value, str)}
        self.check_csrf(data.pop("csrf_token", None))
        return validate(model, data)

    async def payload(self, model: type[M]) -> M:
        """JSON for API routes, a form for pages."""
        return await (self.json_body(model) if self.is_api else self.form(model))

    def render_text(self, template: str, **context: Any) -> str:
        context.setdefault("current_user", self._user)
        context.setdefault("csrf_token", self.csrf_token)
        context.setdefault("request", self.request)
        return self.app.templates.get_template(template).render(context)

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(self.render_text(template, **context), status_code=status_code)

    def form_error(self, template: str, exc: AppError, **context: Any) -> HTMLResponse:
        """Show the form again with the problem; nothing from this request is kept."""
        self.failed = True
        response = self.render(template, status_code=exc.status, error=exc.message, **context)
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    def redirect(self, url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)


def validate(model: type[M], data: Any) -> M:
    if not isinstance(data, dict):
        raise Invalid(_("The request body must be a JSON object."), code="invalid")
    if model.model_config.get("extra", "ignore") == "ignore":
        # What the model ignores is never read, so nothing in it can do harm.
        data = {key: value for key, value in data.items() if key in model.model_fields}
    check_values(data)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_field(exc) from None


def endpoint(
    handler: Callable[[Ctx], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """Run a handler in one transaction; commit on success, then send after-commit events."""

    async def run(request: Request) -> Response:
        ctx = Ctx(request, request.app.state.circles)
        # The browser's language until the member is known (Ctx.user), error pages included.
        with i18n.using(i18n.for_request(None, request.headers.get("accept-language", ""))):
            response = await respond(ctx, handler)
            speaks(response)
        return response

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


async def respond(ctx: Ctx, handler: Callable[[Ctx], Awaitable[Response]]) -> Response:
    """The handler's answer inside one transaction, or the error it raised, as a response."""
    state, request = ctx.app, ctx.request
    try:
        check_address(request)
        response = await handler(ctx)
        if ctx._db is not None and ctx._db.in_transaction():
            await (ctx._db.rollback() if ctx.failed else ctx._db.commit())
    except AppError as exc:
        # Render first: rolling back expires the loaded user the page shows.
        response = error_response(ctx, exc)
        ctx.failed = True
        if ctx._db is not None:
            await ctx._db.rollback()
    finally:
        if ctx._db is not None:
            await ctx._db.close()
    if not ctx.failed:
        if ctx._db is not None:
            state.live.committed(ctx._db)
        for event in ctx.after_commit:
            event()
    for name, value, max_age in ctx.set_cookies:
        set_cookie(response, state, name, value, max_age)
    return response


def speaks(response: Response) -> None:
    """Say which language the answer is in, and that it depends on the browser's (and on
    who is signed in), so no shared cache hands a Spanish page to an English reader."""
    response.headers["Content-Language"] = i18n.current_locale()
    vary = [v.strip() for v in response.headers.get("vary", "").split(",") if v.strip()]
    for name in ("Accept-Language", "Cookie"):
        if name.lower() not in {v.lower() for v in vary}:
            vary.append(name)
    response.headers["Vary"] = ", ".join(vary)


def check_address(request: Request) -> None:
    """A NUL (%00) in the path or query is never ours, and PostgreSQL can't compare it."""
    query = request.query_params.multi_items()
    if "\x00" in request.url.path or any("\x00" in k + v for k, v in query):
        raise BadRequest(
            _("This address contains a NUL character (%00), which no address here has."),
            code="bad_address",
        )


def set_cookie(response: Response, state: AppState, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=state.settings.secure_cookies,
        path="/",
    )


def error_response(ctx: Ctx, exc: AppError) -> Response:
    retry_after = getattr(exc, "retry_after", None)  # rate limits, the database away
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    if ctx.is_api or ctx.request.headers.get("accept", "").startswith("application/json"):
        return JSONResponse(exc.payload(), status_code=exc.status, headers=headers)
    if isinstance(exc, Unauthorized):
        return ctx.redirect(f"/login?next={ctx.request.url.path}")
    response = ctx.render("error.html", status_code=exc.status, message=exc.message, code=exc.code)
    if headers:
        response.headers.update(headers)
    return response
