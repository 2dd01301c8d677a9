"""Download all of one's data, and delete one's account (JSON API and pages)."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.db import utcnow
from forum.errors import AppError, Invalid
from forum.i18n import _
from forum.ownership import service
from forum.ownership.schemas import DeleteAccount, DeleteAccountForm
from forum.web import SESSION_COOKIE, Ctx, endpoint


@endpoint
async def api_export(ctx: Ctx) -> Response:
    """Everything that is yours, as a JSON file (the account page links here)."""
    user = await ctx.require_user()
    data = await service.export_data(ctx.db, user)
    filename = f"circles-{user.username}-{utcnow():%Y-%m-%d}.json"
    return JSONResponse(
        data,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _forget_member(ctx: Ctx, user_id: int) -> None:
    """After commit: the member's name is gone from every page that showed it."""

    def forget() -> None:
        cache = ctx.app.read_cache
        cache.forget_user(user_id)
        cache.memberships.drop_where(lambda key, _: key[1] == user_id)
        cache.threads.clear()
        ctx.app.page_cache.clear()

    ctx.after_commit.append(forget)


async def _delete(ctx: Ctx, password: str, keep_posts: bool) -> service.Deleted:
    user = await ctx.require_user()
    deleted = await service.delete_account(ctx.db, user, password, keep_posts, ctx.app.limits)
    _forget_member(ctx, deleted.user_id)
    return deleted


@endpoint
async def api_delete_account(ctx: Ctx) -> Response:
    await ctx.require_user()
    data = await ctx.json_body(DeleteAccount)
    deleted = await _delete(ctx, data.password, data.keep_posts)
    response = JSONResponse(
        {
            "deleted": True,
            "kept_posts": deleted.kept_posts,
            "circles_handed_over": deleted.circles_handed_over,
        }
    )
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@endpoint
async def delete_account_page(ctx: Ctx) -> Response:
    await ctx.require_user()
    if ctx.request.method == "GET":
        return ctx.render("account_delete.html", form={})
    data = await ctx.form(DeleteAccountForm)
    try:
        if not data.posts:
            raise Invalid(
                _("Please choose what happens to your posts and messages."), field="posts"
            )
        deleted = await _delete(ctx, data.password, keep_posts=data.posts == "keep")
    except AppError as exc:
        return ctx.form_error("account_delete.html", exc, form={"posts": data.posts})
    response = ctx.render("account_deleted.html", current_user=None, deleted=deleted)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


routes = [
    Route("/api/v1/me/export", api_export, methods=["GET"]),
    Route("/api/v1/me/delete", api_delete_account, methods=["POST"]),
    Route("/account/delete", delete_account_page, methods=["GET", "POST"]),
]
