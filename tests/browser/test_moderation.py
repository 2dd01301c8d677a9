"""A moderator approves a held post in a real browser, and everyone then sees it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Browsing, Member, Seeder
from tests.conftest import PASSWORD, FreshDatabase

pytestmark = pytest.mark.browser

CIRCLES = str(Path(sys.executable).with_name("circles"))


def create_moderator(database: FreshDatabase) -> Member:
    username = f"mod-{uuid.uuid4().hex[:6]}"
    name = f"Robin {username[-6:]}"  # display names may not look like another member's
    env = {**os.environ, "CIRCLES_DATABASE_URL": database.url, "CIRCLES_ENV": "development"}
    result = subprocess.run(
        [
            CIRCLES,
            "create-user",
            username,
            "--role",
            "moderator",
            "--password",
            PASSWORD,
            "--display-name",
            name,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return Member(username, name, token="")


async def test_moderator_reveals_and_approves_a_held_reply(
    browsing: Browsing, seeder: Seeder, live_database: FreshDatabase
) -> None:
    owner, member = seeder.member("Sam"), seeder.member("Lee")
    slug = f"night-owls-{uuid.uuid4().hex[:6]}"
    # A name of its own: other tests' circles (the journey's "Night owls ...") share the queue.
    name = f"Night owls {slug[-6:]}"
    circle = seeder.post(owner, "/api/v1/circles", {"slug": slug, "name": name})
    rules = circle["rules"]
    assert isinstance(rules, dict)
    seeder.post(member, f"/api/v1/circles/{slug}/join", {"accept_rules_version": rules["version"]})
    thread = seeder.post(
        owner,
        f"/api/v1/circles/{slug}/threads",
        {"title": "Can't sleep again", "body": "Anyone else up?"},
    )
    held = seeder.post(
        member, f"/api/v1/threads/{thread['id']}/posts", {"body": "you are a fucking idiot"}
    )
    assert held["status"] == "pending"
    public = seeder.http.get(f"/api/v1/threads/{thread['id']}").json()
    assert held["id"] not in [p["id"] for p in public["posts"]]

    moderator = create_moderator(live_database)
    page = await (await browsing.context()).new_page()
    await page.goto("/login")
    await page.get_by_label("Username").fill(moderator.username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.get_by_role("link", name="Review queue").click()

    item = page.get_by_role("listitem").filter(has_text=name)
    reasons = item.locator("details.sensitive")
    # Sensitive material stays covered until the moderator chooses to look.
    await expect(reasons.get_by_text("may read as an insult")).to_be_hidden()
    await reasons.locator("summary").click()
    await expect(reasons.get_by_text("may read as an insult")).to_be_visible()

    await item.get_by_role("link", name="Open item").click()
    post = page.locator("details.sensitive").first
    await expect(post.get_by_text("you are a fucking idiot")).to_be_hidden()
    await post.locator("summary").click()
    await expect(post.get_by_text("you are a fucking idiot")).to_be_visible()
    await page.get_by_role("button", name="Claim this item").click()
    await expect(page.get_by_text("Claimed by Robin")).to_be_visible()
    await page.get_by_label("Approve").check()
    await page.get_by_role("button", name="Save decision").click()

    await expect(page.get_by_text("Nothing is waiting")).to_be_visible()
    public = seeder.http.get(f"/api/v1/threads/{thread['id']}").json()
    assert held["id"] in [p["id"] for p in public["posts"]]
    assert browsing.problems.all() == []


# Wraps the browser's own Notification so the test can see what was shown.
RECORD_NOTIFICATIONS = """
window.__notifications = [];
if ("Notification" in window) {
  window.Notification = new Proxy(window.Notification, {
    construct(target, args) {
      window.__notifications.push(args[0]);
      return new target(...args);
    },
  });
}
"""


async def test_the_queue_page_shows_new_crisis_items_live_and_notifies(
    browsing: Browsing, seeder: Seeder, live_database: FreshDatabase
) -> None:
    owner, member = seeder.member("Ash"), seeder.member("Kit")
    slug = f"evenings-{uuid.uuid4().hex[:6]}"
    circle = seeder.post(owner, "/api/v1/circles", {"slug": slug, "name": "Evenings"})
    rules = circle["rules"]
    assert isinstance(rules, dict)
    seeder.post(member, f"/api/v1/circles/{slug}/join", {"accept_rules_version": rules["version"]})

    moderator = create_moderator(live_database)
    context = await browsing.context()
    await context.grant_permissions(["notifications"])
    await context.add_init_script(RECORD_NOTIFICATIONS)
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_label("Username").fill(moderator.username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.goto("/moderation")
    await expect(page.locator("#queue-live")).to_have_attribute("data-connected", "true")

    seeder.post(
        member,
        f"/api/v1/circles/{slug}/threads",
        {"title": "Tonight", "body": "I am going to kill myself tonight"},
    )
    status = page.get_by_role("status").filter(has_text="new item")
    await expect(status).to_have_text(
        "1 new item since you opened the queue, 1 of them urgent crisis."
    )
    assert await page.evaluate("window.__notifications") == ["Urgent: someone may be in danger"]
    await page.get_by_role("link", name="Refresh the queue").click()
    await expect(page.get_by_role("listitem").filter(has_text="Evenings").first).to_be_visible()
    assert browsing.problems.all() == []
