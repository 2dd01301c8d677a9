"""Circle moderation settings: the owners' JSON API and the settings page."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.accounts.schemas import Empty
from forum.circle_moderation import service
from forum.circle_moderation.schemas import (
    ModerationChanges,
    NewWatchedWord,
    SettingsForm,
    WatchedWordChanges,
    WordForm,
)
from forum.circle_moderation.service import LABELS, LogEntry
from forum.circles.service import CircleView, get_circle_view_or_404
from forum.errors import AppError, BadRequest, Invalid
from forum.fields import parse_id
from forum.i18n import _
from forum.web import Ctx, endpoint
from moderation.content_warnings import WARNINGS


async def _view(ctx: Ctx) -> CircleView:
    user = await ctx.require_user()
    return await get_circle_view_or_404(ctx.db, ctx.request.path_params["slug"], user)


def _word_id(ctx: Ctx) -> int:
    return int(ctx.request.path_params["word_id"])


def entry_json(entry: LogEntry) -> dict[str, Any]:
    return {
        "id": entry.change.id,
        "actor": {"display_name": entry.actor_name},
        "created_at": entry.change.created_at.isoformat(),
        "changes": entry.change.changes,
        "summary": entry.summary,
    }


@endpoint
async def api_settings(ctx: Ctx) -> Response:
    view = await _view(ctx)
    settings = service.read_settings(await ctx.require_user(), view)
    return JSONResponse(service.settings_json(settings))


@endpoint
async def api_change_settings(ctx: Ctx) -> Response:
    view = await _view(ctx)
    data = await ctx.json_body(ModerationChanges)
    thresholds = {label: values.model_dump() for label, values in (data.thresholds or {}).items()}
    settings = await service.change_settings(
        ctx.db, await ctx.require_user(), view, thresholds, data.crisis_concern
    )
    return JSONResponse(service.settings_json(settings))


@endpoint
async def api_add_word(ctx: Ctx) -> Response:
    view = await _view(ctx)
    data = await ctx.json_body(NewWatchedWord)
    word = await service.add_word(ctx.db, await ctx.require_user(), view, data.model_dump())
    return JSONResponse(word.to_dict(), status_code=201)


@endpoint
async def api_change_word(ctx: Ctx) -> Response:
    view = await _view(ctx)
    data = await ctx.json_body(WatchedWordChanges)
    word = await service.change_word(
        ctx.db, await ctx.require_user(), view, _word_id(ctx), data.changes()
    )
    return JSONResponse(word.to_dict())


@endpoint
async def api_remove_word(ctx: Ctx) -> Response:
    view = await _view(ctx)
    ctx.check_api_csrf()
    word = await service.remove_word(ctx.db, await ctx.require_user(), view, _word_id(ctx))
    return JSONResponse({"id": word.id, "phrase": word.phrase, "removed": True})


def _before(ctx: Ctx) -> int | None:
    text = ctx.request.query_params.get("before")
    if not text:
        return None
    before = parse_id(text)
    if before is None:
        raise BadRequest(_("'before' must be a log entry id (a whole number)."), code="bad_cursor")
    return before


@endpoint
async def api_log(ctx: Ctx) -> Response:
    view = await _view(ctx)
    entries, before = await service.settings_log(
        ctx.db, await ctx.require_user(), view, _before(ctx)
    )
    return JSONResponse({"entries": [entry_json(e) for e in entries], "before": before})


async def _page(
    ctx: Ctx, view: CircleView, error: AppError | None = None, form: dict[str, Any] | None = None
) -> Response:
    user = await ctx.require_user()
    settings = service.read_settings(user, view)
    entries, before = await service.settings_log(ctx.db, user, view, _before(ctx))
    page: dict[str, Any] = {
        "view": view,
        "settings": settings,
        "labels": [(label, service.label_words(label)) for label in LABELS],
        "crisis_choices": {key: _(words) for key, words in service.CRISIS_CONCERN.items()},
        "actions": service.ACTION_WORDS,
        "warnings": WARNINGS,
        "word_words": service.word_words,
        "entries": entries,
        "before": before,
        "form": form or {},
    }
    if error is not None:
        return ctx.form_error("circle_moderation.html", error, **page)
    return ctx.render("circle_moderation.html", **page)


def _number(value: object, field: str) -> float | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        message = _("“%(text)s” isn't a number; use one between 0 and 1.") % {"text": text[:20]}
        raise Invalid(message, field=field) from None


def _form_thresholds(form: SettingsForm) -> dict[str, dict[str, float | None]]:
    extra = form.model_extra or {}
    return {
        label: {
            which: _number(extra.get(f"{which}_{label}"), f"{which}_{label}")
            for which in ("hold", "flag")
        }
        for label in LABELS
    }


@endpoint
async def settings_page(ctx: Ctx) -> Response:
    """Owners change thresholds and the crisis policy; circle moderators read them."""
    view = await _view(ctx)
    if ctx.request.method == "GET":
        return await _page(ctx, view)
    data = await ctx.form(SettingsForm)
    try:
        await service.change_settings(
            ctx.db,
            await ctx.require_user(),
            view,
            _form_thresholds(data),
            data.crisis_concern or None,
        )
    except AppError as exc:
        return await _page(ctx, view, exc)
    return ctx.redirect(f"/c/{view.circle.slug}/moderation-settings?saved=settings")


@endpoint
async def add_word_page(ctx: Ctx) -> Response:
    view = await _view(ctx)
    data = await ctx.form(WordForm)
    fields = {key: value or None for key, value in data.model_dump().items()}
    try:
        await service.add_word(ctx.db, await ctx.require_user(), view, fields)
    except AppError as exc:
        return await _page(ctx, view, exc, data.model_dump())
    return ctx.redirect(f"/c/{view.circle.slug}/moderation-settings?saved=word#watched-heading")


@endpoint
async def remove_word_page(ctx: Ctx) -> Response:
    view = await _view(ctx)
    await ctx.form(Empty)
    await service.remove_word(ctx.db, await ctx.require_user(), view, _word_id(ctx))
    return ctx.redirect(f"/c/{view.circle.slug}/moderation-settings?saved=removed#watched-heading")


BASE = "/api/v1/circles/{slug}/moderation"
PAGE = "/c/{slug}/moderation-settings"
routes = [
    Route(BASE, api_settings, methods=["GET"]),
    Route(BASE, api_change_settings, methods=["PATCH"]),
    Route(f"{BASE}/watched-words", api_add_word, methods=["POST"]),
    Route(BASE + "/watched-words/{word_id:id}", api_change_word, methods=["PATCH"]),
    Route(BASE + "/watched-words/{word_id:id}", api_remove_word, methods=["DELETE"]),
    Route(f"{BASE}/log", api_log, methods=["GET"]),
    Route(PAGE, settings_page, methods=["GET", "POST"]),
    Route(f"{PAGE}/words", add_word_page, methods=["POST"]),
    Route(PAGE + "/words/{word_id:id}/delete", remove_word_page, methods=["POST"]),
]
