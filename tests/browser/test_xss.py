"""Hostile input through every field a member fills, rendered in Chromium: no script runs.

The corpus (xss_vectors.txt) goes through posts, thread titles, circle names, ground
rules, display names, chat and the content-warning field of the new-thread form, then the
pages that show them are opened twice: with the Content-Security-Policy, and with the
browser told to ignore it, so the escaping and sanitising are tested on their own.
A vector "runs" if it calls alert/confirm/prompt/print (replaced by a recorder in every
frame), opens a dialog, or leaves an event-handler attribute, a script, a frame or a
script URL in the page.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Dialog, Page
from websockets.asyncio.client import connect

from tests.browser.conftest import Browsing, Member, Seeder
from tests.browser.test_journey import log_in
from tests.browser.test_moderation import create_moderator
from tests.conftest import FreshDatabase, fresh_database
from tests.live import LiveServer, circles_server

pytestmark = pytest.mark.browser

VECTORS = [
    line
    for line in Path(__file__).with_name("xss_vectors.txt").read_text().splitlines()
    if line.strip() and not line.startswith("# ")
]
# Rules per circle are capped at 20; one circle per chunk keeps every page short.
CHUNK = 20
WAIT = 10.0

# Runs in every frame before the page's own scripts.
TRAP = """
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => window.__circlesXss(`${name}(${args.join(",")}) on ${location}`);
}
"""

# What the page holds that could run script later (a hover, a click, a focus).
AUDIT = """
() => {
  const found = [];
  const urlAttributes = new Set(["href", "src", "action", "formaction", "data", "xlink:href",
                                 "background", "poster", "srcdoc", "srcset"]);
  for (const el of document.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    if (["iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal",
         "math", "template", "noscript", "style", "link", "meta"].includes(tag)
        && !el.closest("head")) {
      found.push(`<${tag}> in the body`);
    }
    if (tag === "script" && !(el.getAttribute("src") || "").startsWith("/static/")) {
      found.push(`script ${el.outerHTML.slice(0, 80)}`);
    }
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, "").toLowerCase();
      if (name.startsWith("on")) found.push(`${tag} ${name}=${attr.value.slice(0, 40)}`);
      if (urlAttributes.has(name) && /^(javascript|vbscript|data):/.test(value)) {
        found.push(`${tag} ${name}=${attr.value.slice(0, 40)}`);
      }
      if (name === "style" && /(expression|javascript:|url\\()/.test(value)) {
        found.push(`${tag} style=${attr.value.slice(0, 40)}`);
      }
    }
  }
  return found;
}
"""


@pytest.fixture(scope="module")
async def live_database(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[FreshDatabase]:
    db = await fresh_database(tmp_path_factory.mktemp("xss-live"))
    yield db
    await db.drop()


@pytest.fixture(scope="module")
def live_server(live_database: FreshDatabase) -> Iterator[LiveServer]:
    # One member sends the whole corpus: the write limits would stop them long before.
    unlimited = {
        "CIRCLES_POST_RATE_BURST": "100000",
        "CIRCLES_CHAT_RATE_BURST": "100000",
    }
    with circles_server(live_database.url, **unlimited) as server:
        yield server


@dataclass
class Seeded:
    """Where the corpus went, and how much of it each field took."""

    owner: Member
    moderator: Member
    slugs: list[str] = field(default_factory=list)
    post_threads: list[int] = field(default_factory=list)
    title_threads: list[int] = field(default_factory=list)
    accepted: dict[str, int] = field(default_factory=dict)

    def took(self, what: str) -> None:
        self.accepted[what] = self.accepted.get(what, 0) + 1


def _api(seeder: Seeder, member: Member, method: str, path: str, body: object) -> object:
    response = seeder.http.request(
        method, path, json=body, headers={"Authorization": f"Bearer {member.token}"}
    )
    # Refusing a vector is a fine outcome; failing on one is not.
    assert response.status_code < 500, f"{method} {path} {body!r}: {response.text}"
    return response.json() if response.status_code in (200, 201) else None


def _circle(seeder: Seeder, seeded: Seeded, chunk: list[str]) -> str:
    slug = f"xss-{uuid.uuid4().hex[:8]}"
    made = _api(seeder, seeded.owner, "POST", "/api/v1/circles", {"slug": slug, "name": chunk[0]})
    if made is None:
        seeder.post(seeded.owner, "/api/v1/circles", {"slug": slug, "name": slug})
    else:
        seeded.took("circle name")
    seeded.slugs.append(slug)
    items = [{"title": f"{n}. {vector}"[:200], "text": vector} for n, vector in enumerate(chunk)]
    if _api(seeder, seeded.owner, "PUT", f"/api/v1/circles/{slug}/rules", {"items": items}):
        seeded.accepted["rule"] = seeded.accepted.get("rule", 0) + len(items)
    return slug


def _threads(seeder: Seeder, seeded: Seeded, slug: str, chunk: list[str]) -> None:
    owner = seeded.owner
    thread = seeder.post(
        owner, f"/api/v1/circles/{slug}/threads", {"title": "Corpus", "body": "Replies below."}
    )
    seeded.post_threads.append(int(str(thread["id"])))
    for vector in chunk:
        if _api(seeder, owner, "POST", f"/api/v1/threads/{thread['id']}/posts", {"body": vector}):
            seeded.took("post")
        made = _api(
            seeder,
            owner,
            "POST",
            f"/api/v1/circles/{slug}/threads",
            {"title": vector, "body": "Title test."},
        )
        if made is not None:
            seeded.took("thread title")
            seeded.title_threads.append(int(str(made["id"])))  # type: ignore[index]


def _display_names(seeder: Seeder, seeded: Seeded, slug: str, chunk: list[str]) -> list[Member]:
    members = []
    for vector in chunk:
        username = f"x{uuid.uuid4().hex[:10]}"
        body = {"username": username, "password": "correct horse battery", "display_name": vector}
        response = seeder.http.post("/api/v1/auth/register", json=body)
        assert response.status_code < 500, response.text
        if response.status_code != 201:
            continue
        seeded.took("display name")
        token = seeder.http.post(
            "/api/v1/auth/token", json={"username": username, "password": body["password"]}
        ).json()["token"]
        member = Member(username, vector, token)
        rules = seeder.http.get(f"/api/v1/circles/{slug}/rules").json()
        _api(
            seeder,
            member,
            "POST",
            f"/api/v1/circles/{slug}/join",
            {"accept_rules_version": rules["version"]},
        )
        _api(
            seeder,
            member,
            "POST",
            f"/api/v1/threads/{seeded.post_threads[-1]}/posts",
            {"body": "hello"},
        )
        members.append(member)
    return members


async def _chat(
    server: LiveServer, seeder: Seeder, member: Member, slug: str, lines: list[str]
) -> int:
    rooms = seeder.http.get(f"/api/v1/circles/{slug}/rooms").json()["rooms"]
    url = f"ws://127.0.0.1:{server.port}/ws/rooms/{rooms[0]['id']}"
    answered = 0
    async with connect(url, additional_headers={"Authorization": f"Bearer {member.token}"}) as ws:
        ids = {f"x{n}" for n in range(len(lines))}
        for n, line in enumerate(lines):
            await ws.send(json.dumps({"type": "send", "client_msg_id": f"x{n}", "body": line}))
        while ids:
            event = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
            if event.get("client_msg_id") in ids:
                ids.discard(event["client_msg_id"])
                answered += event["type"] == "message"
    return answered


@pytest.fixture(scope="module")
async def seeded(live_server: LiveServer, live_database: FreshDatabase) -> Seeded:
    seeder = Seeder(live_server)
    try:
        owner = seeder.member("Owner")
        result = Seeded(owner, create_moderator(live_database))
        for start in range(0, len(VECTORS), CHUNK):
            chunk = VECTORS[start : start + CHUNK]
            slug = _circle(seeder, result, chunk)
            _threads(seeder, result, slug, chunk)
            for _ in range(await _chat(live_server, seeder, owner, slug, chunk)):
                result.took("chat")
            # Names are short and each costs an account: a third of the chunk is plenty.
            names = [v for v in chunk if len(v) <= 48][:7]
            for member in _display_names(seeder, result, slug, names):
                if await _chat(live_server, seeder, member, slug, ["hello from me"]):
                    result.took("display name in chat")
        return result
    finally:
        seeder.http.close()


@dataclass
class Watch:
    """Everything a page did that it should not have."""

    ran: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    dismissing: list[asyncio.Future[None]] = field(default_factory=list)

    def call(self, what: str) -> None:
        self.ran.append(what)

    def dialog(self, dialog: Dialog) -> None:
        self.ran.append(f"dialog {dialog.type}: {dialog.message}")
        self.dismissing.append(asyncio.ensure_future(dialog.dismiss()))


async def _watched_page(browsing: Browsing, member: Member, watch: Watch, *, csp: bool) -> Page:
    context = await browsing.context(bypass_csp=not csp)
    await context.expose_function("__circlesXss", watch.call)
    await context.add_init_script(TRAP)
    page = await context.new_page()
    page.on("dialog", watch.dialog)
    await log_in(page, member)
    return page


async def _visit(page: Page, watch: Watch, path: str, *, chat: bool = False) -> None:
    response = await page.goto(path)
    assert response is not None and response.status == 200, path
    if chat:
        # History arrives over the socket and is drawn by chat.js: wait for it.
        await page.wait_for_selector("[role=log] li", timeout=WAIT * 1000)
    # Focus and hover everything focusable, as a reader tabbing through would.
    await page.keyboard.press("Tab")
    await page.mouse.move(200, 300)
    watch.left += [f"{path}: {found}" for found in await page.evaluate(AUDIT)]


def test_the_corpus_is_large_and_reaches_every_field(seeded: Seeded) -> None:
    assert len(VECTORS) >= 150
    # Each field took most of the corpus (some is refused as too long or not a name).
    assert seeded.accepted["post"] >= 150, seeded.accepted
    assert seeded.accepted["thread title"] >= 150, seeded.accepted
    assert seeded.accepted["chat"] >= 150, seeded.accepted
    assert seeded.accepted["rule"] >= 150, seeded.accepted
    assert seeded.accepted["display name"] >= 50, seeded.accepted
    assert seeded.accepted["display name in chat"] >= 50, seeded.accepted
    assert seeded.accepted.get("circle name", 0) >= 5, seeded.accepted


@pytest.mark.parametrize("csp", [True, False], ids=["with-csp", "without-csp"])
async def test_no_vector_runs_on_the_pages_that_show_them(
    browsing: Browsing, seeded: Seeded, csp: bool
) -> None:
    watch = Watch()
    page = await _watched_page(browsing, seeded.owner, watch, csp=csp)
    await _visit(page, watch, "/")
    for slug in seeded.slugs:
        await _visit(page, watch, f"/c/{slug}", chat=True)
        await _visit(page, watch, f"/c/{slug}/rules")
    for thread_id in seeded.post_threads:
        await _visit(page, watch, f"/threads/{thread_id}")
    moderator = await _watched_page(browsing, seeded.moderator, watch, csp=csp)
    await _visit(moderator, watch, "/moderation")
    await _visit(moderator, watch, "/moderation/log")
    assert watch.ran == []
    assert watch.left == []
    # The CSP was not what stopped them when it was off.
    assert csp or browsing.problems.csp_violations == []


async def test_no_thread_title_runs_on_its_own_page(browsing: Browsing, seeded: Seeded) -> None:
    # The title sits in <title> and <h1>: a parser context of its own. Without the CSP.
    watch = Watch()
    page = await _watched_page(browsing, seeded.owner, watch, csp=False)
    for thread_id in seeded.title_threads:
        await _visit(page, watch, f"/threads/{thread_id}")
    assert watch.ran == []
    assert watch.left == []


async def test_no_content_warning_runs_when_the_form_says_it_is_unknown(
    browsing: Browsing, seeded: Seeded
) -> None:
    # The page names the unknown warning back to its author. Without the CSP.
    watch = Watch()
    page = await _watched_page(browsing, seeded.owner, watch, csp=False)
    slug = seeded.slugs[0]
    answered = 0
    # One vector in three: each costs two page loads, and the echo is cut to 40 characters.
    for vector in VECTORS[::3]:
        await page.goto(f"/c/{slug}/new")
        await page.locator("#title").fill("Warnings")
        await page.locator("#body").fill("Testing a warning.")
        await page.evaluate(
            """(value) => {
                const box = document.createElement("input");
                box.type = "checkbox"; box.name = "content_warnings"; box.value = value;
                box.checked = true;
                document.querySelector("form[action$='/new']").append(box);
            }""",
            vector,
        )
        async with page.expect_navigation():
            await page.locator("form[action$='/new'] button[type=submit]").click()
        if "one of the content warnings" in await page.content():
            answered += 1
        watch.left += [f"warning {vector!r}: {found}" for found in await page.evaluate(AUDIT)]
    assert answered >= len(VECTORS[::3]) - 5
    assert watch.ran == []
    assert watch.left == []
