"""E-mail routes: the member's address (API and account page) and password resets."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.accounts.routes import account_page_response
from forum.accounts.schemas import Empty
from forum.errors import AppError, RateLimited
from forum.i18n import N_, _
from forum.mail import service
from forum.mail.schemas import (
    DigestForm,
    DigestIn,
    EmailForm,
    EmailIn,
    ResetConfirm,
    ResetConfirmForm,
    ResetForm,
    ResetIn,
    TokenForm,
    TokenIn,
)
from forum.mail.sender import Mail
from forum.ratelimit.service import Pace
from forum.web import Ctx, endpoint

RESET_SENT = N_(
    "If that username or address belongs to an account with a verified e-mail address, "
    "a link to choose a new password is on its way. It works for an hour. "
    "Please check your spam folder too."
)


def _address(ctx: Ctx) -> str:
    return ctx.request.client.host if ctx.request.client else "-"


def _pace(ctx: Ctx, action: str, doing: str) -> Pace:
    settings = ctx.app.settings
    return Pace(
        action, settings.reset_rate_burst, settings.reset_rate_seconds, doing, N_("Circles")
    )


def _send_after_commit(ctx: Ctx, mails: list[Mail]) -> None:
    mailer = ctx.app.mailer
    for mail in mails:
        ctx.after_commit.append(lambda mail=mail: mailer.send_later(mail))  # type: ignore[misc]


async def _set_email(ctx: Ctx, raw: str) -> service.EmailState:
    user = await ctx.require_user()
    pace = _pace(ctx, "mail_verify", N_("asking for confirmation mail"))
    await ctx.app.limits.keep_pace(ctx.db, pace, f"user:{user.id}")
    state, mail = await service.set_email(ctx.db, user, raw, ctx.app.settings.base_url)
    _send_after_commit(ctx, [mail])
    return state


async def _request_reset(ctx: Ctx, login: str) -> None:
    """The same whether anyone is found: mail leaves after the answer, in the background."""
    limits = ctx.app.limits
    await limits.keep_pace(ctx.db, _pace(ctx, "reset", N_("asking for reset links")), _address(ctx))
    key = f"login:{login.strip().casefold()[:180]}"
    await limits.keep_pace(ctx.db, _pace(ctx, "reset_login", N_("asking for reset links")), key)
    mails = await service.request_reset(ctx.db, login, ctx.app.settings.base_url)
    _send_after_commit(ctx, mails)


async def _confirm_reset(ctx: Ctx, token: str, new_password: str) -> None:
    """Tries with a link count like sign-ins from the address (links can't be guessed)."""
    limits = ctx.app.limits
    rules = [(limits.address, _address(ctx))]
    await limits.attempt(ctx.db, rules, N_("Too many tries with reset links."))
    user = await service.confirm_reset(ctx.db, token, new_password)
    await limits.passed(ctx.db, rules)
    ctx.forget_user(user.id)


# The JSON API.


@endpoint
async def api_email(ctx: Ctx) -> Response:
    return JSONResponse((await service.email_state(ctx.db, await ctx.require_user())).as_json())


@endpoint
async def api_set_email(ctx: Ctx) -> Response:
    await ctx.require_user()
    data = await ctx.json_body(EmailIn)
    return JSONResponse((await _set_email(ctx, data.email)).as_json(), status_code=202)


@endpoint
async def api_change_email(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.json_body(DigestIn)
    return JSONResponse((await service.set_digest(ctx.db, user, data.digest)).as_json())


@endpoint
async def api_remove_email(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    await ctx.json_body(Empty)
    return JSONResponse((await service.remove_email(ctx.db, user)).as_json())


@endpoint
async def api_verify_email(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.json_body(TokenIn)
    return JSONResponse((await service.verify_email(ctx.db, data.token, user)).as_json())


@endpoint
async def api_password_reset(ctx: Ctx) -> Response:
    data = await ctx.json_body(ResetIn)
    await _request_reset(ctx, data.login)
    return JSONResponse({"message": _(RESET_SENT)}, status_code=202)


@endpoint
async def api_password_reset_confirm(ctx: Ctx) -> Response:
    data = await ctx.json_body(ResetConfirm)
    await _confirm_reset(ctx, data.token, data.new_password)
    return JSONResponse({"changed": True})


# Pages.


@endpoint
async def set_email_page(ctx: Ctx) -> Response:
    await ctx.require_user()
    data = await ctx.form(EmailForm)
    try:
        await _set_email(ctx, data.email)
    except AppError as exc:
        return await _account_error(ctx, exc)
    return ctx.redirect("/account?saved=email#email-heading")


@endpoint
async def remove_email_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    await ctx.form(Empty)
    await service.remove_email(ctx.db, user)
    return ctx.redirect("/account?saved=email-removed#email-heading")


@endpoint
async def digest_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(DigestForm)
    try:
        await service.set_digest(ctx.db, user, data.digest)
    except AppError as exc:
        return await _account_error(ctx, exc)
    return ctx.redirect("/account?saved=digest#email-heading")


async def _account_error(ctx: Ctx, exc: AppError) -> Response:
    ctx.failed = True
    user = await ctx.require_user()
    response = await account_page_response(
        ctx, user, status_code=exc.status, email_error=exc.message
    )
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


@endpoint
async def verify_page(ctx: Ctx) -> Response:
    """GET shows a button (mail scanners open links; only a person presses it)."""
    if ctx.request.method == "GET":
        token = ctx.request.query_params.get("token", "")
        return ctx.render("email_verify.html", token=token, done=False)
    data = await ctx.form(TokenForm)
    try:
        await service.verify_email(ctx.db, data.token)
    except AppError as exc:
        return ctx.form_error("email_verify.html", exc, token="", done=False)
    return ctx.render("email_verify.html", token="", done=True)


@endpoint
async def forgot_page(ctx: Ctx) -> Response:
    if ctx.request.method == "GET":
        return ctx.render("password_forgot.html", form={}, sent=False)
    data = await ctx.form(ResetForm)
    try:
        await _request_reset(ctx, data.login)
    except AppError as exc:
        return ctx.form_error("password_forgot.html", exc, form={"login": data.login}, sent=False)
    return ctx.render("password_forgot.html", form={}, sent=True, message=_(RESET_SENT))


@endpoint
async def reset_page(ctx: Ctx) -> Response:
    if ctx.request.method == "GET":
        token = ctx.request.query_params.get("token", "")
        return ctx.render("password_reset.html", token=token, done=False)
    data = await ctx.form(ResetConfirmForm)
    try:
        await _confirm_reset(ctx, data.token, data.new_password)
    except AppError as exc:
        return ctx.form_error("password_reset.html", exc, token=data.token, done=False)
    return ctx.render("password_reset.html", token="", done=True)


routes = [
    Route("/api/v1/me/email", api_email, methods=["GET"]),
    Route("/api/v1/me/email", api_set_email, methods=["PUT"]),
    Route("/api/v1/me/email", api_change_email, methods=["PATCH"]),
    Route("/api/v1/me/email", api_remove_email, methods=["DELETE"]),
    Route("/api/v1/me/email/verify", api_verify_email, methods=["POST"]),
    Route("/api/v1/password-reset", api_password_reset, methods=["POST"]),
    Route("/api/v1/password-reset/confirm", api_password_reset_confirm, methods=["POST"]),
    Route("/account/email", set_email_page, methods=["POST"]),
    Route("/account/email/remove", remove_email_page, methods=["POST"]),
    Route("/account/email/digest", digest_page, methods=["POST"]),
    Route("/account/email/verify", verify_page, methods=["GET", "POST"]),
    Route("/forgot-password", forgot_page, methods=["GET", "POST"]),
    Route("/reset-password", reset_page, methods=["GET", "POST"]),
]
