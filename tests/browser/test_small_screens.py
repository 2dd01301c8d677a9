"""Every main page fits a 375 px phone screen: nothing scrolls sideways.

Long words, names and titles are the usual culprits, so the content is made of them.
"""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Browsing, Seeder
from tests.browser.test_journey import log_in
from tests.browser.test_moderation import create_moderator
from tests.conftest import FreshDatabase

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
LONG_WORD = "Unbrokenwordthatkeepsgoing" * 4

# The element reaching furthest past the right edge, outside any box that scrolls or
# clips its own overflow (a wrapped data table may be wide inside its scroller).
WIDEST_OVERFLOW = """
() => {
  const edge = document.documentElement.clientWidth;
  const clips = (el, self) => {
    for (let up = self ? el : el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  let widest = null;
  let right = edge;
  const consider = (el, box, text) => {
    if (box.right > right + 0.5 && !clips(el, text)) {
      right = box.right;
      widest = el;
    }
  };
  for (const el of document.body.querySelectorAll("*")) {
    consider(el, el.getBoundingClientRect(), false);
  }
  // A word too long for its box spills out of it without making the box wider.
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  while (texts.nextNode()) {
    range.selectNodeContents(texts.currentNode);
    consider(texts.currentNode.parentElement, range.getBoundingClientRect(), true);
  }
  if (!widest) return null;
  const name = widest.tagName.toLowerCase() + (widest.id ? `#${widest.id}` : "")
    + [...widest.classList].map((c) => `.${c}`).join("");
  return `${name} reaches ${Math.round(right)}px: ${widest.textContent.trim().slice(0, 60)}`;
}
"""


async def sideways_overflow(page: Page, path: str) -> str | None:
    response = await page.goto(path)
    assert response is not None and response.status == 200, path
    return await sideways_overflow_here(page, path)


async def sideways_overflow_here(page: Page, path: str) -> str | None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    if width <= PHONE["width"]:
        return None
    widest = await page.evaluate(WIDEST_OVERFLOW)
    return f"{path} is {width}px wide; widest: {widest}"


async def test_main_pages_fit_a_375px_screen(
    browsing: Browsing, seeder: Seeder, live_database: FreshDatabase
) -> None:
    owner, member = seeder.member("Ash"), seeder.member(LONG_WORD[:24])
    slug = f"narrow-{uuid.uuid4().hex[:6]}"
    circle = seeder.post(
        owner,
        "/api/v1/circles",
        {"slug": slug, "name": f"Narrow {LONG_WORD[:40]}", "description": LONG_WORD},
    )
    rules = circle["rules"]
    assert isinstance(rules, dict)
    seeder.post(member, f"/api/v1/circles/{slug}/join", {"accept_rules_version": rules["version"]})
    thread = seeder.post(
        owner,
        f"/api/v1/circles/{slug}/threads",
        {
            "title": f"A title with {LONG_WORD[:60]}",
            "body": f"{LONG_WORD} https://example.org/{LONG_WORD}",
        },
    )
    seeder.post(member, f"/api/v1/threads/{thread['id']}/posts", {"body": f"Me too. {LONG_WORD}"})
    held = seeder.post(
        member, f"/api/v1/threads/{thread['id']}/posts", {"body": "you are a fucking idiot"}
    )
    assert held["status"] == "pending"
    found: list[str | None] = []

    page = await (await browsing.context(viewport=PHONE)).new_page()
    await log_in(page, owner)
    for path in [
        "/",
        f"/c/{slug}",
        f"/threads/{thread['id']}",
        f"/c/{slug}/new",
        f"/c/{slug}/rules",
        "/messages",
        "/notifications",
        "/account",
        f"/search?q={LONG_WORD[:26]}",
        "/me/safety-plan",
    ]:
        found.append(await sideways_overflow(page, path))

    staff = await (await browsing.context(viewport=PHONE)).new_page()
    await log_in(staff, create_moderator(live_database))
    for path in ["/moderation", "/moderation/health", "/moderation/log"]:
        found.append(await sideways_overflow(staff, path))
    # An item open for a decision, and the log once it is decided.
    await staff.goto("/moderation")
    item = staff.get_by_role("listitem").filter(has_text=f"Narrow {LONG_WORD[:40]}")
    await item.get_by_role("link", name="Open item").click()
    found.append(await sideways_overflow_here(staff, "a queue item"))
    await staff.get_by_role("button", name="Claim this item").click()
    await staff.get_by_label("Approve").check()
    await staff.get_by_role("button", name="Save decision").click()
    await expect(staff.get_by_role("heading", name="Review queue")).to_be_visible()
    found.append(await sideways_overflow(staff, "/moderation/log"))

    problems = [problem for problem in found if problem]
    assert not problems, "\n".join(problems)
    assert browsing.problems.all() == []
