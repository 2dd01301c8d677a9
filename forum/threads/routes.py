"""Thread and post routes (JSON API and pages); anonymous thread pages are cached."""

from __future__ import annotations

import hashlib

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.accounts.schemas import Empty
from forum.circles import service as circles
from forum.errors import AppError
from forum.threads import service
from forum.threads.models import Post, Thread
from forum.threads.schemas import NewPost, NewThread
from forum.threads.service import PostView, ThreadPage
from forum.web import SESSION_COOKIE, Ctx, endpoint


def post_json(post: Post, author_name: str | None = None) -> dict[str, object]:
    data: dict[str, object] = {
        "id": post.id,
        "status": post.status,
        "body_html": post.body_html,
        "created_at": post.created_at.isoformat(),
        "edited_at": post.edited_at.isoformat() if post.edited_at else None,
    }
    if author_name is not None:
        data["author"] = {"display_name": author_name}
    if post.removed_by:
        data["removed_by"] = post.removed_by
    return data


def thread_json(page: ThreadPage) -> dict[str, object]:
    circle = page.view.circle
    return {
        "id": page.thread.id,
        "title": page.thread.title,
        "circle": {"slug": circle.slug, "name": circle.name},
        "created_at": page.thread.created_at.isoformat(),
        "posts": [post_json(p.post, p.author_name) for p in page.posts],
        "next_cursor": page.next_cursor,
    }


def _forget_thread(ctx: Ctx, thread: Thread) -> None:
    thread_id = thread.id
    ctx.after_commit.append(lambda: ctx.app.page_cache.invalidate_thread(thread_id))


async def _thread(ctx: Ctx) -> tuple[Thread, circles.CircleView]:
    return await service.get_thread_or_404(
        ctx.db, int(ctx.request.path_params["thread_id"]), await ctx.user()
    )


async def _own_post(ctx: Ctx) -> tuple[Post, Thread, circles.CircleView]:
    user = await ctx.require_user()
    return await service.get_own_post_or_404(ctx.db, int(ctx.request.path_params["post_id"]), user)


@endpoint
async def api_start_thread(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await circles.get_circle_view_or_404(ctx.db, ctx.request.path_params["slug"], user)
    data = await ctx.json_body(NewThread)
    ctx.limit_writes(user)
    thread, post = await service.start_thread(ctx.db, user, view, data.title, data.body)
    return JSONResponse(
        {"id": thread.id, "title": thread.title, "post": post_json(post)}, status_code=201
    )


@endpoint
async def api_get_thread(ctx: Ctx) -> Response:
    thread, view = await _thread(ctx)
    page = await service.read_thread_page(
        ctx.db,
        thread,
        view,
        await ctx.user(),
        ctx.request.query_params.get("cursor"),
        ctx.app.settings.page_size,
    )
    return JSONResponse(thread_json(page))


@endpoint
async def api_reply(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    thread, view = await _thread(ctx)
    data = await ctx.json_body(NewPost)
    ctx.limit_writes(user)
    post = await service.reply(ctx.db, user, thread, view, data.body)
    _forget_thread(ctx, thread)
    return JSONResponse(post_json(post), status_code=201)


@endpoint
async def api_edit_post(ctx: Ctx) -> Response:
    post, thread, _ = await _own_post(ctx)
    data = await ctx.json_body(NewPost)
    ctx.limit_writes(await ctx.require_user())
    await service.edit_post(ctx.db, await ctx.require_user(), post, data.body)
    _forget_thread(ctx, thread)
    return JSONResponse(post_json(post))


@endpoint
async def api_delete_post(ctx: Ctx) -> Response:
    post, thread, _ = await _own_post(ctx)
    ctx.check_api_csrf()
    await service.delete_own_post(ctx.db, await ctx.require_user(), post)
    _forget_thread(ctx, thread)
    return JSONResponse(post_json(post))


@endpoint
async def api_post_revisions(ctx: Ctx) -> Response:
    post, _, _ = await _own_post(ctx)
    revisions = await service.post_revisions(ctx.db, post)
    return JSONResponse(
        {
            "post_id": post.id,
            "revisions": [
                {"body": r.body, "body_html": r.body_html, "created_at": r.created_at.isoformat()}
                for r in revisions
            ],
        }
    )


def _is_anonymous(ctx: Ctx) -> bool:
    return SESSION_COOKIE not in ctx.request.cookies and ctx.bearer is None


@endpoint
async def thread_page(ctx: Ctx) -> Response:
    thread_id = int(ctx.request.path_params["thread_id"])
    cursor = ctx.request.query_params.get("cursor") or ""
    anonymous = _is_anonymous(ctx)
    cache = ctx.app.page_cache
    if anonymous and (cached := cache.get(thread_id, cursor)) is not None:
        if ctx.request.headers.get("if-none-match") == cached.etag:
            return Response(status_code=304, headers={"ETag": cached.etag})
        return Response(cached.body, media_type="text/html", headers={"ETag": cached.etag})
    thread, view = await _thread(ctx)
    user = await ctx.user()
    page = await service.read_thread_page(
        ctx.db, thread, view, user, cursor, ctx.app.settings.page_size
    )
    response = ctx.render("thread.html", page=page, view=view)
    if anonymous and view.circle.is_public:
        etag = '"' + hashlib.blake2b(response.body, digest_size=12).hexdigest() + '"'
        cache.put(thread_id, cursor, bytes(response.body), etag)
        response.headers["ETag"] = etag
    return response


@endpoint
async def reply_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    thread, view = await _thread(ctx)
    data = await ctx.form(NewPost)
    try:
        ctx.limit_writes(user)
        post = await service.reply(ctx.db, user, thread, view, data.body)
    except AppError as exc:
        page = await service.read_thread_page(ctx.db, thread, view, user, None, 10_000)
        return ctx.form_error("thread.html", exc, page=page, view=view, draft=data.body)
    _forget_thread(ctx, thread)
    return ctx.redirect(f"/threads/{thread.id}#post-{post.id}")


@endpoint
async def new_thread_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await circles.get_circle_view_or_404(ctx.db, ctx.request.path_params["slug"], user)
    if ctx.request.method == "GET":
        return ctx.render("new_thread.html", view=view, form={})
    data = await ctx.form(NewThread)
    try:
        ctx.limit_writes(user)
        thread, _ = await service.start_thread(ctx.db, user, view, data.title, data.body)
    except AppError as exc:
        return ctx.form_error("new_thread.html", exc, view=view, form=data.model_dump())
    return ctx.redirect(f"/threads/{thread.id}")


@endpoint
async def edit_post_page(ctx: Ctx) -> Response:
    post, thread, view = await _own_post(ctx)
    if ctx.request.method == "GET":
        return ctx.render("edit_post.html", post=post, thread=thread, view=view, form={})
    data = await ctx.form(NewPost)
    try:
        ctx.limit_writes(await ctx.require_user())
        await service.edit_post(ctx.db, await ctx.require_user(), post, data.body)
    except AppError as exc:
        return ctx.form_error(
            "edit_post.html", exc, post=post, thread=thread, view=view, form=data.model_dump()
        )
    _forget_thread(ctx, thread)
    return ctx.redirect(f"/threads/{thread.id}#post-{post.id}")


@endpoint
async def delete_post_page(ctx: Ctx) -> Response:
    post, thread, _ = await _own_post(ctx)
    await ctx.form(Empty)
    await service.delete_own_post(ctx.db, await ctx.require_user(), post)
    _forget_thread(ctx, thread)
    return ctx.redirect(f"/threads/{thread.id}#post-{post.id}")


__all__ = ["PostView", "routes"]

routes = [
    Route("/api/v1/circles/{slug}/threads", api_start_thread, methods=["POST"]),
    Route("/api/v1/threads/{thread_id:int}", api_get_thread, methods=["GET"]),
    Route("/api/v1/threads/{thread_id:int}/posts", api_reply, methods=["POST"]),
    Route("/api/v1/posts/{post_id:int}", api_edit_post, methods=["PATCH"]),
    Route("/api/v1/posts/{post_id:int}", api_delete_post, methods=["DELETE"]),
    Route("/api/v1/posts/{post_id:int}/revisions", api_post_revisions, methods=["GET"]),
    Route("/threads/{thread_id:int}", thread_page, methods=["GET"]),
    Route("/threads/{thread_id:int}/reply", reply_page, methods=["POST"]),
    Route("/c/{slug}/new", new_thread_page, methods=["GET", "POST"]),
    Route("/posts/{post_id:int}/edit", edit_post_page, methods=["GET", "POST"]),
    Route("/posts/{post_id:int}/delete", delete_post_page, methods=["POST"]),
]
