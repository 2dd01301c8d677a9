"""The chat panel through a database outage, in a real browser against a real server.

The server's side of an outage (status events, refused sends, the gap fill) is tested
with a real PostgreSQL stopped and started in tests/realtime/test_database_outage.py;
here the page's websocket runs through the test, which speaks those same events to the
page, so what the page does with them can be seen: it says "Reconnecting…", keeps a
message the database could not take, and sends it once live, on the same socket.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.async_api import WebSocketRoute, expect

from tests.browser.conftest import Browsing, Seeder
from tests.browser.test_chat import both_here, message, open_chat, public_circle, say
from tests.browser.test_journey import log_in

pytestmark = pytest.mark.browser

UNAVAILABLE = "The forum can't reach its database for a moment. Please try again shortly."


class OutageLink:
    """Routes the page's chat socket through the test; while `down`, sends are answered
    as the server answers them when the database is away, and not passed on."""

    def __init__(self) -> None:
        self.connections: list[WebSocketRoute] = []
        self.down = False

    async def route(self, ws: WebSocketRoute) -> None:
        self.connections.append(ws)
        server = ws.connect_to_server()
        ws.on_message(lambda frame: self._from_page(ws, server, frame))

    def _from_page(self, ws: WebSocketRoute, server: WebSocketRoute, frame: str | bytes) -> None:
        data = json.loads(frame) if isinstance(frame, str) else {}
        if self.down and data.get("type") == "send":
            refused = {
                "type": "error",
                "code": "database_unavailable",
                "message": UNAVAILABLE,
                "client_msg_id": data["client_msg_id"],
                "retry_after": 60,  # longer than the test: only "live" may resend it
            }
            ws.send(json.dumps(refused))
            return
        server.send(frame)

    def tell_page(self, event: dict[str, str]) -> None:
        self.connections[-1].send(json.dumps(event))


async def test_chat_says_reconnecting_and_sends_what_waited_once_live(
    browsing: Browsing, seeder: Seeder
) -> None:
    alex, blake = seeder.member("Alex"), seeder.member("Blake")
    slug = public_circle(seeder, alex, blake)
    link = OutageLink()
    context = await browsing.context()
    await context.route_web_socket(re.compile(r"/ws/rooms/\d+"), link.route)
    a = await context.new_page()
    await log_in(a, alex)
    await a.goto(f"/c/{slug}")
    b = await open_chat(browsing, blake, slug)
    await both_here(a, b, alex.display_name, blake.display_name)

    link.down = True
    link.tell_page({"type": "status", "state": "reconnecting", "message": "Reconnecting."})
    await expect(a.get_by_text("Reconnecting…")).to_be_visible()
    await say(a, "sent while the database was away")
    waiting = message(a, "sent while the database was away")
    await expect(waiting).to_contain_text("waiting to send")
    await expect(a.get_by_text("can't reach its database")).to_be_visible()

    link.down = False
    link.tell_page({"type": "status", "state": "live"})
    await expect(a.get_by_text("Reconnecting…")).to_be_hidden()
    await expect(message(b, "sent while the database was away")).to_be_visible()
    await expect(a.locator(".chat-sending")).to_have_count(0)
    await expect(a.get_by_text("can't reach its database")).to_be_hidden()
    assert len(link.connections) == 1  # the socket stayed open throughout
    assert browsing.problems.all() == []
