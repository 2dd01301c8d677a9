"""Fixtures for browser tests: a real `circles serve` and Debian's headless Chromium.

Never a downloaded browser (`playwright install` is not used). Without
/usr/bin/chromium the tests fail in CI and are skipped, loudly, elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import random
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Error, async_playwright

from tests.conftest import IN_CI, PASSWORD, FreshDatabase, fresh_database
from tests.live import LiveServer, circles_server

CHROMIUM = Path(os.environ.get("CIRCLES_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Reports Content-Security-Policy violations to Python. Init scripts and bindings
# are injected by the browser itself, so the page's CSP does not block them.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__circlesCspViolation(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@pytest.fixture(scope="session")
async def live_database(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[FreshDatabase]:
    db = await fresh_database(tmp_path_factory.mktemp("live"))
    yield db
    await db.drop()


@pytest.fixture(scope="session")
def live_server(live_database: FreshDatabase) -> Iterator[LiveServer]:
    with circles_server(live_database.url) as server:
        yield server


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        message = (
            f"BROWSER TESTS NOT RUN: {CHROMIUM} is missing. Install Debian's chromium "
            "(`make browser-deps`); Playwright's downloaded browsers are not used."
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        await browser.close()


@dataclass
class PageProblems:
    """Console errors, uncaught exceptions and CSP violations seen in one context."""

    console_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        return self.console_errors + self.csp_violations


class Browsing:
    """Opens browser contexts on the live server and records what went wrong in them."""

    def __init__(self, browser: Browser, server: LiveServer) -> None:
        self.browser = browser
        self.server = server
        self.problems = PageProblems()
        self.contexts: list[BrowserContext] = []

    async def context(self, **options: object) -> BrowserContext:
        context = await self.browser.new_context(base_url=self.server.base_url, **options)  # type: ignore[arg-type]
        self.contexts.append(context)
        await context.expose_function("__circlesCspViolation", self._on_csp_violation)
        await context.add_init_script(CSP_LISTENER)
        context.on("console", self._on_console)
        context.on("weberror", lambda error: self.problems.console_errors.append(str(error.error)))
        return context

    def _on_csp_violation(self, report: str) -> None:
        self.problems.csp_violations.append(report)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.console_errors.append(f"{message.text} ({message.location})")

    async def close(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Error):  # already gone with the browser
                await context.close()


@pytest.fixture
async def browsing(browser: Browser, live_server: LiveServer) -> AsyncIterator[Browsing]:
    browsing = Browsing(browser, live_server)
    yield browsing
    await browsing.close()
    # pytest shows this only when the test failed: the server's side of the story.
    print("--- server output (last 5000 characters) ---\n" + live_server.output()[-5000:])


@dataclass
class Member:
    username: str
    display_name: str
    token: str


class Seeder:
    """Makes accounts and content over the live server's JSON API (Bearer tokens)."""

    def __init__(self, server: LiveServer) -> None:
        self.http = httpx.Client(base_url=server.base_url, timeout=10)

    def member(self, display_name: str) -> Member:
        username = f"{display_name.lower()}-{uuid.uuid4().hex[:6]}"
        # Display names may not look like another member's, and the server outlives the
        # test: "Alex" becomes "Alex Kqt", letters no lookalike table folds together.
        display_name = f"{display_name} {''.join(random.choices('ACDEFGHJKPQSTXYZ', k=3)).title()}"
        body = {"username": username, "password": PASSWORD, "display_name": display_name}
        response = self.http.post("/api/v1/auth/register", json=body)
        assert response.status_code == 201, response.text
        response = self.http.post(
            "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return Member(username, display_name, response.json()["token"])

    def post(self, member: Member, path: str, body: dict[str, object]) -> dict[str, object]:
        response = self.http.post(
            path, json=body, headers={"Authorization": f"Bearer {member.token}"}
        )
        assert response.status_code in (200, 201), response.text
        data: dict[str, object] = response.json()
        return data


@pytest.fixture
def seeder(live_server: LiveServer) -> Iterator[Seeder]:
    seeder = Seeder(live_server)
    yield seeder
    seeder.http.close()
