"""The HTML pages: what they show, labelled forms, a strict CSP, and the anonymous page cache."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from markupsafe import escape
from starlette.applications import Starlette

from forum.accounts import service as accounts
from forum.db import transaction
from tests.conftest import Database, Persona, ThreadFactory, join, ok

VOID_OR_UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class PageAudit(HTMLParser):
    """What a page's markup says about inline code and form labels."""

    inline_scripts: list[str] = field(default_factory=list)
    script_srcs: list[str] = field(default_factory=list)
    event_handlers: list[str] = field(default_factory=list)
    style_attributes: list[str] = field(default_factory=list)
    style_tags: int = 0
    label_for: set[str] = field(default_factory=set)
    controls: list[tuple[str, dict[str, str | None], bool]] = field(default_factory=list)
    _label_depth: int = 0
    _in_script: bool = False
    _script_text: str = ""

    def __post_init__(self) -> None:
        HTMLParser.__init__(self)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, _ in attrs:
            if name.startswith("on"):
                self.event_handlers.append(f"<{tag} {name}>")
            if name == "style":
                self.style_attributes.append(f"<{tag} style>")
        if tag == "script":
            # A JSON data block (the scripts' words) is never run: only code counts.
            code = values.get("type") != "application/json"
            self._in_script, self._script_text = code, ""
            if values.get("src"):
                self.script_srcs.append(values["src"] or "")
        elif tag == "style":
            self.style_tags += 1
        elif tag == "label":
            self._label_depth += 1
            if values.get("for"):
                self.label_for.add(values["for"] or "")
        elif tag in ("input", "textarea", "select"):
            self.controls.append((tag, values, self._label_depth > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            if self._script_text.strip():
                self.inline_scripts.append(self._script_text.strip())
            self._in_script = False
        elif tag == "label":
            self._label_depth = max(0, self._label_depth - 1)

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self._script_text += data

    def unlabelled_controls(self) -> list[str]:
        missing = []
        for tag, attrs, wrapped in self.controls:
            if tag == "input" and (attrs.get("type") or "text") in VOID_OR_UNLABELLED_TYPES:
                continue
            if wrapped or attrs.get("aria-label") or attrs.get("aria-labelledby"):
                continue
            if attrs.get("id") not in self.label_for:
                missing.append(f"<{tag} name={attrs.get('name')!r} id={attrs.get('id')!r}>")
        return missing


def audit(html: str) -> PageAudit:
    parser = PageAudit()
    parser.feed(html)
    parser.close()
    return parser


def assert_strict_page(response: httpx.Response) -> PageAudit:
    """A page with a CSP that forbids inline code, and markup that needs none."""
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "default-src 'self'" in csp
    found = audit(response.text)
    assert found.inline_scripts == []
    assert found.event_handlers == []
    assert found.style_attributes == []
    assert found.style_tags == 0
    assert found.unlabelled_controls() == []
    for src in found.script_srcs:
        assert src.startswith("/static/"), src
    return found


Opener = Callable[[Persona], Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def signed_in(app: Starlette, database: Database) -> AsyncIterator[Opener]:
    """Opens a cookie-carrying client for a persona, the way a browser would be after login."""
    opened: list[httpx.AsyncClient] = []

    async def open_as(persona: Persona) -> httpx.AsyncClient:
        async with transaction(database.sessions) as db:
            token = await accounts.start_session(db, persona.user, "pytest", 1)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            cookies={"circles_session": token},
        )
        opened.append(client)
        return client

    yield open_as
    for client in opened:
        await client.aclose()


async def page(client: httpx.AsyncClient, path: str, status: int = 200) -> httpx.Response:
    response = await client.get(path)
    assert response.status_code == status, response.text
    assert_strict_page(response)
    return response


# What pages show


async def test_home_lists_circles(
    client: httpx.AsyncClient, user: Persona, circle: dict[str, Any]
) -> None:
    response = await page(client, "/")
    assert "Grief and loss" in response.text
    assert 'href="/c/grief-and-loss"' in response.text
    assert 'href="/register"' in response.text


async def test_home_shows_signed_in_members_private_circles(
    signed_in: Opener, user: Persona, circle: dict[str, Any], private_circle: dict[str, Any]
) -> None:
    browser = await signed_in(user)
    response = await page(browser, "/")
    assert "Grief and loss" in response.text
    assert "After trauma" in response.text
    assert "Alex" in response.text  # the header names who is signed in


async def test_circle_page_shows_rules_and_threads(
    client: httpx.AsyncClient, circle: dict[str, Any], make_thread: ThreadFactory, user: Persona
) -> None:
    made = await make_thread(user, circle, title="Sharing a memory")
    response = await page(client, "/c/grief-and-loss")
    assert "<h1>Grief and loss</h1>" in response.text
    assert "For tests." in response.text
    for rule in circle["rules"]["items"]:
        assert str(escape(rule["title"])) in response.text
        assert f'id="rule-{rule["id"]}"' in response.text
    assert "version 1" in response.text
    assert f'href="/threads/{made["id"]}"' in response.text
    assert "Sharing a memory" in response.text


async def test_circle_page_offers_join_with_current_rules_version(
    signed_in: Opener, other_user: Persona, circle: dict[str, Any]
) -> None:
    browser = await signed_in(other_user)
    response = await page(browser, "/c/grief-and-loss")
    assert 'action="/c/grief-and-loss/join"' in response.text
    assert 'name="accept_rules_version" value="1"' in response.text
    assert 'href="/c/grief-and-loss/new"' not in response.text  # not a member yet


async def test_circle_page_for_member_links_new_thread(
    signed_in: Opener, other_user: Persona, circle: dict[str, Any]
) -> None:
    await join(other_user, circle)
    browser = await signed_in(other_user)
    response = await page(browser, "/c/grief-and-loss")
    assert 'href="/c/grief-and-loss/new"' in response.text
    assert 'action="/c/grief-and-loss/join"' not in response.text
    assert 'action="/c/grief-and-loss/leave"' in response.text


async def test_thread_page_shows_posts(
    client: httpx.AsyncClient,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    await ok(
        await other_user.api.post(
            f"/api/v1/threads/{thread['id']}/posts", json={"body": "Sending **warmth**."}
        ),
        201,
    )
    response = await page(client, f"/threads/{thread['id']}")
    assert "<h1>A first thread</h1>" in response.text
    assert "Hello, <em>everyone</em>." in response.text
    assert "Sending <strong>warmth</strong>." in response.text
    assert "Alex" in response.text and "Blake" in response.text
    assert response.text.index("Hello, <em>everyone</em>") < response.text.index("Sending <strong>")
    assert f'href="/login?next=/threads/{thread["id"]}"' in response.text
    assert "<textarea" not in response.text
    assert f'action="/threads/{thread["id"]}/reply"' not in response.text


async def test_thread_page_has_labelled_reply_form_for_member(
    signed_in: Opener, user: Persona, thread: dict[str, Any]
) -> None:
    browser = await signed_in(user)
    response = await page(browser, f"/threads/{thread['id']}")
    assert f'action="/threads/{thread["id"]}/reply"' in response.text
    textarea = re.search(r'<textarea[^>]*\bid="([^"]+)"[^>]*\bname="body"', response.text)
    assert textarea is not None, "the reply form has a textarea with an id"
    assert f'<label for="{textarea.group(1)}"' in response.text
    assert 'name="csrf_token"' in response.text


async def test_thread_page_asks_non_member_to_join_before_replying(
    signed_in: Opener, other_user: Persona, thread: dict[str, Any]
) -> None:
    browser = await signed_in(other_user)
    response = await page(browser, f"/threads/{thread['id']}")
    assert f'action="/threads/{thread["id"]}/reply"' not in response.text
    assert 'id="reply-body"' not in response.text
    assert 'href="/c/grief-and-loss"' in response.text
    assert "Join this circle" in response.text


async def test_user_content_cannot_add_inline_code_to_pages(
    client: httpx.AsyncClient, user: Persona, circle: dict[str, Any], make_thread: ThreadFactory
) -> None:
    made = await make_thread(
        user,
        circle,
        title="<script>alert(1)</script>",
        body='<b onclick="x()">hi</b> <span style="color:red">red</span>\n\n<script>bad()</script>',
    )
    response = await page(client, f"/threads/{made['id']}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    listing = await page(client, "/c/grief-and-loss")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing.text


async def test_new_thread_page_has_labelled_form(
    signed_in: Opener, user: Persona, circle: dict[str, Any]
) -> None:
    browser = await signed_in(user)
    response = await page(browser, "/c/grief-and-loss/new")
    assert 'action="/c/grief-and-loss/new"' in response.text
    found = audit(response.text)
    names = {attrs.get("name") for _, attrs, _ in found.controls}
    assert {"title", "body", "csrf_token"} <= names
    assert {"title", "body"} <= found.label_for


async def test_new_thread_page_needs_login(
    client: httpx.AsyncClient, circle: dict[str, Any]
) -> None:
    response = await client.get("/c/grief-and-loss/new")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_new_circle_page_has_labelled_form(signed_in: Opener, user: Persona) -> None:
    browser = await signed_in(user)
    response = await page(browser, "/circles/new")
    found = audit(response.text)
    names = {attrs.get("name") for _, attrs, _ in found.controls}
    assert {"name", "slug", "description", "visibility"} <= names


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/register", {"username", "display_name", "password"}),
        ("/login", {"username", "password"}),
    ],
)
async def test_account_forms_have_labelled_inputs(
    client: httpx.AsyncClient, path: str, fields: set[str]
) -> None:
    response = await page(client, path)
    found = audit(response.text)
    by_name = {attrs.get("name"): attrs for _, attrs, _ in found.controls}
    assert fields <= set(by_name)
    for name in fields:
        assert by_name[name].get("id") in found.label_for, name
    assert by_name["password"].get("type") == "password"


async def test_account_page_renders_for_member(signed_in: Opener, user: Persona) -> None:
    browser = await signed_in(user)
    response = await page(browser, "/account")
    assert 'value="Alex"' in response.text


async def test_edit_post_page_shows_current_text(
    signed_in: Opener, user: Persona, thread: dict[str, Any]
) -> None:
    browser = await signed_in(user)
    response = await page(browser, f"/posts/{thread['post']['id']}/edit")
    assert "Hello, *everyone*." in response.text


async def test_error_pages_follow_the_same_policy(client: httpx.AsyncClient) -> None:
    await page(client, "/c/no-such-circle", 404)
    await page(client, "/threads/987654", 404)
    await page(client, "/no/such/page", 404)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/static/css/circles.css", "text/css"),
        ("/static/js/circles.js", "javascript"),
        ("/static/js/boundaries.js", "javascript"),
        ("/static/favicon.svg", "image/svg+xml"),
    ],
)
async def test_static_files_are_served(
    client: httpx.AsyncClient, path: str, content_type: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert content_type in response.headers["content-type"]
    assert response.content.strip()
    assert "content-security-policy" in response.headers


async def test_pages_link_the_static_assets(client: httpx.AsyncClient) -> None:
    response = await page(client, "/")
    assert 'href="/static/css/circles.css"' in response.text
    assert audit(response.text).script_srcs == [
        "/static/js/theme.js",
        "/static/js/circles.js",
        "/static/js/times.js",
        "/static/js/boundaries.js",
    ]


# The anonymous page cache


async def test_anonymous_thread_page_is_cached_with_etag(
    client: httpx.AsyncClient, thread: dict[str, Any]
) -> None:
    first = await client.get(f"/threads/{thread['id']}")
    second = await client.get(f"/threads/{thread['id']}")
    assert first.status_code == second.status_code == 200
    etag = first.headers.get("etag")
    assert etag and etag.startswith('"') and etag.endswith('"')
    assert second.headers.get("etag") == etag
    assert first.content == second.content
    assert "set-cookie" not in second.headers


async def test_if_none_match_gets_304(client: httpx.AsyncClient, thread: dict[str, Any]) -> None:
    first = await client.get(f"/threads/{thread['id']}")
    etag = first.headers["etag"]
    again = await client.get(f"/threads/{thread['id']}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    stale = await client.get(f"/threads/{thread['id']}", headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200
    assert stale.content == first.content


async def test_reply_appears_at_once_for_anonymous_readers(
    client: httpx.AsyncClient, user: Persona, thread: dict[str, Any]
) -> None:
    before = await client.get(f"/threads/{thread['id']}")
    await ok(
        await user.api.post(
            f"/api/v1/threads/{thread['id']}/posts", json={"body": "A fresh reply."}
        ),
        201,
    )
    after = await client.get(f"/threads/{thread['id']}")
    assert "A fresh reply." in after.text
    assert after.headers["etag"] != before.headers["etag"]
    revalidated = await client.get(
        f"/threads/{thread['id']}", headers={"If-None-Match": before.headers["etag"]}
    )
    assert revalidated.status_code == 200
    assert "A fresh reply." in revalidated.text


async def test_edits_and_deletes_reach_anonymous_readers_at_once(
    client: httpx.AsyncClient, user: Persona, thread: dict[str, Any]
) -> None:
    url, post_id = f"/threads/{thread['id']}", thread["post"]["id"]
    assert "everyone" in (await client.get(url)).text
    await ok(await user.api.patch(f"/api/v1/posts/{post_id}", json={"body": "Changed words."}))
    assert "Changed words." in (await client.get(url)).text
    await ok(await user.api.delete(f"/api/v1/posts/{post_id}"))
    deleted = await client.get(url)
    assert "Changed words." not in deleted.text
    assert "Removed by its author" in deleted.text


async def test_signed_in_view_is_not_served_from_anonymous_cache(
    client: httpx.AsyncClient, signed_in: Opener, user: Persona, thread: dict[str, Any]
) -> None:
    anonymous = await client.get(f"/threads/{thread['id']}")
    assert "reply-body" not in anonymous.text
    browser = await signed_in(user)
    member = await page(browser, f"/threads/{thread['id']}")
    assert member.content != anonymous.content
    assert 'id="reply-body"' in member.text
    assert 'href="/account">Alex</a>' in member.text
    assert "etag" not in member.headers
    # ...and the member's page does not leak into what anonymous readers get.
    again = await client.get(f"/threads/{thread['id']}")
    assert again.content == anonymous.content
    assert 'href="/account"' not in again.text


async def test_private_thread_pages_are_not_cached_for_anonymous_readers(
    client: httpx.AsyncClient,
    user: Persona,
    private_circle: dict[str, Any],
    make_thread: ThreadFactory,
) -> None:
    made = await make_thread(user, private_circle, title="Private words")
    for _ in range(2):
        response = await client.get(f"/threads/{made['id']}")
        assert response.status_code == 404
        assert "Private words" not in response.text
        assert "etag" not in response.headers
