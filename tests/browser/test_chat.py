"""The chat panel on a circle page, in real browsers against a real server.

Two members in separate browser contexts chat in one room; what moderation holds stays
with its author and moderators' decisions reach every page; crisis language brings
support lines; the page resumes after its connection drops without losing or doubling;
rooms, history pages, phones and keyboards.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import Locator, Page, Route, WebSocketRoute, expect
from websockets.asyncio.client import connect

from tests.browser.conftest import Browsing, Member, Seeder
from tests.browser.test_journey import log_in
from tests.browser.test_moderation import create_moderator
from tests.conftest import PASSWORD, FreshDatabase, fresh_database
from tests.live import LiveServer, circles_server

pytestmark = pytest.mark.browser

ABUSE = "you are a fucking idiot"
PHONE = {"width": 375, "height": 740}
HOURS = "Tuesdays 19:00\N{EN DASH}21:00 (Europe/London)"


# A server and database of this module's own (overriding the session-wide ones): held and
# crisis messages land in the review queue, which other browser tests expect to be empty.
@pytest.fixture(scope="module")
async def live_database(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[FreshDatabase]:
    db = await fresh_database(tmp_path_factory.mktemp("chat-live"))
    yield db
    await db.drop()


@pytest.fixture(scope="module")
def live_server(live_database: FreshDatabase) -> Iterator[LiveServer]:
    with circles_server(live_database.url) as server:
        yield server


def public_circle(seeder: Seeder, owner: Member, *members: Member) -> str:
    """A public circle named like its slug (so its review items can be told apart)."""
    slug = f"chat-{uuid.uuid4().hex[:8]}"
    circle = seeder.post(owner, "/api/v1/circles", {"slug": slug, "name": slug})
    rules = circle["rules"]
    assert isinstance(rules, dict)
    for member in members:
        joined = {"accept_rules_version": rules["version"]}
        seeder.post(member, f"/api/v1/circles/{slug}/join", joined)
    return slug


async def open_chat(browsing: Browsing, member: Member, slug: str, **options: object) -> Page:
    page = await (await browsing.context(**options)).new_page()
    await log_in(page, member)
    await page.goto(f"/c/{slug}")
    return page


def chat_log(page: Page) -> Locator:
    return page.get_by_role("log")


def message(page: Page, text: str) -> Locator:
    return chat_log(page).get_by_role("listitem").filter(has_text=text)


async def say(page: Page, text: str) -> None:
    """Type into the composer and press Enter, as a keyboard user would."""
    await page.get_by_label("Your message").fill(text)
    await page.get_by_label("Your message").press("Enter")


async def both_here(a: Page, b: Page, a_name: str, b_name: str) -> None:
    """Both pages are connected: each sees the other in the presence line."""
    await expect(a.get_by_text(re.compile(f"^Here now: .*{b_name}"))).to_be_visible()
    await expect(b.get_by_text(re.compile(f"^Here now: .*{a_name}"))).to_be_visible()


async def test_two_members_chat_live_and_history_survives_a_reload(
    browsing: Browsing, seeder: Seeder
) -> None:
    alex, blake = seeder.member("Alex"), seeder.member("Blake")
    slug = public_circle(seeder, alex, blake)
    a = await open_chat(browsing, alex, slug)
    b = await open_chat(browsing, blake, slug)
    await both_here(a, b, alex.display_name, blake.display_name)

    await say(a, "Evening all. Rough *day* here.")
    await expect(message(b, "Rough day here")).to_be_visible()
    await expect(message(b, "Rough day here").locator("em")).to_have_text("day")
    await expect(message(a, "Rough day here")).to_contain_text(alex.display_name)
    await expect(a.get_by_label("Your message")).to_have_value("")
    await expect(a.get_by_label("Your message")).to_be_focused()

    await b.get_by_label("Your message").fill("Sorry to hear that.\nWant to talk about it?")
    await b.get_by_role("button", name="Send", exact=True).click()
    await expect(message(a, "Want to talk about it?")).to_contain_text(blake.display_name)
    # Only the newest message from someone else is announced, not the whole log.
    announcer = a.locator("[data-chat=announce]")
    await expect(announcer).to_have_text(re.compile(f"^{blake.display_name}: Sorry to hear"))
    await expect(announcer).not_to_contain_text("Rough day")
    await expect(a.locator(".chat-sending")).to_have_count(0)

    await b.reload()
    items = chat_log(b).get_by_role("listitem")
    await expect(items).to_have_count(2)
    await expect(items.nth(0)).to_contain_text("Rough day here")
    await expect(items.nth(1)).to_contain_text("Want to talk about it?")
    assert browsing.problems.all() == []


async def test_held_message_is_shown_only_to_its_author(browsing: Browsing, seeder: Seeder) -> None:
    alex, blake = seeder.member("Alex"), seeder.member("Blake")
    slug = public_circle(seeder, alex, blake)
    a = await open_chat(browsing, alex, slug)
    b = await open_chat(browsing, blake, slug)
    await both_here(a, b, alex.display_name, blake.display_name)

    await say(a, ABUSE)
    held = message(a, ABUSE)
    await expect(held).to_contain_text("Only you can see this")
    await expect(held).to_contain_text("waiting for a moderator")
    await expect(held).to_contain_text("may read as an insult")
    await say(a, "Sorry, that was not meant for here.")
    # Blake receives the later message, so the held one would have arrived before it.
    await expect(message(b, "not meant for here")).to_be_visible()
    await expect(chat_log(b)).not_to_contain_text("idiot")

    await b.reload()
    await expect(message(b, "not meant for here")).to_be_visible()
    await expect(chat_log(b)).not_to_contain_text("idiot")
    assert browsing.problems.all() == []


def signed_in_moderator(seeder: Seeder, database: FreshDatabase) -> Member:
    moderator = create_moderator(database)
    body = {"username": moderator.username, "password": PASSWORD}
    response = seeder.http.post("/api/v1/auth/token", json=body)
    assert response.status_code == 200, response.text
    return Member(moderator.username, moderator.display_name, response.json()["token"])


def queue_item(seeder: Seeder, moderator: Member, slug: str, content_id: int | None) -> int:
    """The open review item for a chat message of this circle (the only one when no id)."""
    headers = {"Authorization": f"Bearer {moderator.token}"}
    items = seeder.http.get("/api/v1/moderation/queue", headers=headers).json()["items"]
    found = [
        item["id"]
        for item in items
        if item["circle"] == slug
        and item["content_type"] == "chat_message"
        and content_id in (None, item["content_id"])
    ]
    assert len(found) == 1, items
    item_id: int = found[0]
    return item_id


def message_id(seeder: Seeder, slug: str, text: str) -> int:
    rooms = seeder.http.get(f"/api/v1/circles/{slug}/rooms").json()["rooms"]
    history = seeder.http.get(f"/api/v1/rooms/{rooms[0]['id']}/messages").json()
    ids = [m["id"] for m in history["messages"] if text in m["body_html"]]
    assert len(ids) == 1, history
    found: int = ids[0]
    return found


async def test_moderator_decisions_reach_the_open_pages(
    browsing: Browsing, seeder: Seeder, live_database: FreshDatabase
) -> None:
    alex, blake = seeder.member("Alex"), seeder.member("Blake")
    slug = public_circle(seeder, alex, blake)
    a = await open_chat(browsing, alex, slug)
    b = await open_chat(browsing, blake, slug)
    await both_here(a, b, alex.display_name, blake.display_name)
    moderator = signed_in_moderator(seeder, live_database)

    await say(a, ABUSE)
    await expect(message(a, ABUSE)).to_contain_text("Only you can see this")
    item = queue_item(seeder, moderator, slug, None)
    seeder.post(moderator, f"/api/v1/moderation/items/{item}/decision", {"action": "approve"})
    await expect(message(b, ABUSE)).to_contain_text(alex.display_name)
    await expect(message(a, ABUSE)).not_to_contain_text("Only you can see this")
    await expect(message(a, ABUSE)).to_contain_text(alex.display_name)

    await say(b, "Cheap pills, message me")
    await expect(message(a, "Cheap pills")).to_be_visible()
    spam = message_id(seeder, slug, "Cheap pills")
    report = {"content_type": "chat_message", "content_id": spam, "reason": "spam"}
    seeder.post(alex, "/api/v1/reports", report)
    rules = seeder.http.get(f"/api/v1/circles/{slug}").json()["rules"]["items"]
    decision = {"action": "remove", "rule_id": rules[0]["id"]}
    item = queue_item(seeder, moderator, slug, spam)
    seeder.post(moderator, f"/api/v1/moderation/items/{item}/decision", decision)
    for page in (a, b):
        await expect(chat_log(page)).not_to_contain_text("Cheap pills")
        removed = chat_log(page).get_by_role("listitem").filter(has_text="removed by a moderator")
        await expect(removed).to_contain_text(blake.display_name)
    assert browsing.problems.all() == []


async def test_crisis_language_brings_the_author_support_lines(
    browsing: Browsing, seeder: Seeder
) -> None:
    alex = seeder.member("Alex")
    slug = public_circle(seeder, alex)
    page = await open_chat(browsing, alex, slug)
    await expect(page.get_by_text(re.compile("^Here now:"))).to_be_visible()

    await say(page, "I'm going to kill myself tomorrow")
    support = page.get_by_role("region", name="You are not alone")
    await expect(support).to_be_visible()
    await expect(support.get_by_role("listitem").first).to_be_visible()
    await expect(support.get_by_role("link", name="More support lines")).to_have_attribute(
        "href", "/support"
    )
    await expect(message(page, "kill myself")).to_contain_text("Only you can see this")
    assert browsing.problems.all() == []


class FlakyLink:
    """Routes a page's chat websockets through the test, which can drop them, refuse
    new ones, and lose the server's echo of one message (as a dying connection would)."""

    def __init__(self) -> None:
        self.connections: list[WebSocketRoute] = []
        self.refusing = False
        self.lose_echo_of: str | None = None

    async def route(self, ws: WebSocketRoute) -> None:
        self.connections.append(ws)
        if self.refusing:
            await ws.close(code=1013, reason="try again later")
            return
        server = ws.connect_to_server()
        server.on_message(lambda frame: self._to_page(ws, frame))

    def _to_page(self, ws: WebSocketRoute, frame: str | bytes) -> None:
        lost = self.lose_echo_of
        if lost and isinstance(frame, str) and '"type":"message"' in frame and lost in frame:
            return
        ws.send(frame)

    async def wait_for_retry(self, page: Page, count: int) -> None:
        for _ in range(100):
            if len(self.connections) >= count:
                return
            await page.wait_for_timeout(100)
        pytest.fail("the page never tried to reconnect")


async def test_chat_resumes_after_the_connection_drops_without_losing_or_doubling(
    browsing: Browsing, seeder: Seeder
) -> None:
    alex, blake = seeder.member("Alex"), seeder.member("Blake")
    slug = public_circle(seeder, alex, blake)
    link = FlakyLink()
    a_context = await browsing.context()
    await a_context.route_web_socket(re.compile(r"/ws/rooms/\d+"), link.route)
    a = await a_context.new_page()
    await log_in(a, alex)
    await a.goto(f"/c/{slug}")
    b = await open_chat(browsing, blake, slug)
    await both_here(a, b, alex.display_name, blake.display_name)
    await say(b, "first")
    await expect(message(a, "first")).to_be_visible()

    # Stored by the server, but the echo never reaches Alex: it must stay pending.
    link.lose_echo_of = "acked late"
    await say(a, "acked late")
    await expect(message(b, "acked late")).to_be_visible()
    await expect(message(a, "acked late")).to_contain_text("sending…")

    link.refusing = True
    await link.connections[0].close(code=1012, reason="restarting")
    await expect(a.get_by_text("Reconnecting…")).to_be_visible()
    await say(b, "while you were away")
    await expect(message(b, "while you were away")).to_be_visible()
    await say(a, "typed while offline")
    await expect(message(a, "typed while offline")).to_contain_text("sending…")
    await link.wait_for_retry(a, 2)  # refused: still offline

    link.refusing, link.lose_echo_of = False, None
    await expect(message(a, "while you were away")).to_be_visible(timeout=15_000)
    await expect(message(b, "typed while offline")).to_be_visible()
    await expect(a.get_by_text("Reconnecting…")).to_be_hidden()
    # Every retry resumes after the last message the page had seen.
    urls = [c.url for c in link.connections]
    assert all(url.endswith("?after=1") for url in urls[1:]), urls
    await expect(a.locator(".chat-sending")).to_have_count(0)
    expected = ["first", "acked late", "while you were away", "typed while offline"]
    for page in (a, b):
        items = chat_log(page).get_by_role("listitem")
        await expect(items).to_have_count(len(expected))
        for item, text in zip(await items.all(), expected, strict=True):
            await expect(item).to_contain_text(text)
    assert browsing.problems.all() == []


async def test_a_refused_message_says_why_next_to_the_composer(
    browsing: Browsing, seeder: Seeder
) -> None:
    alex = seeder.member("Alex")
    slug = public_circle(seeder, alex)
    page = await open_chat(browsing, alex, slug)
    await expect(page.get_by_text(re.compile("^Here now:"))).to_be_visible()
    composer = page.get_by_label("Your message")
    # Past the textarea's maxlength, as a pasted script or an old page could send it.
    await composer.evaluate("(box, text) => { box.value = text; }", "x" * 2001)
    await composer.press("Enter")
    await expect(page.get_by_role("alert")).to_contain_text("at most 2,000 characters")
    refused = message(page, "xxxx")
    await expect(refused).to_contain_text("Not sent")
    await expect(refused.get_by_role("button", name="Try again")).to_be_visible()

    await say(page, "A shorter one.")
    await expect(message(page, "A shorter one.")).not_to_contain_text("sending…")
    await expect(page.get_by_role("alert")).to_be_empty()
    assert browsing.problems.all() == []


async def test_room_switcher_shows_opening_hours_and_keeps_rooms_apart(
    browsing: Browsing, seeder: Seeder
) -> None:
    alex = seeder.member("Alex")
    slug, other_slug = public_circle(seeder, alex), public_circle(seeder, alex)
    drop_in = seeder.http.get(f"/api/v1/circles/{slug}/rooms").json()["rooms"][0]
    evening = seeder.http.get(f"/api/v1/circles/{other_slug}/rooms").json()["rooms"][0]
    # Until owners can add rooms, a second circle's room stands in for a scheduled one.
    evening.update(
        name="Tuesday evening circle",
        description="A gentle check-in.",
        hours=HOURS,
        open_now=False,
    )
    context = await browsing.context()

    async def two_rooms(route: Route) -> None:
        await route.fulfill(json={"rooms": [drop_in, evening]})

    await context.route(f"**/api/v1/circles/{slug}/rooms", two_rooms)
    page = await context.new_page()
    await log_in(page, alex)
    await page.goto(f"/c/{slug}")
    await expect(page.get_by_text(re.compile("^Here now:"))).to_be_visible()
    await say(page, "Hello drop-in")
    await expect(message(page, "Hello drop-in")).not_to_contain_text("sending…")

    evening_button = page.get_by_role("button", name="Tuesday evening circle")
    await evening_button.focus()
    await page.keyboard.press("Enter")
    await expect(evening_button).to_have_attribute("aria-pressed", "true")
    await expect(page.get_by_text(f"{HOURS} · closed now")).to_be_visible()
    await expect(page.get_by_text("No messages yet.")).to_be_visible()
    await say(page, "Hello evening")
    await expect(message(page, "Hello evening")).not_to_contain_text("sending…")

    await page.get_by_role("button", name="Drop-in").click()
    await expect(message(page, "Hello drop-in")).to_be_visible()
    await expect(chat_log(page)).not_to_contain_text("Hello evening")
    await evening_button.click()
    await expect(message(page, "Hello evening")).to_be_visible()
    await expect(chat_log(page)).not_to_contain_text("Hello drop-in")
    assert browsing.problems.all() == []


async def test_chat_panel_fits_a_phone_and_works_by_keyboard(
    browsing: Browsing, seeder: Seeder
) -> None:
    alex = seeder.member("Alex")
    slug = public_circle(seeder, alex)
    page = await open_chat(browsing, alex, slug, viewport=PHONE)
    await expect(page.get_by_text(re.compile("^Here now:"))).to_be_visible()
    composer = page.get_by_label("Your message")
    await composer.focus()
    long_word = "Unbrokenwordthatkeepsgoing" * 8
    await page.keyboard.type("Line one")
    await page.keyboard.press("Shift+Enter")
    await page.keyboard.type(long_word)
    await expect(composer).to_have_value(f"Line one\n{long_word}")
    await page.keyboard.press("Enter")
    sent = message(page, long_word)
    await expect(sent).to_be_visible()
    await expect(sent).not_to_contain_text("sending…")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Send", exact=True)).to_be_focused()
    scroll_width = await page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"page is {scroll_width}px wide on a 375px screen"
    assert browsing.problems.all() == []


async def test_visitors_read_public_chat_history_and_are_asked_to_log_in(
    browsing: Browsing, seeder: Seeder
) -> None:
    alex, blake = seeder.member("Alex"), seeder.member("Blake")
    slug = public_circle(seeder, alex)
    a = await open_chat(browsing, alex, slug)
    await say(a, "Anyone is welcome to read along.")
    await expect(message(a, "welcome to read along")).not_to_contain_text("sending…")

    visitor = await (await browsing.context()).new_page()
    await visitor.goto(f"/c/{slug}")
    await expect(message(visitor, "welcome to read along")).to_be_visible()
    await expect(visitor.get_by_role("link", name="Log in to chat")).to_be_visible()
    await expect(visitor.get_by_label("Your message")).to_have_count(0)

    outsider = await open_chat(browsing, blake, slug)
    await expect(message(outsider, "welcome to read along")).to_be_visible()
    await expect(outsider.get_by_text("Join this circle to chat")).to_be_visible()
    await expect(outsider.get_by_label("Your message")).to_have_count(0)
    assert browsing.problems.all() == []


async def test_invitee_reads_private_history_and_chats_once_they_accept_the_rules(
    browsing: Browsing, seeder: Seeder
) -> None:
    alex, blake = seeder.member("Alex"), seeder.member("Blake")
    slug = f"chat-{uuid.uuid4().hex[:8]}"
    seeder.post(alex, "/api/v1/circles", {"slug": slug, "name": slug, "visibility": "private"})
    seeder.post(alex, f"/api/v1/circles/{slug}/members", {"username": blake.username})
    a = await open_chat(browsing, alex, slug)
    await say(a, "Welcome, whenever you are ready.")
    await expect(message(a, "whenever you are ready")).not_to_contain_text("sending…")

    # Not yet admitted to the live room: the page must not even try (a refused
    # handshake would show up as a console error).
    b = await open_chat(browsing, blake, slug)
    await expect(message(b, "whenever you are ready")).to_be_visible()
    await expect(b.get_by_text("read and accept this circle's ground rules")).to_be_visible()
    await expect(b.get_by_label("Your message")).to_have_count(0)

    await b.get_by_role("button", name="Accept the new rules").click()
    await say(b, "Thank you for having me.")
    # Stored first (Blake's socket opens after the acceptance), then delivered to Alex.
    await expect(message(b, "Thank you for having me.")).not_to_contain_text("sending…")
    await expect(message(a, "Thank you for having me.")).to_contain_text(blake.display_name)
    assert browsing.problems.all() == []


async def test_load_earlier_messages_pages_back_through_history(
    browsing: Browsing, seeder: Seeder, live_server: LiveServer, live_database: FreshDatabase
) -> None:
    alex = seeder.member("Alex")
    slug = public_circle(seeder, alex)
    # Staff are not rate limited, so a moderator can fill more than a page quickly.
    host = signed_in_moderator(seeder, live_database)
    rules = seeder.http.get(f"/api/v1/circles/{slug}").json()["rules"]
    seeder.post(host, f"/api/v1/circles/{slug}/join", {"accept_rules_version": rules["version"]})
    room = seeder.http.get(f"/api/v1/circles/{slug}/rooms").json()["rooms"][0]
    url = f"ws://127.0.0.1:{live_server.port}/ws/rooms/{room['id']}"
    headers = {"Authorization": f"Bearer {host.token}"}
    async with connect(url, additional_headers=headers) as ws:
        for n in range(1, 56):
            note = {"type": "send", "client_msg_id": f"m{n}", "body": f"Note {n}."}
            await ws.send(json.dumps(note))
        while (event := json.loads(await ws.recv())).get("client_msg_id") != "m55":
            assert event["type"] in ("message", "presence"), event

    page = await open_chat(browsing, alex, slug)
    items = chat_log(page).get_by_role("listitem")
    await expect(items).to_have_count(50)
    await expect(items.first).to_contain_text("Note 6.")
    await expect(items.last).to_contain_text("Note 55.")
    await page.get_by_role("button", name="Load earlier messages").click()
    await expect(items).to_have_count(55)
    await expect(items.first).to_contain_text("Note 1.")
    await expect(items.nth(5)).to_contain_text("Note 6.")
    await expect(page.get_by_role("button", name="Load earlier messages")).to_be_hidden()
    await expect(chat_log(page)).to_be_focused()
    assert browsing.problems.all() == []
