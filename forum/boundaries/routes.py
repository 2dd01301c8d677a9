"""Blocking (JSON API and page forms), member profiles, and the boundary settings forms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.accounts import blocks, boundaries
from forum.accounts.blocks import Blocked
from forum.accounts.models import User
from forum.accounts.routes import account_page_response
from forum.accounts.schemas import Empty
from forum.boundaries import service
from forum.boundaries.schemas import AvailabilityForm, BlockForm, CheckInsForm, MutedWordsForm
from forum.errors import AppError
from forum.people import service as people
from forum.web import Ctx, endpoint


def blocked_json(blocked: Blocked) -> dict[str, object]:
    return {
        "id": blocked.user.id,
        "display_name": blocked.user.display_name,
        "blocked_at": blocked.blocked_at.isoformat(),
    }


async def _member(ctx: Ctx) -> User:
    return await blocks.get_member_or_404(ctx.db, ctx.request.path_params["username"])


@endpoint
async def api_list_blocks(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    listed = await blocks.blocked_members(ctx.db, user)
    return JSONResponse({"blocks": [blocked_json(b) for b in listed]})


@endpoint
async def api_block(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    ctx.check_api_csrf()
    member = await _member(ctx)
    created = await blocks.block_member(ctx.db, user, member)
    ctx.forget_user(user.id)
    return JSONResponse(
        {"display_name": member.display_name, "blocked": True}, status_code=201 if created else 200
    )


@endpoint
async def api_unblock(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    ctx.check_api_csrf()
    member = await _member(ctx)
    await blocks.unblock_member(ctx.db, user, member)
    ctx.forget_user(user.id)
    return JSONResponse({"display_name": member.display_name, "blocked": False})


@endpoint
async def api_profile(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    profile = await service.profile_of(
        ctx.db, ctx.request.path_params["username"], user, ctx.app.read_cache
    )
    return JSONResponse(service.profile_json(profile))


@endpoint
async def profile_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    username = ctx.request.path_params["username"]
    profile = await service.profile_of(ctx.db, username, user, ctx.app.read_cache)
    return ctx.render("profile.html", profile=profile, username=username)


# Block or unblock from a page: the same steps whichever way and from wherever.
Toggle = Callable[[AsyncSession, User, User], Awaitable[object]]


async def _from_profile(ctx: Ctx, toggle: Toggle) -> Response:
    user = await ctx.require_user()
    await ctx.form(Empty)
    await toggle(ctx.db, user, await _member(ctx))
    ctx.forget_user(user.id)
    return ctx.redirect(f"/u/{ctx.request.path_params['username']}")


async def _from_post(ctx: Ctx, toggle: Toggle) -> Response:
    """Back to the post: hidden now (block) or shown again (unblock)."""
    user = await ctx.require_user()
    await ctx.form(Empty)
    author, link = await service.post_author_or_404(
        ctx.db, user, int(ctx.request.path_params["post_id"])
    )
    await toggle(ctx.db, user, author)
    ctx.forget_user(user.id)
    return ctx.redirect(link)


@endpoint
async def block_from_profile(ctx: Ctx) -> Response:
    return await _from_profile(ctx, blocks.block_member)


@endpoint
async def unblock_from_profile(ctx: Ctx) -> Response:
    return await _from_profile(ctx, blocks.unblock_member)


@endpoint
async def block_post_author(ctx: Ctx) -> Response:
    """The "Block" control on someone's post."""
    return await _from_post(ctx, blocks.block_member)


@endpoint
async def unblock_post_author(ctx: Ctx) -> Response:
    return await _from_post(ctx, blocks.unblock_member)


async def _settings_failed(ctx: Ctx, user: User, section: str, exc: AppError) -> Response:
    """The account page again, with the problem shown in the section it belongs to."""
    ctx.failed = True
    response = await account_page_response(ctx, user, boundaries_error=(section, exc.message))
    response.status_code = exc.status
    return response


@endpoint
async def block_from_account(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(BlockForm)
    try:
        who = await people.named(ctx.db, user, data)
        member = who if isinstance(who, User) else await blocks.get_member_or_404(ctx.db, who)
        await blocks.block_member(ctx.db, user, member)
    except AppError as exc:
        return await _settings_failed(ctx, user, "blocks", exc)
    ctx.forget_user(user.id)
    return ctx.redirect("/account?saved=blocks#blocks-heading")


@endpoint
async def unblock_from_account(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    await ctx.form(Empty)
    member = await blocks.get_user_by_id_or_404(ctx.db, int(ctx.request.path_params["user_id"]))
    await blocks.unblock_member(ctx.db, user, member)
    ctx.forget_user(user.id)
    return ctx.redirect("/account?saved=blocks#blocks-heading")


@endpoint
async def update_muted_words(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(MutedWordsForm)
    try:
        await boundaries.set_muted_words(
            ctx.db, user, boundaries.parse_muted_text(data.muted_words)
        )
    except AppError as exc:
        return await _settings_failed(ctx, user, "muted", exc)
    ctx.forget_user(user.id)
    return ctx.redirect("/account?saved=muted#muted-heading")


@endpoint
async def update_availability(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(AvailabilityForm)
    try:
        await boundaries.set_availability(ctx.db, user, data.availability)
        await boundaries.set_taking_break(ctx.db, user, data.taking_break)
    except AppError as exc:
        return await _settings_failed(ctx, user, "availability", exc)
    ctx.forget_user(user.id)
    return ctx.redirect("/account?saved=availability#availability-heading")


@endpoint
async def update_check_ins(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(CheckInsForm)
    await boundaries.set_check_ins(ctx.db, user, data.check_ins)
    ctx.forget_user(user.id)
    return ctx.redirect("/account?saved=check-ins#check-ins-heading")


routes = [
    Route("/api/v1/me/blocks", api_list_blocks, methods=["GET"]),
    Route("/api/v1/me/blocks/{username}", api_block, methods=["POST"]),
    Route("/api/v1/me/blocks/{username}", api_unblock, methods=["DELETE"]),
    Route("/api/v1/users/{username}", api_profile, methods=["GET"]),
    Route("/u/{username}", profile_page, methods=["GET"]),
    Route("/u/{username}/block", block_from_profile, methods=["POST"]),
    Route("/u/{username}/unblock", unblock_from_profile, methods=["POST"]),
    Route("/posts/{post_id:id}/block-author", block_post_author, methods=["POST"]),
    Route("/posts/{post_id:id}/unblock-author", unblock_post_author, methods=["POST"]),
    Route("/account/blocks", block_from_account, methods=["POST"]),
    Route("/account/blocks/{user_id:id}/unblock", unblock_from_account, methods=["POST"]),
    Route("/account/muted-words", update_muted_words, methods=["POST"]),
    Route("/account/availability", update_availability, methods=["POST"]),
    Route("/account/check-ins", update_check_ins, methods=["POST"]),
]
