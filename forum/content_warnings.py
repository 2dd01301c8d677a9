"""Content warnings in the app: checking the ones a person sends, and wrapping a warned
post as one reader chose to see it (shown with its warning named, blurred, or hidden).

The thread snapshot holds each warned post's body once; the wrappers go either side of
it per reader (see `threads.reading.posts_html`), so one reader's choice never reaches
another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from markupsafe import escape

from forum.errors import Invalid
from forum.i18n import current_locale, gettext, using
from moderation.content_warnings import (
    HIDE,
    SHOW,
    WARNINGS,
    ordered,
    treatment,
    unknown_warnings,
    words_for,
)
from moderation.pipeline import Assessment


def check_warnings(warnings: Iterable[str], field: str = "content_warnings") -> tuple[str, ...]:
    """Known warnings, in the list's order, or a 422 that names them all."""
    warnings = list(warnings)
    if unknown := unknown_warnings(warnings):
        raise Invalid(
            f"“{unknown[0][:40]}” isn't one of the content warnings; they are "
            + ", ".join(WARNINGS)
            + ".",
            field=field,
        )
    return ordered(warnings)


# What crisis language adds by default, so readers who asked to have self-harm covered are
# spared it; the author can take it off by editing the post's warnings.
CRISIS_WARNING = "self-harm"


def screened_warnings(chosen: Iterable[str], assessment: Assessment) -> tuple[str, ...]:
    """The author's warnings, those the circle's watched words add, and self-harm when crisis
    language was found (held posts carry it once approved; published ones from the start)."""
    crisis = (CRISIS_WARNING,) if assessment.crisis.level.rank else ()
    return ordered([*chosen, *assessment.watched.warnings, *crisis])


def wrappers_for(
    warnings: Sequence[str], prefs: Mapping[str, str] | None, is_author: bool
) -> tuple[bytes, bytes]:
    """Authors see their own posts with the warning named, whatever they chose for others'."""
    how = SHOW if is_author else treatment(warnings, prefs)
    return wrappers(tuple(warnings), how, current_locale())


@lru_cache(maxsize=1024)
def wrappers(warnings: tuple[str, ...], how: str, locale: str) -> tuple[bytes, bytes]:
    """The HTML either side of a warned post, in `locale` (part of the cache's key)."""
    with using(locale):
        plain = words_for(warnings, gettext)
        words = escape(plain)
        if how == SHOW:
            label = escape(gettext("Content warning: %(words)s") % {"words": plain})
            return f'<div class="cw cw-show"><p class="cw-label">{label}</p>'.encode(), b"</div>"
        if how == HIDE:
            notice = gettext("Hidden by your content warning settings (%(words)s).")
            action = gettext("Show it")
            klass = "cw cw-hide"
        else:
            notice = gettext("Content warning: %(words)s.")
            action = gettext("Show this post")
            klass = "cw cw-blur"
        said = escape(notice % {"words": plain})
        summary = f'{said} <span class="cw-action">{escape(action)}</span>'
    before = (
        f'<div class="{klass}" data-cw="{how}" '
        f'data-cw-words="{words}"><details class="cw-details">'
        f'<summary class="cw-summary">{summary}</summary>'
    )
    return before.encode(), b"</details></div>"
