"""Render post Markdown to safe, stored HTML and extract its visible text."""

import re
import threading
from collections.abc import Sequence
from functools import partial
from html.parser import HTMLParser

import bleach
from bleach.linkifier import LinkifyFilter, build_url_re
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

# Bump when the rendering or the allowlist changes, so stored HTML can be re-rendered.
SANITIZER_VERSION = "1"

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, list[str]] = {"a": ["href", "title"], "ol": ["start"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")  # RFC 3986; anything else is relative

# bleach linkify callbacks get {(namespace, name): value}, plus "_text" for the link text.
_LinkAttrs = dict[tuple[str | None, str] | str, str]

_BLOCK_TAGS = ALLOWED_TAGS - {"strong", "em", "del", "s", "code", "a"}


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # Images are shown as links to the image so that reading a post never makes the
    # reader's browser fetch a remote resource (tracking pixels, IP logging, shock images).
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children, options, env)
    src = str(token.attrGet("src") or "")
    link_depth = sum((t.type == "link_open") - (t.type == "link_close") for t in tokens[:idx])
    # markdown-it blanks a src it refuses (javascript: and friends); nested <a> is invalid.
    if not src or link_depth > 0:
        return escapeHtml(alt)
    title = token.attrGet("title")
    title_attr = f' title="{escapeHtml(str(title))}"' if title else ""
    return f'<a href="{escapeHtml(src)}"{title_attr}>{escapeHtml(alt or src)}</a>'


def _make_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    md.add_render_rule("image", _render_image)
    return md


_markdown = _make_markdown()


def _set_link_rel(attrs: _LinkAttrs, new: bool) -> _LinkAttrs | None:
    # Linkify runs after the protocol check, so a link it makes is checked here too
    # ("data:www.example.org" would otherwise become a data: link). None drops the link.
    scheme = _SCHEME.match(attrs.get((None, "href"), ""))
    if scheme and scheme.group(1).lower() not in ALLOWED_PROTOCOLS:
        return None
    attrs[(None, "rel")] = LINK_REL
    attrs.pop((None, "target"), None)
    return attrs


def _make_cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=False,
        strip_comments=True,
        filters=[
            partial(
                LinkifyFilter,
                callbacks=[_set_link_rel],
                skip_tags={"pre", "code"},
                url_re=build_url_re(protocols=ALLOWED_PROTOCOLS),
            )
        ],
    )


# bleach's Cleaner keeps parser state between calls, so each thread needs its own.
_local = threading.local()


def clean_html(html: str) -> str:
    """Clean HTML against the allowlist, linkify bare URLs and mark every link nofollow."""
    cleaner: bleach.Cleaner | None = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = _make_cleaner()
    return str(cleaner.clean(html))


def render_markdown(source: str) -> str:
    """Render CommonMark to cleaned HTML; raw HTML in the source is shown as text."""
    return clean_html(_markdown.render(source))


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(source: str) -> str:
    """Return the visible text of rendered Markdown: unescaped, so escape it before display."""
    extractor = _TextExtractor()
    extractor.feed(render_markdown(source))
    extractor.close()
    return " ".join("".join(extractor.parts).split())
