"""Tests for moderation.sanitize: Markdown rendering, HTML cleaning and plain text."""

import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.sanitize import SANITIZER_VERSION, clean_html, plain_text, render_markdown

# Written out here rather than imported, so that widening the module's allowlist fails a test.
SAFE_TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip
SAFE_ATTRIBUTES = {"a": {"href", "title", "rel"}, "ol": {"start"}}
SAFE_SCHEMES = {"http", "https", "mailto"}
REL = "nofollow ugc noopener"

# How a browser finds a URL's scheme (WHATWG URL): trim C0 controls and spaces, drop every
# tab and newline, then a scheme is a letter followed by letters, digits, "+", "-" or ".".
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")


def browser_scheme(href: str) -> str | None:
    cleaned = href.strip("".join(chr(c) for c in range(0x21)))
    cleaned = re.sub(r"[\t\n\r]", "", cleaned)
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


class Collector(HTMLParser):
    """Collects every element with its attributes, values already entity-decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector.elements


def links(html: str) -> list[dict[str, str | None]]:
    return [dict(attrs) for tag, attrs in elements(html) if tag == "a"]


def assert_safe(html: str) -> None:
    assert "<script" not in html.lower()
    for tag, attrs in elements(html):
        assert tag in SAFE_TAGS, f"forbidden element <{tag}> in {html!r}"
        names = [name for name, _ in attrs]
        assert len(names) == len(set(names)), f"duplicate attribute on <{tag}> in {html!r}"
        for name, value in attrs:
            assert not name.startswith("on"), f"event handler {name} in {html!r}"
            assert name in SAFE_ATTRIBUTES.get(tag, set()), f"{tag}[{name}] in {html!r}"
            if name == "href":
                scheme = browser_scheme(value or "")
                assert scheme is None or scheme in SAFE_SCHEMES, f"href {value!r} in {html!r}"
        if tag == "a":
            assert dict(attrs).get("rel") == REL, f"link without rel={REL!r} in {html!r}"


# --- hostile URLs, in every form a link can take ---

SCHEME_PAYLOADS = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "JaVaScRiPt:alert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DaTa:text/html,<script>alert(1)</script>",
    "data:image/png;base64,iVBORw0KGgo=",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "&#106;avascript:alert(1)",
    "&#0000106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#X6a;avascript:alert(1)",
    "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)",
    "javascript&#58;alert(1)",
    "javascript&colon;alert(1)",
    "java&#x09;script:alert(1)",
    "java&#9;script:alert(1)",
    "java&Tab;script:alert(1)",
    "java&NewLine;script:alert(1)",
    "jav&#x0D;ascript:alert(1)",
    "&Tab;javascript:alert(1)",
    "&#x0A;javascript:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "\x00javascript:alert(1)",
    "\x0bjavascript:alert(1)",
    "%6Aavascript:alert(1)",
    "javascript://example.com/%0Aalert(1)",
]

LINK_FORMS = {
    "inline": "[click]({url})",
    "inline_angle": "[click](<{url}>)",
    "autolink": "<{url}>",
    "reference": "[click][ref]\n\n[ref]: {url}",
    "reference_angle": "[click][ref]\n\n[ref]: <{url}>",
    "image": "![click]({url})",
    "bare": "see {url} now",
    "raw_html": '<a href="{url}">click</a>',
}


@pytest.mark.parametrize("url", SCHEME_PAYLOADS)
@pytest.mark.parametrize("form", LINK_FORMS)
def test_markdown_links_never_get_a_dangerous_scheme(form: str, url: str) -> None:
    assert_safe(render_markdown(LINK_FORMS[form].format(url=url)))


@pytest.mark.parametrize("url", SCHEME_PAYLOADS)
def test_clean_html_drops_dangerous_href_but_keeps_link_text(url: str) -> None:
    html = clean_html(f'<a href="{url}">click</a>')
    assert_safe(html)
    assert "click" in html


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "&#106;avascript:alert(1)"]
)
def test_dangerous_markdown_link_produces_no_href(url: str) -> None:
    assert all("href" not in link for link in links(render_markdown(f"[x]({url})")))


def test_percent_encoded_scheme_stays_an_inert_relative_link() -> None:
    [link] = links(render_markdown("[x](%6Aavascript:alert(1))"))
    assert link["href"] == "%6Aavascript:alert(1)"
    assert browser_scheme(link["href"]) is None


# --- raw HTML in Markdown is shown as text ---


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        "<script>\nalert(1)\n</script>",
        "<style>body { display: none }</style>",
        "<STYLE>@import 'https://evil.example/x.css';</STYLE>",
        "text <script>alert(1)</script> inline",
    ],
)
def test_script_and_style_in_markdown_are_escaped_text(source: str) -> None:
    html = render_markdown(source)
    assert_safe(html)
    assert "&lt;" in html
    assert not [tag for tag, _ in elements(html) if tag in {"script", "style"}]
    assert "<s" in plain_text(source).lower()


@pytest.mark.parametrize(
    "source",
    [
        "<img src=x onerror=alert(1)>",
        "<IMG SRC=x OnErRoR=alert(1)>",
        "<body onload=alert(1)>",
        "<div onclick=alert(1)>click</div>",
        '<p ONMOUSEOVER="alert(1)">hover</p>',
        '<a href="https://example.com" onclick="alert(1)">x</a>',
        "<svg/onload=alert(1)>",
        "<details open ontoggle=alert(1)>",
    ],
)
def test_event_handlers_never_survive(source: str) -> None:
    assert_safe(render_markdown(source))
    assert_safe(clean_html(source))


@pytest.mark.parametrize(
    "source",
    [
        "<svg><script>alert(1)</script></svg>",
        '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
        '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
        '<math><a href="javascript:alert(1)">x</a></math>',
        "<math><style><img src=x onerror=alert(1)></style></math>",
        '<svg><use href="data:image/svg+xml,<svg id=x onload=alert(1)>#x"/></svg>',
        '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"',
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        "<svg><foreignObject><iframe src=javascript:alert(1)></iframe></foreignObject></svg>",
    ],
)
def test_svg_and_mathml_tricks_are_neutralised(source: str) -> None:
    assert_safe(render_markdown(source))
    assert_safe(clean_html(source))


@pytest.mark.parametrize(
    "source",
    [
        '<iframe src="https://evil.example"></iframe>',
        '<object data="https://evil.example/x.swf"></object>',
        '<embed src="https://evil.example/x.swf">',
        '<form action="https://evil.example"><input name=p><button>go</button></form>',
        '<button formaction="javascript:alert(1)">x</button>',
        '<base href="https://evil.example/">',
        '<meta http-equiv="refresh" content="0;url=https://evil.example">',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        '<img src="https://tracker.example/pixel.gif">',
        '<video><source onerror="alert(1)"></video>',
    ],
)
def test_embedding_and_form_elements_never_appear(source: str) -> None:
    assert_safe(render_markdown(source))
    assert_safe(clean_html(source))


@pytest.mark.parametrize(
    "source",
    [
        '<p style="background:url(javascript:alert(1))">x</p>',
        '<a href="https://example.com" style="position:fixed;inset:0">x</a>',
        '<strong style="color:red">x</strong>',
    ],
)
def test_style_attributes_are_removed(source: str) -> None:
    html = clean_html(source)
    assert_safe(html)
    assert "style" not in html
    assert "x" in plain_text(source)


@pytest.mark.parametrize(
    "source",
    [
        "<scr<script>ipt>alert(1)</script>",
        "<<script>>alert(1)<</script>>",
        '<a href="javascript:alert(1)"',
        '<a href="javascript:alert(1)">unclosed',
        "<p>unclosed <em>emphasis <a href='https://example.com",
        "</p><script>alert(1)</script>",
        "<!--<script>alert(1)</script>-->",
        "<!--><img src=x onerror=alert(1)>-->",
        "<![CDATA[<script>alert(1)</script>]]>",
        "<a href=https://a.example><a href=https://b.example>nested</a></a>",
        '<a href="https://example.com" title=\'a"b\' data-x="y">quoted</a>',
        "<a href='https://example.com\" onclick=\"alert(1)'>mixed quotes</a>",
        '<a title="x" title="y" href="https://example.com">dup</a>',
        "<a/href=javascript:alert(1)>slash</a>",
        "<a href=`javascript:alert(1)`>backticks</a>",
    ],
)
def test_broken_and_tricky_markup_is_safe(source: str) -> None:
    assert_safe(render_markdown(source))
    assert_safe(clean_html(source))


def test_quotes_inside_a_title_stay_inside_the_attribute() -> None:
    html = clean_html('<a href="https://example.com" title=\'a"onclick="alert(1)\'>q</a>')
    assert_safe(html)
    assert links(html) == [
        {"href": "https://example.com", "title": 'a"onclick="alert(1)', "rel": REL}
    ]


def test_markdown_title_cannot_break_out_into_an_attribute() -> None:
    html = render_markdown('[x](https://example.com "\\" onclick=\\"alert(1)")')
    assert_safe(html)
    assert links(html) == [
        {"href": "https://example.com", "title": '" onclick="alert(1)', "rel": REL}
    ]


# --- link attributes ---


def test_existing_rel_is_replaced_and_target_removed() -> None:
    html = clean_html('<a href="https://example.com" rel="opener" target=_blank>x</a>')
    assert links(html) == [{"href": "https://example.com", "rel": REL}]


def test_link_without_href_still_gets_rel() -> None:
    assert links(clean_html("<a title=t>x</a>")) == [{"title": "t", "rel": REL}]


def test_raw_html_link_in_markdown_is_text_not_a_link() -> None:
    html = render_markdown('<a href="https://example.com" target=_blank>x</a>')
    assert "&lt;a href=" in html
    # Only the bare URL inside the shown text is linkified, without the typed target.
    assert links(html) == [{"href": "https://example.com", "rel": REL}]


def test_https_link_keeps_href_and_title() -> None:
    html = render_markdown('[docs](https://example.com/a?b=1&c=2 "Read me")')
    assert links(html) == [
        {"href": "https://example.com/a?b=1&c=2", "title": "Read me", "rel": REL}
    ]
    assert plain_text('[docs](https://example.com/a?b=1&c=2 "Read me")') == "docs"


def test_http_and_mailto_links_are_kept() -> None:
    html = render_markdown("[a](http://example.com) [b](mailto:help@example.com) <me@example.org>")
    assert [link["href"] for link in links(html)] == [
        "http://example.com",
        "mailto:help@example.com",
        "mailto:me@example.org",
    ]
    assert all(link["rel"] == REL for link in links(html))


def test_relative_and_fragment_links_are_kept() -> None:
    html = render_markdown("[a](/circles/grief) [b](#rules) [c](../up)")
    assert [link["href"] for link in links(html)] == ["/circles/grief", "#rules", "../up"]


@pytest.mark.parametrize("url", ["ftp://example.com/f", "file:///etc/passwd", "ws://example.com"])
def test_other_schemes_lose_their_href(url: str) -> None:
    assert links(clean_html(f'<a href="{url}">x</a>')) == [{"rel": REL}]


def test_reference_links_render_with_rel() -> None:
    html = render_markdown("[the rules][r]\n\n[r]: https://example.com/rules")
    assert links(html) == [{"href": "https://example.com/rules", "rel": REL}]


def test_bare_urls_are_linkified_with_rel() -> None:
    html = render_markdown("see https://example.com/help and www.example.org today")
    assert links(html) == [
        {"href": "https://example.com/help", "rel": REL},
        {"href": "http://www.example.org", "rel": REL},
    ]


def test_urls_in_code_are_not_linkified() -> None:
    html = render_markdown("`https://example.com`\n\n```\nhttps://example.org\n```")
    assert links(html) == []
    assert "https://example.org" in html


def test_bare_javascript_text_is_not_linkified() -> None:
    html = render_markdown("javascript:alert(1)")
    assert links(html) == []
    assert_safe(html)


# --- images ---


def test_image_becomes_a_link_to_the_image_not_an_img() -> None:
    html = render_markdown('![a *calm* lake](https://example.com/lake.png "Lake")')
    assert [tag for tag, _ in elements(html)] == ["p", "a"]
    assert links(html) == [{"href": "https://example.com/lake.png", "title": "Lake", "rel": REL}]
    assert plain_text("![a *calm* lake](https://example.com/lake.png)") == "a calm lake"


def test_image_without_alt_shows_its_url() -> None:
    assert plain_text("![](https://example.com/lake.png)") == "https://example.com/lake.png"


def test_image_inside_link_renders_one_link() -> None:
    html = render_markdown("[![alt](https://example.com/i.png)](https://example.com/page)")
    assert links(html) == [{"href": "https://example.com/page", "rel": REL}]
    assert plain_text("[![alt](https://example.com/i.png)](https://example.com/page)") == "alt"


def test_image_alt_text_is_escaped() -> None:
    html = render_markdown("![<script>alert(1)</script>](https://example.com/i.png)")
    assert_safe(html)
    assert "&lt;script&gt;" in html


# --- ordinary formatting ---


def test_emphasis_and_strong() -> None:
    html = render_markdown("*soft* and **firm** and _also_")
    assert html == "<p><em>soft</em> and <strong>firm</strong> and <em>also</em></p>\n"


def test_lists_keep_structure_and_start_number() -> None:
    html = render_markdown("- one\n- two\n\n3. three\n4. four")
    assert [(tag, attrs) for tag, attrs in elements(html)] == [
        ("ul", []),
        ("li", []),
        ("li", []),
        ("ol", [("start", "3")]),
        ("li", []),
        ("li", []),
    ]


def test_headings_quotes_rules_and_breaks() -> None:
    source = "# One\n\n###### Six\n\n> quoted\n\n---\n\nline  \nbreak"
    tags = [tag for tag, _ in elements(render_markdown(source))]
    assert tags == ["h1", "h6", "blockquote", "p", "hr", "p", "br"]


def test_code_block_content_stays_escaped() -> None:
    source = "```html\n<script>alert('x')</script> & <b>\n```"
    html = render_markdown(source)
    assert [tag for tag, _ in elements(html)] == ["pre", "code"]
    assert "&lt;script&gt;" in html
    assert "&amp;" in html
    assert plain_text(source) == "<script>alert('x')</script> & <b>"


def test_inline_code_content_stays_escaped() -> None:
    html = render_markdown("use `<em>` here")
    assert [tag for tag, _ in elements(html)] == ["p", "code"]
    assert "<code>&lt;em&gt;</code>" in html


def test_clean_html_keeps_allowed_elements() -> None:
    source = "<p><strong>a</strong><em>b</em><del>c</del><s>d</s><code>e</code></p><h3>f</h3>"
    assert clean_html(source) == source


def test_clean_html_escapes_unknown_elements_as_text() -> None:
    assert clean_html("<marquee>hi</marquee>") == "&lt;marquee&gt;hi&lt;/marquee&gt;"


def test_clean_html_removes_comments() -> None:
    assert clean_html("a<!-- hidden -->b") == "ab"


def test_empty_source_renders_empty() -> None:
    assert render_markdown("") == ""
    assert plain_text("") == ""


# --- plain_text ---


def test_plain_text_strips_tags_and_unescapes_entities() -> None:
    assert plain_text("**AT&T** &amp; *R&amp;D* &lt;3 &copy;") == "AT&T & R&D <3 ©"


def test_plain_text_collapses_whitespace() -> None:
    assert plain_text("  so   tired\n\n\n\ttoday  \n") == "so tired today"


def test_plain_text_separates_blocks() -> None:
    source = "# Title\nFirst para\n\n- item\n- other\n\n> quote\n\nline  \nbreak"
    assert plain_text(source) == "Title First para item other quote line break"


def test_plain_text_shows_raw_html_as_typed() -> None:
    assert plain_text("<b>not bold</b>") == "<b>not bold</b>"


@pytest.mark.parametrize(
    "source", ["<em>x</em>", "<strong>x</strong>", "<p>x</p>", "<blockquote>\nx\n</blockquote>"]
)
def test_raw_html_of_allowed_tags_in_markdown_stays_text(source: str) -> None:
    html = render_markdown(source)
    assert [tag for tag, _ in elements(html)] == ["p"]
    assert plain_text(source) == " ".join(source.split())


def test_plain_text_keeps_link_text_not_url() -> None:
    assert plain_text("[our rules](https://example.com/rules)") == "our rules"


# --- module contract ---


def test_sanitizer_version_is_a_number_string() -> None:
    assert isinstance(SANITIZER_VERSION, str)
    assert SANITIZER_VERSION.isdigit()


def test_module_imports_no_web_or_database_code() -> None:
    code = (
        "import sys, moderation.sanitize\n"
        "banned = {'starlette', 'sqlalchemy', 'aiosqlite', 'asyncpg', 'forum', 'realtime',"
        " 'jinja2', 'uvicorn', 'httpx', 'websockets'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & banned))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# --- properties ---

HOSTILE_PIECES = [
    "<", ">", '"', "'", "`", "=", "&", "#", ";", ":", "/", "\\", "(", ")", "[", "]", "!",
    " ", "\n", "\t", "\x00", "\x01", "*", "_", "`", "<script>", "</script>", "<svg", "<math",
    "<img", "<a", "</a>", "<style>", "<iframe", " onload=", " onerror=", " OnClick=", " href=",
    " xlink:href=", " src=", "javascript:", "JaVaScRiPt:", "vbscript:", "data:", "&#106;",
    "&#x6A;", "&Tab;", "&colon;", "&#58;", "%6A", "alert(1)", "https://example.com",
    "www.example.org", "mailto:", "[x](", "](", "<http", "![", "[r]: ", "```",
]  # fmt: skip

hostile_text = st.lists(st.sampled_from(HOSTILE_PIECES) | st.text(max_size=3), max_size=40).map(
    "".join
)


def assert_no_script_or_handler(html: str) -> None:
    assert "<script" not in html.lower()
    for tag, attrs in elements(html):
        assert tag != "script"
        assert not any(name.startswith("on") for name, _ in attrs)


@settings(deadline=None, database=None, max_examples=300)
@given(st.text())
def test_render_markdown_of_any_text_has_no_script_or_handlers(source: str) -> None:
    html = render_markdown(source)
    assert_no_script_or_handler(html)
    assert_safe(html)


@settings(deadline=None, database=None, max_examples=500)
@given(hostile_text)
def test_render_markdown_of_hostile_fragments_is_safe(source: str) -> None:
    assert_safe(render_markdown(source))
    plain_text(source)


@settings(deadline=None, database=None, max_examples=500)
@given(hostile_text)
def test_clean_html_of_hostile_fragments_is_safe(source: str) -> None:
    assert_safe(clean_html(source))


@settings(deadline=None, database=None, max_examples=200)
@given(hostile_text)
def test_cleaning_rendered_html_again_changes_nothing(source: str) -> None:
    html = render_markdown(source)
    assert clean_html(html) == html


@pytest.mark.parametrize(
    "text", ["data:www.example.org", "DATA:www.example.org/x", "vbscript:www.a.com"]
)
def test_bare_domains_after_a_forbidden_scheme_never_become_that_scheme(text: str) -> None:
    html = render_markdown(text)
    assert 'href="http://www.' in html
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.split(":", 1)[0].lower() in {"http", "https", "mailto"}
