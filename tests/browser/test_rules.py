"""A member proposes a ground rule, the owner ratifies it, and the circle page shows it."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Browsing, Member, Seeder
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

TITLE = "Ask before sharing links"
TEXT = "Some links can be hard to see. Ask the circle first."


async def log_in(browsing: Browsing, member: Member) -> Page:
    page = await (await browsing.context()).new_page()
    await page.goto("/login")
    await page.get_by_label("Username").fill(member.username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("link", name=member.display_name)).to_be_visible()
    return page


async def test_owner_ratifies_a_members_proposal_and_the_circle_shows_the_new_version(
    browsing: Browsing, seeder: Seeder
) -> None:
    owner, member = seeder.member("Noor"), seeder.member("Kai")
    slug = f"carers-{uuid.uuid4().hex[:6]}"
    seeder.post(owner, "/api/v1/circles", {"slug": slug, "name": "Carers"})
    seeder.post(member, f"/api/v1/circles/{slug}/join", {"accept_rules_version": 1})

    proposer = await log_in(browsing, member)
    await proposer.goto(f"/c/{slug}")
    await proposer.get_by_role(
        "link", name="Every version, and proposals to change the rules"
    ).click()
    await proposer.get_by_label("Title (short").fill(TITLE)
    await proposer.get_by_label("Explanation").last.fill(TEXT)
    await proposer.get_by_label("Why does the circle need it?").fill("A link upset me last week.")
    await proposer.get_by_role("button", name="Propose this rule").click()
    await expect(proposer.get_by_role("status")).to_contain_text("Your proposal is open")
    proposal = proposer.get_by_role("article").filter(has_text=TITLE)
    await proposal.get_by_label("Endorse").check()
    await proposal.get_by_role("button", name="Save my stance").click()
    await expect(proposer.get_by_role("article").filter(has_text=TITLE)).to_contain_text(
        "1 member endorses"
    )

    host = await log_in(browsing, owner)
    await host.goto(f"/c/{slug}/rules")
    card = host.get_by_role("article").filter(has_text=TITLE)
    await expect(card).to_contain_text("A link upset me last week.")
    await card.get_by_role("button", name="Ratify as version 2").click()
    await expect(host.get_by_role("status")).to_contain_text("the rules are now at version 2")

    await host.goto(f"/c/{slug}")
    rules = host.locator("aside.rules")
    await expect(rules.get_by_role("heading", name="Ground rules version 2")).to_be_visible()
    await expect(rules.get_by_role("listitem").filter(has_text=TITLE).first).to_be_visible()
    changes = rules.locator(".rule-changes")
    await expect(changes.get_by_role("heading", name="What changed in version 2")).to_be_visible()
    await expect(changes).to_contain_text(f"Added {TITLE}")

    # The member reads on, and accepts the new version with one click to post again.
    await proposer.goto(f"/c/{slug}")
    await expect(proposer.get_by_text("This circle's ground rules have changed")).to_be_visible()
    await proposer.get_by_role("button", name="I accept version 2").click()
    await expect(proposer.get_by_role("link", name="Start a conversation")).to_be_visible()
    assert browsing.problems.all() == []
