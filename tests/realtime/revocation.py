"""Helpers for socket revocation tests: a signed-in browser session and waiting for a close."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.chat.helpers import Live, Member
from tests.conftest import PASSWORD

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
SESSION_REVOKE = re.compile(r"/account/sessions/(\d+)/revoke")
# The promise: every affected socket closes within a second.
WITHIN = 1.0


@dataclass
class Browser:
    """A member signed in with the session cookie, as our own pages are."""

    http: httpx.AsyncClient
    port: int

    async def csrf(self, path: str = "/account") -> str:
        page = await self.http.get(path)
        found = CSRF_INPUT.search(page.text)
        assert found is not None, page.text[:300]
        return found.group(1)

    async def post(self, path: str, **form: str) -> httpx.Response:
        response = await self.http.post(path, data={"csrf_token": await self.csrf(), **form})
        assert response.status_code in (200, 303), response.text[:300]
        return response

    def socket(self, path: str) -> Any:
        cookies = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        headers = {"Cookie": cookies, "Origin": f"http://127.0.0.1:{self.port}"}
        return connect(f"ws://127.0.0.1:{self.port}{path}", additional_headers=headers)


async def sign_in(live: Live, member: Member) -> Browser:
    http = httpx.AsyncClient(base_url=live.server.base_url, timeout=10)
    live.clients.append(http)
    browser = Browser(http, live.server.port)
    token = await browser.csrf("/login")
    form = {"csrf_token": token, "username": member.username, "password": PASSWORD}
    response = await http.post("/login", data=form)
    assert response.status_code == 303, response.text[:300]
    return browser


async def session_ids(browser: Browser) -> list[int]:
    return [int(i) for i in SESSION_REVOKE.findall((await browser.http.get("/account")).text)]


async def closed_with(ws: ClientConnection, since: float) -> tuple[int, str, float]:
    """Read until the server closes the socket: its code, reason and seconds since `since`."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 5.0)
    except ConnectionClosed as exc:
        assert exc.rcvd is not None, "closed without a close frame"
        return exc.rcvd.code, exc.rcvd.reason, time.monotonic() - since


async def assert_closed(ws: ClientConnection, since: float, code: int) -> str:
    got, reason, took = await closed_with(ws, since)
    assert got == code, (got, reason)
    assert took < WITHIN, f"closed after {took:.2f}s"
    assert reason
    return reason
