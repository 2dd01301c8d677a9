"""What one running application holds: settings, database, templates, limits, caches."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from forum import i18n
from forum.cache import PageCache
from forum.config import Settings
from forum.live import Live
from forum.mail.sender import Mailer
from forum.ratelimit.service import Limits
from forum.reactions.kinds import KINDS
from forum.review.resources import KnownLines
from forum.review.service import ShiftRules
from forum.script_words import ScriptWords
from forum.threads.reading import Reads
from forum.times import timestamp
from moderation.content_warnings import WARNINGS, Labels
from moderation.pipeline import Screener
from realtime.hub import Hub

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    templates: jinja2.Environment
    limits: Limits
    page_cache: PageCache
    read_cache: Reads
    screener: Screener
    shift_rules: ShiftRules
    hub: Hub
    live: Live
    mailer: Mailer
    crisis_lines: KnownLines = field(default_factory=KnownLines)


def make_templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        auto_reload=False,  # templates ship with the code; no stat() per render
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # `_`, `gettext`, `ngettext` and `{% trans %}` speak the request's language (forum.i18n).
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
    )
    env.filters["timestamp"] = timestamp
    env.filters["number"] = i18n.number
    # Words kept as data but written by us (seeded hotline descriptions, section titles):
    # the reader's language when the catalog has them, else as stored. Plain text, so it
    # is escaped like any value (never `_()`, whose result is trusted markup).
    env.filters["translated"] = i18n.gettext
    # `<html lang="{{ current_locale() }}">`: the request's language, read at render time.
    env.globals["current_locale"] = i18n.current_locale
    env.globals["LANGUAGES"] = i18n.LANGUAGES
    env.globals["CONTENT_WARNINGS"] = WARNINGS
    env.globals["REACTIONS"] = KINDS
    env.filters["cw_words"] = Labels(i18n.gettext).words  # in the reader's language
    env.filters["said"] = i18n.said  # a moderation reason, in the reader's language
    env.globals["script_words"] = ScriptWords(env)  # the scripts' words, per language
    return env
