"""Every interface string has a Spanish translation that keeps its placeholders.

The strings are what `make translations` extracts (babel.cfg over forum/); the
translations are forum/locale/es/LC_MESSAGES/*.po, merged as the app reads them
(forum.i18n.catalog), where fuzzy and empty entries count as missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from forum.i18n import LOCALE_DIR, catalog

ROOT = Path(__file__).resolve().parents[2]
# %(name)s, %(num)d, and bare %s / %d; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-+ #0]*\d*(?:\.\d+)?[sdifrx]|%%")
# The strings of the language machinery itself, translated on this branch already.
CORE_FILES = (
    "forum/i18n.py",
    "forum/web.py",
    "forum/times.py",
    "forum/sockets.py",
    "forum/templates/_account_language.html",
    "forum/accounts/",
)


@dataclass(frozen=True)
class Message:
    where: str
    ids: tuple[str, ...]  # (singular,) or (singular, plural)
    context: str | None

    @property
    def key(self) -> str:
        return self.ids[0] if self.context is None else f"{self.context}\x04{self.ids[0]}"


@cache
def messages() -> tuple[Message, ...]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    found = extract_from_dir(
        ROOT, method_map, options_map, directory_filter=lambda path: "/." not in path
    )
    return tuple(
        Message(f"{path}:{line}", (text,) if isinstance(text, str) else tuple(text), context)
        for path, line, text, _, context in found
        if path.startswith("forum/")
    )


def translations(message: Message) -> tuple[str, ...]:
    """The Spanish for `message`: one string, or one per plural form; () if missing."""
    known = catalog("es")._catalog  # type: ignore[attr-defined]
    if len(message.ids) == 1:
        found = known.get(message.key)
        return (found,) if found else ()
    forms = tuple(known.get((message.key, n)) for n in range(2))
    return forms if all(forms) else ()


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(0) != "%%")


def untranslated(where: tuple[str, ...] = ("forum/",)) -> Iterator[Message]:
    for message in messages():
        if message.where.startswith(where) and not translations(message):
            yield message


def test_the_extraction_finds_the_strings() -> None:
    found = {message.ids[0] for message in messages()}
    assert "The language Circles speaks to you" in found  # a template
    assert "yesterday" in found  # N_ in Python


def test_every_interface_string_has_a_spanish_translation() -> None:
    missing = sorted({f"{m.where}: {m.ids[0]!r}" for m in untranslated()})
    assert not missing, f"{len(missing)} strings have no Spanish translation:\n" + "\n".join(
        missing
    )


def test_the_language_machinerys_own_strings_are_translated() -> None:
    missing = [f"{m.where}: {m.ids[0]!r}" for m in untranslated(CORE_FILES)]
    assert not missing, "\n".join(missing)


def test_translations_keep_their_placeholders() -> None:
    wrong = []
    for message in messages():
        expected = sorted(set().union(*(placeholders(text) for text in message.ids)))
        for text in translations(message):
            kept = placeholders(text)
            # A singular form may leave out the count ("Una respuesta" for "%(num)d reply").
            ok = set(kept) <= set(expected) if len(message.ids) > 1 else kept == expected
            if not ok:
                wrong.append(f"{message.where}: {message.ids[0]!r} -> {text!r}")
    assert not wrong, "\n".join(wrong)


def test_no_string_is_translated_two_ways() -> None:
    """The .po files are merged and the last one read wins: two translations of one
    string would make a page say whichever file sorts last, so they must agree."""
    chosen: dict[tuple[object, str | None], dict[str, str]] = {}
    for path in sorted((LOCALE_DIR / "es" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as source:
            for entry in read_po(source, locale="es"):
                if entry.id and entry.string and not entry.fuzzy:
                    chosen.setdefault((entry.id, entry.context), {})[path.name] = str(entry.string)
    differ = [
        f"{key[0]!r}: {files}" for key, files in chosen.items() if len(set(files.values())) > 1
    ]
    assert not differ, f"{len(differ)} strings translated two ways:\n" + "\n".join(differ)
