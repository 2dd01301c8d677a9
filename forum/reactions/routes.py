"""Reaction routes: the JSON API for posts and chat messages, and the thread page's forms."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.chat import reactions as chat_reactions
from forum.reactions.kinds import labelled
from forum.reactions.schemas import ReactionForm, ReactionSwitch, ReactionSwitchForm
from forum.threads import reactions
from forum.threads.reactions import PostReactions
from forum.web import Ctx, endpoint


def _post_id(ctx: Ctx) -> int:
    return int(ctx.request.path_params["post_id"])


def _changed(ctx: Ctx, found: PostReactions) -> JSONResponse:
    ctx.forget_thread(found.thread.id)  # counts are part of the shared thread page
    return JSONResponse(reactions.reactions_json(found))


@endpoint
async def api_post_reactions(ctx: Ctx) -> Response:
    found = await reactions.post_reactions(ctx.db, _post_id(ctx), await ctx.require_user())
    return JSONResponse(reactions.reactions_json(found))


@endpoint
async def api_react_to_post(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    ctx.check_api_csrf()
    given = ctx.request.method == "PUT"
    kind = ctx.request.path_params["kind"]
    return _changed(ctx, await reactions.react(ctx.db, _post_id(ctx), user, kind, given))


@endpoint
async def api_switch_post_reactions(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    post, thread = await reactions.own_post(ctx.db, _post_id(ctx), user)  # before the body
    data = await ctx.json_body(ReactionSwitch)
    return _changed(ctx, await reactions.set_enabled(ctx.db, post, thread, user, data.enabled))


@endpoint
async def react_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    data = await ctx.form(ReactionForm)
    found = await reactions.react(ctx.db, _post_id(ctx), user, data.kind, None)  # a toggle
    ctx.forget_thread(found.thread.id)
    return ctx.redirect(f"/threads/{found.thread.id}#post-{found.post.id}")


@endpoint
async def post_reactions_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    found = await reactions.post_reactions(ctx.db, _post_id(ctx), user)
    reactions.require_author(found, user)
    return ctx.render("post_reactions.html", found=found, kinds=labelled())


@endpoint
async def switch_reactions_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    post, thread = await reactions.own_post(ctx.db, _post_id(ctx), user)
    data = await ctx.form(ReactionSwitchForm)
    found = await reactions.set_enabled(ctx.db, post, thread, user, data.enabled == "on")
    ctx.forget_thread(found.thread.id)
    return ctx.redirect(f"/posts/{found.post.id}/reactions")


@endpoint
async def api_message_reactions(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    message_id = int(ctx.request.path_params["message_id"])
    found = await chat_reactions.message_reactions(ctx.db, message_id, user)
    return JSONResponse(chat_reactions.reactions_json(found))


@endpoint
async def api_react_to_message(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    ctx.check_api_csrf()
    message_id = int(ctx.request.path_params["message_id"])
    given = ctx.request.method == "PUT"
    kind = ctx.request.path_params["kind"]
    found = await chat_reactions.react(ctx.db, message_id, user, kind, given)
    return JSONResponse(chat_reactions.reactions_json(found))


routes = [
    Route("/api/v1/posts/{post_id:id}/reactions", api_post_reactions, methods=["GET"]),
    Route("/api/v1/posts/{post_id:id}/reactions", api_switch_post_reactions, methods=["PATCH"]),
    Route(
        "/api/v1/posts/{post_id:id}/reactions/{kind}",
        api_react_to_post,
        methods=["PUT", "DELETE"],
    ),
    Route("/api/v1/messages/{message_id:id}/reactions", api_message_reactions, methods=["GET"]),
    Route(
        "/api/v1/messages/{message_id:id}/reactions/{kind}",
        api_react_to_message,
        methods=["PUT", "DELETE"],
    ),
    Route("/posts/{post_id:id}/react", react_page, methods=["POST"]),
    Route("/posts/{post_id:id}/reactions", post_reactions_page, methods=["GET"]),
    Route("/posts/{post_id:id}/reactions", switch_reactions_page, methods=["POST"]),
]
