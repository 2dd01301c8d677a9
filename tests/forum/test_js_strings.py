"""The scripts' words: every key a script asks for is on the page, in the reader's language."""

from __future__ import annotations

import json
import re
from pathlib import Path

from forum import i18n
from forum.state import make_templates

JS = Path(__file__).resolve().parents[2] / "static" / "js"
KEY = re.compile(r"\bt\(\s*\"(\w+)\"")
DYNAMIC = re.compile(r"\bt\(\s*`(\w+)_\$\{")  # t(`reaction_${kind}`, ...)


def scripts() -> list[str]:
    # strings.js defines t(); its comment shows an example key.
    return [path.read_text() for path in JS.glob("*.js") if path.name != "strings.js"]


def page_strings() -> dict[str, str]:
    html = make_templates().get_template("_js_strings.html").render()
    found = re.search(r'<script type="application/json" id="circles-strings">(.*)</script>', html)
    assert found is not None
    strings: dict[str, str] = json.loads(found.group(1))
    return strings


def test_every_key_the_scripts_use_is_on_the_page() -> None:
    keys = {key for script in scripts() for key in KEY.findall(script)}
    prefixes = {prefix for script in scripts() for prefix in DYNAMIC.findall(script)}
    strings = page_strings()
    assert keys and keys <= set(strings)
    assert prefixes == {"reaction", "cw"}
    assert strings["reaction_with_you"] == "With you"
    assert strings["cw_self-harm"] == "self-harm"


def test_the_page_gives_the_scripts_spanish() -> None:
    with i18n.using("es"):
        strings = page_strings()
    assert strings["reconnecting"] == "Reconectando…"
    assert strings["reaction_strength"] == "Te mando fuerza"
    assert strings["cw_grief"] == "duelo y pérdida"
    assert strings["chat_team"] == "Equipo de moderación de Circles"
