"""Account routes: register, log in and out, tokens, settings (JSON API and pages)."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum import security
from forum.accounts import blocks, boundaries, credentials, service
from forum.accounts.models import User
from forum.accounts.schemas import (
    ContentWarningForm,
    Credentials,
    Empty,
    LanguageForm,
    MeChanges,
    NewToken,
    PasswordChange,
    PasswordForm,
    Presence,
    Profile,
    Register,
    RoleIn,
    TokenRequest,
)
from forum.chat import direct
from forum.errors import AppError, RateLimited, Unauthorized
from forum.i18n import N_, _
from forum.mail import service as mail
from forum.review.regions import region_names
from forum.review.schemas import RegionIn
from forum.web import SESSION_COOKIE, Ctx, endpoint, set_cookie
from moderation.content_warnings import WARNINGS, full_prefs

BAD_LOGIN = N_("That username and password don't match. Please try again.")


def user_json(user: User) -> dict[str, object]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "hide_presence": user.hide_presence,
        "dm_policy": user.dm_policy,
        "muted_words": list(user.muted_words or []),
        "availability": user.availability or "",
        "taking_break": user.taking_break,
        "content_warning_prefs": full_prefs(user.content_warning_prefs),
        "check_ins": user.check_ins,
        "locale": user.locale,
    }


def safe_next(url: str) -> str:
    return url if url.startswith("/") and not url.startswith("//") else "/"


def _address(ctx: Ctx) -> str:
    return ctx.request.client.host if ctx.request.client else "-"


async def _check_login(ctx: Ctx, username: str, password: str) -> User:
    """Failures slow down the account and the address; the same whether the name exists.

    An account's delays grow but are capped, so failures elsewhere slow a member down
    without locking them out; an address allows far more, for people behind one NAT.
    """
    limits = ctx.app.limits
    name = service.username_key(username)
    rules = limits.sign_in_rules(_address(ctx), name)
    await limits.attempt(ctx.db, rules)
    user = await service.authenticate(ctx.db, username, password)
    if user is None:
        raise Unauthorized(_(BAD_LOGIN), code="invalid_credentials")
    await limits.passed(ctx.db, rules)
    return user


@endpoint
async def api_register(ctx: Ctx) -> Response:
    data = await ctx.json_body(Register)
    await ctx.app.limits.keep_pace(ctx.db, ctx.app.limits.registrations, _address(ctx))
    user = await service.register(ctx.db, data.username, data.password, data.display_name)
    return JSONResponse(user_json(user), status_code=201)


@endpoint
async def api_token(ctx: Ctx) -> Response:
    data = await ctx.json_body(TokenRequest)
    user = await _check_login(ctx, data.username, data.password)
    token = await service.create_api_token(ctx.db, user, data.name)
    return JSONResponse({"token": token, "user": user_json(user)})


@endpoint
async def api_me(ctx: Ctx) -> Response:
    return JSONResponse(user_json(await ctx.require_user()))


@endpoint
async def api_change_me(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.json_body(MeChanges)
    if data.hide_presence is not None:
        await service.set_presence_hidden(ctx.db, user, data.hide_presence)
    if data.dm_policy is not None:
        await direct.set_policy(ctx.db, user, data.dm_policy)
    await boundaries.change_boundaries(ctx.db, user, data)
    if data.content_warning_prefs is not None:
        await service.set_content_warning_prefs(ctx.db, user, data.content_warning_prefs)
    if "locale" in data.model_fields_set:  # null is a choice: follow the browser
        await service.set_locale(ctx.db, user, data.locale)
    ctx.forget_user(user.id)
    return JSONResponse(user_json(user))


@endpoint
async def update_presence(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(Presence)
    await service.set_presence_hidden(ctx.db, user, data.hide_presence)
    ctx.forget_user(user.id)
    return ctx.redirect("/account?saved=presence")


async def _sign_in(ctx: Ctx, user: User, next_url: str) -> Response:
    # Rotate: whatever session this browser had ends, and a fresh token is issued.
    if old := ctx.request.cookies.get(SESSION_COOKIE):
        await service.end_session(ctx.db, old)
        ctx.forget_session(old)
    token = await service.start_session(
        ctx.db, user, ctx.request.headers.get("user-agent", ""), ctx.app.settings.session_days
    )
    response = ctx.redirect(safe_next(next_url))
    set_cookie(response, ctx.app, SESSION_COOKIE, token, ctx.app.settings.session_days * 86400)
    return response


@endpoint
async def register_page(ctx: Ctx) -> Response:
    if ctx.request.method == "GET":
        return ctx.render("register.html", form={})
    data = await ctx.form(Register)
    try:
        await ctx.app.limits.keep_pace(ctx.db, ctx.app.limits.registrations, _address(ctx))
        user = await service.register(ctx.db, data.username, data.password, data.display_name)
    except AppError as exc:
        return ctx.form_error("register.html", exc, form=data.model_dump(exclude={"password"}))
    return await _sign_in(ctx, user, "/welcome")  # the first-run page


@endpoint
async def login_page(ctx: Ctx) -> Response:
    if ctx.request.method == "GET":
        return ctx.render(
            "login.html", form={}, next=safe_next(ctx.request.query_params.get("next", "/"))
        )
    data = await ctx.form(Credentials)
    try:
        user = await _check_login(ctx, data.username, data.password)
    except AppError as exc:
        response = ctx.form_error(
            "login.html", exc, form={"username": data.username}, next=safe_next(data.next)
        )
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return await _sign_in(ctx, user, data.next)


@endpoint
async def logout(ctx: Ctx) -> Response:
    await ctx.form(Empty)
    if token := ctx.request.cookies.get(SESSION_COOKIE):
        await service.end_session(ctx.db, token)
        ctx.forget_session(token)
    response = ctx.redirect("/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def account_page_response(
    ctx: Ctx, user: User, status_code: int | None = None, **extra: object
) -> Response:
    sessions, tokens = await service.sessions_and_tokens(ctx.db, user)
    status = status_code or (200 if "error" not in extra else 422)
    return ctx.render(
        "account.html",
        status_code=status,
        sessions=sessions,
        tokens=tokens,
        regions=region_names(),
        dm_policy_labels=direct.DM_POLICY_LABELS,
        blocked=await blocks.blocked_members(ctx.db, user),
        cw_prefs=full_prefs(user.content_warning_prefs),
        email=await mail.email_state(ctx.db, user),
        **extra,
    )


@endpoint
async def account_page(ctx: Ctx) -> Response:
    return await account_page_response(ctx, await ctx.require_user())


@endpoint
async def update_profile(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(Profile)
    try:
        await service.update_profile(ctx.db, user, data.display_name)
        ctx.forget_user(user.id)
    except AppError as exc:
        ctx.failed = True
        return await account_page_response(ctx, user, error=exc.message)
    return ctx.redirect("/account?saved=profile")


@endpoint
async def update_region(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(RegionIn)
    try:
        await service.set_region(ctx.db, user, data.region)
        ctx.forget_user(user.id)
    except AppError as exc:
        ctx.failed = True
        return await account_page_response(ctx, user, error=exc.message)
    return ctx.redirect("/account?saved=region")


@endpoint
async def update_language(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(LanguageForm)
    try:
        await service.set_locale(ctx.db, user, data.locale)
    except AppError as exc:
        ctx.failed = True
        return await account_page_response(
            ctx, user, status_code=exc.status, language_error=exc.message
        )
    ctx.forget_user(user.id)
    return ctx.redirect("/account?saved=language#language-heading")


@endpoint
async def update_content_warnings(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(ContentWarningForm)
    chosen = {key: str((data.model_extra or {}).get(f"cw_{key}", "")) for key in WARNINGS}
    try:
        await service.set_content_warning_prefs(
            ctx.db, user, {key: how for key, how in chosen.items() if how}
        )
    except AppError as exc:
        ctx.failed = True
        return await account_page_response(ctx, user, error=exc.message)
    ctx.forget_user(user.id)
    return ctx.redirect("/account?saved=content-warnings#content-warnings-heading")


@endpoint
async def create_token(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(NewToken)
    token = await service.create_api_token(ctx.db, user, data.name or "API token")
    return await account_page_response(ctx, user, new_token=token)


@endpoint
async def revoke_token(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    await ctx.form(Empty)
    await service.revoke_api_token(ctx.db, user, int(ctx.request.path_params["token_id"]))
    ctx.forget_user(user.id)
    return ctx.redirect("/account")


@endpoint
async def revoke_session(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    await ctx.form(Empty)
    await service.revoke_session(ctx.db, user, int(ctx.request.path_params["session_id"]))
    ctx.forget_user(user.id)
    return ctx.redirect("/account")


async def _change_password(ctx: Ctx, current: str, new: str) -> credentials.PasswordChanged:
    """Keep the credential this request came with; a wrong password counts like a sign-in."""
    user = await ctx.require_user()
    bearer = ctx.bearer
    cookie = None if bearer is not None else ctx.request.cookies.get(SESSION_COOKIE)
    changed = await credentials.change_password(
        ctx.db,
        user,
        current,
        new,
        ctx.app.limits,
        kept_session=security.token_hash(cookie) if cookie else None,
        kept_token=security.token_hash(bearer) if bearer else None,
    )
    ctx.forget_user(user.id)
    return changed


@endpoint
async def api_change_password(ctx: Ctx) -> Response:
    await ctx.require_user()
    data = await ctx.json_body(PasswordChange)
    changed = await _change_password(ctx, data.current_password, data.new_password)
    return JSONResponse(
        {
            "changed": True,
            "sessions_ended": changed.sessions_ended,
            "tokens_revoked": changed.tokens_revoked,
        }
    )


@endpoint
async def change_password_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(PasswordForm)
    try:
        await _change_password(ctx, data.current_password, data.new_password)
    except AppError as exc:
        ctx.failed = True
        response = await account_page_response(
            ctx, user, password_error=exc.message, status_code=exc.status
        )
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return ctx.redirect("/account?saved=password#password-heading")


@endpoint
async def api_set_role(ctx: Ctx) -> Response:
    admin = await ctx.require_user()
    data = await ctx.json_body(RoleIn)
    username = str(ctx.request.path_params["username"])
    target = await credentials.set_site_role(ctx.db, admin, username, data.role)
    ctx.forget_user(target.id)
    return JSONResponse(
        {"username": target.username, "display_name": target.display_name, "role": target.role}
    )


routes = [
    Route("/api/v1/auth/register", api_register, methods=["POST"]),
    Route("/api/v1/auth/token", api_token, methods=["POST"]),
    Route("/api/v1/me", api_me, methods=["GET"]),
    Route("/api/v1/me", api_change_me, methods=["PATCH"]),
    Route("/api/v1/me/password", api_change_password, methods=["POST"]),
    Route("/api/v1/admin/users/{username}/role", api_set_role, methods=["PUT"]),
    Route("/register", register_page, methods=["GET", "POST"]),
    Route("/login", login_page, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/account", account_page, methods=["GET"]),
    Route("/account/profile", update_profile, methods=["POST"]),
    Route("/account/password", change_password_page, methods=["POST"]),
    Route("/account/region", update_region, methods=["POST"]),
    Route("/account/presence", update_presence, methods=["POST"]),
    Route("/account/language", update_language, methods=["POST"]),
    Route("/account/content-warnings", update_content_warnings, methods=["POST"]),
    Route("/account/tokens", create_token, methods=["POST"]),
    Route("/account/tokens/{token_id:id}/revoke", revoke_token, methods=["POST"]),
    Route("/account/sessions/{session_id:id}/revoke", revoke_session, methods=["POST"]),
]
