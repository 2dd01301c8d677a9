"""A real browser: a member who forgot their password gets back in with the mailed link."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import uuid
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Browsing, Seeder
from tests.live import circles_env

pytestmark = pytest.mark.browser

# Where the live server (no SMTP host) writes its mail; see tests/live.py.
OUTBOX = Path(circles_env("")["CIRCLES_MAIL_OUTBOX"])
NEW_PASSWORD = "the river keeps moving"


async def mailed_path(to: str, path: str) -> str:
    """The `path?token=...` of the newest link to `path` mailed to `to` (sent in the
    background, so it may take a moment to arrive)."""
    for _ in range(100):
        for eml in sorted(OUTBOX.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
            message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
            if message["To"] != to:
                continue
            text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
            if found := re.search(re.escape(path) + r"\?token=[A-Za-z0-9_-]+", text):
                return found[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no mail to {to} with a link to {path}")


async def test_forgotten_password_is_reset_with_the_mailed_link(
    browsing: Browsing, seeder: Seeder
) -> None:
    member = seeder.member("Robin")
    address = f"robin-{uuid.uuid4().hex[:8]}@example.org"
    auth = {"Authorization": f"Bearer {member.token}"}
    added = seeder.http.put("/api/v1/me/email", json={"email": address}, headers=auth)
    assert added.status_code == 202, added.text
    token = (await mailed_path(address, "/account/email/verify")).split("=", 1)[1]
    verified = seeder.http.post("/api/v1/me/email/verify", json={"token": token}, headers=auth)
    assert verified.status_code == 200, verified.text

    page = await (await browsing.context()).new_page()
    await page.goto("/login")
    await page.get_by_role("link", name="Forgot your password?").click()
    await page.get_by_label("Your username or e-mail address").fill(member.username)
    await page.get_by_role("button", name="Send me a link").click()
    await expect(page.get_by_role("status")).to_contain_text("is on its way")

    await page.goto(await mailed_path(address, "/reset-password"))
    await page.get_by_label("New password").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Set my new password").click()
    await expect(page.get_by_role("status")).to_contain_text("Your new password is set")

    await page.get_by_role("link", name="Log in with it").click()
    await page.get_by_label("Username").fill(member.username)
    await page.get_by_label("Password").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("link", name=member.display_name, exact=True)).to_be_visible()
    assert browsing.problems.all() == []
