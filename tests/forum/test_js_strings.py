"""The scripts' words: every key a script asks for is in the module of words each page
names, in the reader's language, cached by the browser until the words change."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from forum import i18n
from forum.state import make_templates
from tests.conftest import Persona
from tests.forum.test_pages import Opener, signed_in

__all__ = ["signed_in"]

JS = Path(__file__).resolve().parents[2] / "static" / "js"
KEY = re.compile(r"\bt\(\s*\"(\w+)\"")
DYNAMIC = re.compile(r"\bt\(\s*`(\w+)_\$\{")  # t(`reaction_${kind}`, ...)
MODULE = re.compile(r"^export default (\{.*\});\n$", re.S)
DATA_WORDS = re.compile(r'<html lang="(\w+)" data-words="(/static/words/\w+\.js\?v=\w+)">')


def scripts() -> list[str]:
    # strings.js defines t(); its comment shows an example key.
    return [path.read_text() for path in JS.glob("*.js") if path.name != "strings.js"]


def module_strings(source: str) -> dict[str, str]:
    found = MODULE.match(source)
    assert found is not None, source[:200]
    strings: dict[str, str] = json.loads(found.group(1))
    return strings


def built_strings(locale: str) -> dict[str, str]:
    words = make_templates().globals["script_words"]
    return module_strings(words.module(locale).source.decode())


def test_every_key_the_scripts_use_is_in_the_module() -> None:
    keys = {key for script in scripts() for key in KEY.findall(script)}
    prefixes = {prefix for script in scripts() for prefix in DYNAMIC.findall(script)}
    strings = built_strings("en")
    assert keys and keys <= set(strings)
    assert prefixes == {"reaction", "cw"}
    assert strings["reaction_with_you"] == "With you"
    assert strings["cw_self-harm"] == "self-harm"


def test_the_module_gives_the_scripts_spanish() -> None:
    strings = built_strings("es")
    assert strings["reconnecting"] == "Reconectando…"
    assert strings["reaction_strength"] == "Te mando fuerza"
    assert strings["cw_grief"] == "duelo y pérdida"
    assert strings["chat_team"] == "Equipo de moderación de Circles"
    with i18n.using("es"):  # built in its own language, whatever the caller's
        assert built_strings("en")["reconnecting"] == "Reconnecting…"


async def test_a_page_names_its_languages_module_which_browsers_keep(
    signed_in: Opener, user: Persona
) -> None:
    browser = await signed_in(user)
    page = await browser.get("/", headers={"Accept-Language": "es"})
    found = DATA_WORDS.search(page.text)
    assert found is not None and found.group(1) == "es"
    assert "Reconectando…" not in page.text  # the words are no longer on every page
    module = await browser.get(found.group(2))
    assert module.status_code == 200
    assert module.headers["content-type"].startswith("text/javascript")
    # Signed in or not, the same module for everyone: kept a year, shared caches too.
    assert module.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert module_strings(module.text)["reconnecting"] == "Reconectando…"
    english = DATA_WORDS.search((await browser.get("/", headers={"Accept-Language": "en"})).text)
    assert english is not None and english.group(2) != found.group(2)


async def test_an_old_or_unknown_module_address(client: httpx.AsyncClient) -> None:
    stale = await client.get("/static/words/es.js?v=0000")
    assert stale.status_code == 200
    assert stale.headers["cache-control"] == "public, max-age=300"
    unknown = await client.get("/static/words/xx.js")
    assert unknown.status_code == 404
