"""The scripts' words in each language, as one small module a browser keeps.

`static/js/strings.js` imports it from the address on `<html data-words>`. It is built
once per language and process from `_js_strings.html` with gettext; its address carries
a digest of its contents, so a browser keeps it for a year and fetches it again only
when the words change. Pages no longer carry every phrase a script might say.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import jinja2
from starlette.requests import Request
from starlette.responses import Response

from forum import i18n

TEMPLATE = "_js_strings.html"
PATH = "/static/words/{locale}.js"
KEEP = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Module:
    source: bytes
    digest: str


class ScriptWords:
    """Builds each language's module on first use; the templates never change in a process."""

    def __init__(self, templates: jinja2.Environment) -> None:
        self.templates = templates
        self._built: dict[str, Module] = {}

    def module(self, locale: str) -> Module:
        if (built := self._built.get(locale)) is None:
            with i18n.using(locale):
                words = self.templates.get_template(TEMPLATE).render().strip()
            source = f"export default {words};\n".encode()
            built = Module(source, hashlib.sha256(source).hexdigest()[:16])
            self._built[locale] = built
        return built

    def url(self, locale: str) -> str:
        return PATH.format(locale=locale) + f"?v={self.module(locale).digest}"


async def script_words_module(request: Request) -> Response:
    """`GET /static/words/{locale}.js`: the same for everyone, so cached like a static file."""
    locale = request.path_params["locale"]
    if locale not in i18n.LANGUAGES:
        return Response("Not Found", status_code=404, media_type="text/plain")
    words: ScriptWords = request.app.state.circles.templates.globals["script_words"]
    module = words.module(locale)
    # An address without the current digest is answered too, but not kept long.
    current = request.query_params.get("v") == module.digest
    return Response(
        module.source,
        media_type="text/javascript; charset=utf-8",
        headers={
            "cache-control": KEEP if current else "public, max-age=300",
            "etag": f'"{module.digest}"',
        },
    )
