"""The reader's language: gettext catalogs (Babel), chosen per request.

Every string a person reads goes through `_` (or `ngettext`): in templates as
`{{ _("Text") }}` or `{% trans %}`, in Python as `_("Text")` when the text is made
during a request, or `N_("Text")` for a constant translated where it is shown
(`_(CONSTANT)`). The language for the request lives in a context variable that the
request's entry point sets (`using(locale)`); outside a request it is English.

Catalogs are `forum/locale/<locale>/LC_MESSAGES/*.po`, read once at start. English is
the source language and needs no catalog.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from moderation import wording

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "en"
# The languages a member can choose, in their own words.
LANGUAGES = {"en": "English", "es": "Español"}

_current: ContextVar[str] = ContextVar("circles_locale", default=DEFAULT_LOCALE)


@cache
def catalog(locale: str) -> stdlib_gettext.NullTranslations:
    """The translations for `locale`: every .po file in its folder, merged."""
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    merged: Translations | None = None
    for path in sorted(folder.glob("*.po")) if locale != DEFAULT_LOCALE else []:
        with path.open("rb") as source:
            po = read_po(source, locale=locale)
        compiled = BytesIO()
        write_mo(compiled, po)
        compiled.seek(0)
        part = Translations(compiled)
        merged = part if merged is None else merged.merge(part)
    return merged if merged is not None else stdlib_gettext.NullTranslations()


def current_locale() -> str:
    return _current.get()


@contextmanager
def using(locale: str) -> Iterator[None]:
    """Speak `locale` inside the block (a request, a notification for one member)."""
    token = _current.set(locale if locale in LANGUAGES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


def switch(locale: str) -> None:
    """Speak `locale` from here on, inside the `using` block of the request that asks.

    For a choice learnt part-way through a request: the member's own language, once
    the request has found out who is asking. The enclosing `using` restores the old one.
    """
    _current.set(locale if locale in LANGUAGES else DEFAULT_LOCALE)


@lru_cache(maxsize=512)
def from_accept_language(header: str) -> str:
    """The best of LANGUAGES for an Accept-Language header ("es-MX,es;q=0.9,en;q=0.8")."""
    weighted: list[tuple[float, str]] = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        tag = tag.strip().lower()
        if tag and tag != "*" and quality > 0:
            weighted.append((quality, tag))
    # Stable: tags of equal weight keep the order the browser gave them.
    preferred = [tag for _, tag in sorted(weighted, key=lambda pair: -pair[0])]
    return negotiate_locale(preferred, list(LANGUAGES), sep="-") or DEFAULT_LOCALE


def from_environment(environ: Mapping[str, str]) -> str:
    """A terminal's language: the first of LANGUAGE (a list), LC_ALL, LC_MESSAGES and LANG
    that is set, as gettext reads them ("es_ES.UTF-8" is Spanish; "C" is English)."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        if value := environ.get(name, "").strip():
            tags = (part.split(".")[0].split("@")[0].replace("_", "-") for part in value.split(":"))
            return from_accept_language(",".join(tag for tag in tags if tag))
    return DEFAULT_LOCALE


def for_request(chosen: str | None, accept_language: str) -> str:
    """A member's own choice if they made one, else their browser's, else English."""
    if chosen in LANGUAGES:
        return chosen
    return from_accept_language(accept_language[:500]) if accept_language else DEFAULT_LOCALE


def gettext(message: str) -> str:
    return catalog(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalog(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return catalog(_current.get()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark a constant for extraction; translate it with `_` where it is shown."""
    return message


_ = gettext


def said(reason: Mapping[str, Any]) -> str:
    """A moderation reason, stored once in English, in the current language."""
    return wording.said(reason, gettext)


def reasons_said(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored reasons as an answer gives them: each message in the current language."""
    return [{**reason, "message": said(reason)} for reason in reasons]


def babel_locale() -> Locale:
    """The Babel locale for dates and numbers in the current language."""
    return Locale.parse(_current.get())


def number(value: int | float) -> str:
    """A count or figure written the reader's way ("1,234" in English, "1234" or "1.234"
    in Spanish)."""
    return format_decimal(value, locale=babel_locale())
