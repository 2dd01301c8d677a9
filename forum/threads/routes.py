"""Thread and post routes (JSON API and pages); anonymous thread pages are cached."""

from __future__ import annotations

import hashlib

from markupsafe import Markup
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from forum.accounts.boundaries import Boundaries, viewer_boundaries
from forum.accounts.models import User
from forum.accounts.schemas import Empty
from forum.cache import CachedPage
from forum.circles import service as circles
from forum.errors import AppError, RateLimited
from forum.i18n import reasons_said
from forum.review import resources
from forum.review.regions import choose_region
from forum.review.wording import Situation, parse_situation, situation_for
from forum.threads import reaction_bar, reading, service
from forum.threads.models import Post, PostStatus, Thread
from forum.threads.reading import ThreadRead
from forum.threads.schemas import NewPost, NewThread
from forum.threads.service import Written
from forum.web import SESSION_COOKIE, Ctx, endpoint


def post_json(post: Post, author_name: str | None = None) -> dict[str, object]:
    data: dict[str, object] = {
        "id": post.id,
        "status": post.status,
        # A removed post keeps its place in the conversation, never its words.
        "body_html": "" if post.status == PostStatus.REMOVED else post.body_html,
        "created_at": post.created_at.isoformat(),
        "edited_at": post.edited_at.isoformat() if post.edited_at else None,
        "content_warnings": list(post.content_warnings or ()),
    }
    if author_name is not None:
        data["author"] = {"display_name": author_name}
    if post.removed_by:
        data["removed_by"] = post.removed_by
    return data


def region_for(ctx: Ctx, user: User | None) -> str:
    return choose_region(user.region if user else None, ctx.request.headers.get("accept-language"))


def _forget_thread(ctx: Ctx, thread: Thread) -> None:
    ctx.forget_thread(thread.id)


async def _thread(ctx: Ctx) -> tuple[Thread, circles.CircleView]:
    return await service.get_thread_or_404(
        ctx.db, int(ctx.request.path_params["thread_id"]), await ctx.user()
    )


async def _own_post(ctx: Ctx) -> tuple[Post, Thread, circles.CircleView]:
    user = await ctx.require_user()
    return await service.get_own_post_or_404(ctx.db, int(ctx.request.path_params["post_id"]), user)


async def _written_json(ctx: Ctx, written: Written, user: User) -> dict[str, object]:
    """A new post's answer: its status, why it's held or queued, and crisis support."""
    data = post_json(written.post)
    data["moderation"] = {
        "decision": written.assessment.decision.action.value,
        "reasons": reasons_said([r.to_dict() for r in written.assessment.decision.reasons]),
    }
    data["crisis"] = await resources.crisis_support(
        ctx.db, written.assessment, region_for(ctx, user), _situation(written)
    )
    return data


def _situation(written: Written) -> Situation:
    return situation_for(held=written.post.status == PostStatus.PENDING)


def _after_write(ctx: Ctx, written: Written) -> None:
    _forget_thread(ctx, written.thread)


@endpoint
async def api_start_thread(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await circles.get_circle_view_or_404(ctx.db, ctx.request.path_params["slug"], user)
    data = await ctx.json_body(NewThread)
    await ctx.limit_writes(user)
    written = await service.start_thread(
        ctx.db, user, view, data.title, data.body, ctx.app.screener, data.content_warnings or ()
    )
    post = await _written_json(ctx, written, user)
    _after_write(ctx, written)
    return JSONResponse(
        {
            "id": written.thread.id,
            "title": written.thread.title,
            "status": written.thread.status,
            "post": post,
            "crisis": post["crisis"],
            "moderation": post["moderation"],
        },
        status_code=201,
    )


async def _boundaries(ctx: Ctx, user: User | None) -> Boundaries | None:
    """The reader's muted words and blocks (remembered briefly, like who they are)."""
    return None if user is None else await viewer_boundaries(ctx.db, ctx.app.read_cache, user)


@endpoint
async def api_get_thread(ctx: Ctx) -> Response:
    user = await ctx.user()
    read = await reading.read_thread(
        ctx.db,
        ctx.app,
        _thread_id(ctx),
        ctx.request.query_params.get("cursor") or "",
        user,
        post_json,
    )
    body = reading.api_body(read.snapshot, await _boundaries(ctx, user))
    return Response(body, media_type="application/json")


@endpoint
async def api_reply(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    thread, view = await _thread(ctx)
    data = await ctx.json_body(NewPost)
    await ctx.limit_writes(user)
    written = await service.reply(
        ctx.db, user, thread, view, data.body, ctx.app.screener, data.content_warnings or ()
    )
    _after_write(ctx, written)
    return JSONResponse(await _written_json(ctx, written, user), status_code=201)


@endpoint
async def api_edit_post(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    post, thread, view = await _own_post(ctx)
    data = await ctx.json_body(NewPost)
    await ctx.limit_writes(user)
    written = await service.edit_post(
        ctx.db, user, post, thread, view, data.body, ctx.app.screener, data.content_warnings
    )
    if written is None:
        _forget_thread(ctx, thread)  # its content warnings may have changed
        return JSONResponse(post_json(post))
    _after_write(ctx, written)
    return JSONResponse(await _written_json(ctx, written, user))


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


async def _form_warnings(ctx: Ctx) -> list[str]:
    """Every checked content warning (a form repeats the field once per box)."""
    form = await ctx.request.form()
    return [value for value in form.getlist("content_warnings") if isinstance(value, str)]


def _is_anonymous(ctx: Ctx) -> bool:
    return SESSION_COOKIE not in ctx.request.cookies and ctx.bearer is None


def _thread_id(ctx: Ctx) -> int:
    return int(ctx.request.path_params["thread_id"])


POSTS_HERE = "<!--circles:posts-->"


async def render_thread(
    ctx: Ctx, read: ThreadRead, status_code: int = 200, **extra: object
) -> HTMLResponse:
    """The thread page: the shell rendered for this viewer around the snapshot's posts."""
    user = await ctx.user()
    snapshot = read.snapshot
    support = None
    situation = parse_situation(ctx.request.query_params.get("support"))
    if user is not None and situation is not None:
        support = await resources.support_for(ctx.db, situation, region_for(ctx, user))
    boundaries = await _boundaries(ctx, user)
    shell = ctx.render_text(
        "thread.html",
        thread=snapshot.thread,
        view=read.view,
        posts_html=Markup(POSTS_HERE),
        next_cursor=snapshot.next_cursor,
        support=support,
        title_hidden=reading.title_hidden(snapshot.thread, boundaries),
        **extra,
    )
    # The posts are already UTF-8; only the shell around them is encoded per request.
    before, after = shell.split(POSTS_HERE)
    reacted = [slot.post_id for slot in snapshot.slots if slot.reactions]
    member = read.view.membership is not None
    reacting = await reaction_bar.reacting(ctx.db, reacted, user.id if user else None, member)
    token = ctx.csrf_token() if user else ""
    posts = reading.posts_html(snapshot, user, token, boundaries, reacting)
    body = b"".join((before.encode(), posts, after.encode()))
    return HTMLResponse(body, status_code=status_code)


@endpoint
async def thread_page(ctx: Ctx) -> Response:
    thread_id = _thread_id(ctx)
    cursor = ctx.request.query_params.get("cursor") or ""
    anonymous = _is_anonymous(ctx)
    cache = ctx.app.page_cache
    if anonymous and (entry := cache.get((thread_id, cursor))) is not None:
        cached = entry.value
        if ctx.request.headers.get("if-none-match") == cached.etag:
            return Response(status_code=304, headers={"ETag": cached.etag})
        return Response(cached.body, media_type="text/html", headers={"ETag": cached.etag})
    user = await ctx.user()
    generation = ctx.app.read_cache.generation(thread_id)
    read = await reading.read_thread(ctx.db, ctx.app, thread_id, cursor, user, post_json)
    response = await render_thread(ctx, read)
    # A page rendered while a write landed is served once, not kept.
    unchanged = generation == ctx.app.read_cache.generation(thread_id)
    if anonymous and read.view.circle.is_public and unchanged:
        etag = '"' + hashlib.blake2b(response.body, digest_size=12).hexdigest() + '"'
        cache.put((thread_id, cursor), CachedPage(bytes(response.body), etag))
        response.headers["ETag"] = etag
    return response


def _support_anchor(written: Written) -> str:
    if not written.assessment.crisis.level.rank:
        return ""
    return f"?support={_situation(written).value}#support"


@endpoint
async def reply_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    thread, view = await _thread(ctx)
    data = await ctx.form(NewPost)
    try:
        await ctx.limit_writes(user)
        written = await service.reply(
            ctx.db, user, thread, view, data.body, ctx.app.screener, await _form_warnings(ctx)
        )
    except AppError as exc:
        ctx.failed = True
        read = await reading.read_thread(ctx.db, ctx.app, thread.id, "", user, post_json)
        response = await render_thread(
            ctx,
            read,
            status_code=exc.status,
            error=exc.message,
            draft=data.body,
            draft_warnings=await _form_warnings(ctx),
        )
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    _after_write(ctx, written)
    anchor = _support_anchor(written) or f"#post-{written.post.id}"
    return ctx.redirect(f"/threads/{thread.id}{anchor}")


@endpoint
async def new_thread_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    view = await circles.get_circle_view_or_404(ctx.db, ctx.request.path_params["slug"], user)
    if ctx.request.method == "GET":
        return ctx.render("new_thread.html", view=view, form={})
    data = await ctx.form(NewThread)
    try:
        await ctx.limit_writes(user)
        written = await service.start_thread(
            ctx.db, user, view, data.title, data.body, ctx.app.screener, await _form_warnings(ctx)
        )
    except AppError as exc:
        form = {**data.model_dump(), "content_warnings": await _form_warnings(ctx)}
        return ctx.form_error("new_thread.html", exc, view=view, form=form)
    _after_write(ctx, written)
    return ctx.redirect(f"/threads/{written.thread.id}{_support_anchor(written)}")


@endpoint
async def edit_post_page(ctx: Ctx) -> Response:
    user = await ctx.require_user()
    post, thread, view = await _own_post(ctx)
    if ctx.request.method == "GET":
        return ctx.render("edit_post.html", post=post, thread=thread, view=view, form={})
    data = await ctx.form(NewPost)
    warnings = await _form_warnings(ctx)
    try:
        await ctx.limit_writes(user)
        written = await service.edit_post(
            ctx.db, user, post, thread, view, data.body, ctx.app.screener, warnings
        )
    except AppError as exc:
        form = {**data.model_dump(), "content_warnings": warnings}
        return ctx.form_error("edit_post.html", exc, post=post, thread=thread, view=view, form=form)
    _forget_thread(ctx, thread)
    anchor = (_support_anchor(written) if written else "") or f"#post-{post.id}"
    return ctx.redirect(f"/threads/{thread.id}{anchor}")


@endpoint
async def delete_post_page(ctx: Ctx) -> Response:
    post, thread, _ = await _own_post(ctx)
    await ctx.form(Empty)
    await service.delete_own_post(ctx.db, await ctx.require_user(), post)
    _forget_thread(ctx, thread)
    return ctx.redirect(f"/threads/{thread.id}#post-{post.id}")


routes = [
    Route("/api/v1/circles/{slug}/threads", api_start_thread, methods=["POST"]),
    Route("/api/v1/threads/{thread_id:id}", api_get_thread, methods=["GET"]),
    Route("/api/v1/threads/{thread_id:id}/posts", api_reply, methods=["POST"]),
    Route("/api/v1/posts/{post_id:id}", api_edit_post, methods=["PATCH"]),
    Route("/api/v1/posts/{post_id:id}", api_delete_post, methods=["DELETE"]),
    Route("/api/v1/posts/{post_id:id}/revisions", api_post_revisions, methods=["GET"]),
    Route("/threads/{thread_id:id}", thread_page, methods=["GET"]),
    Route("/threads/{thread_id:id}/reply", reply_page, methods=["POST"]),
    Route("/c/{slug}/new", new_thread_page, methods=["GET", "POST"]),
    Route("/posts/{post_id:id}/edit", edit_post_page, methods=["GET", "POST"]),
    Route("/posts/{post_id:id}/delete", delete_post_page, methods=["POST"]),
]
