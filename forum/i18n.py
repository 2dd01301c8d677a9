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
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

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


def babel_locale() -> Locale:
    """The Babel locale for dates and numbers in the current language."""
    return Locale.parse(_current.get())


def number(value: int | float) -> str:
    """A count or figure written the reader's way ("1,234" in English, "1234" or "1.234"
    in Spanish)."""
    return format_decimal(value, locale=babel_locale())
