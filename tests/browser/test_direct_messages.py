"""Direct messages in real browsers: allowing them, starting one, and chatting."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Browsing, Member, Seeder
from tests.browser.test_chat import both_here, message, say
from tests.browser.test_journey import log_in

pytestmark = pytest.mark.browser


async def signed_in(browsing: Browsing, member: Member) -> Page:
    page = await (await browsing.context()).new_page()
    await log_in(page, member)
    return page


async def test_a_member_allows_messages_and_two_members_talk_privately(
    browsing: Browsing, seeder: Seeder
) -> None:
    alex, blake = seeder.member("Alex"), seeder.member("Blake")
    a, b = await signed_in(browsing, alex), await signed_in(browsing, blake)

    # Nobody can start one with Blake until Blake allows it.
    await a.goto("/messages")
    await a.get_by_label("Start a conversation with").fill(blake.username)
    await a.get_by_role("button", name="Start").click()
    await expect(a.get_by_text("You can't start a conversation with this member.")).to_be_visible()

    await b.goto("/account")
    await b.get_by_label("Anyone with an account").check()
    await b.locator("#messages-heading ~ form").get_by_role("button", name="Save").click()
    await expect(b.get_by_role("status").filter(has_text="Saved.")).to_be_visible()

    await a.get_by_label("Start a conversation with").fill(blake.username)
    await a.get_by_role("button", name="Start").click()
    await b.goto("/messages")
    await both_here(a, b, alex.display_name, blake.display_name)
    await say(a, "Hi Blake, I saw your post. How are you doing?")
    await expect(message(b, "How are you doing?")).to_contain_text(alex.display_name)
    await say(b, "Thank you for asking. Slowly better.")
    await expect(message(a, "Slowly better")).to_be_visible()
    # The refused start answered 403, which the browser logs; nothing else went wrong.
    refusal = f"status of 403 (Forbidden) ({{'url': '{browsing.server.base_url}/messages'"
    assert [p for p in browsing.problems.all() if refusal not in p] == []


async def test_the_member_picker_finds_someone_by_display_name(
    browsing: Browsing, seeder: Seeder
) -> None:
    alex, blake, stranger = seeder.member("Alex"), seeder.member("Blake"), seeder.member("Blair")
    slug = f"picker-{uuid.uuid4().hex[:6]}"
    circle = seeder.post(alex, "/api/v1/circles", {"slug": slug, "name": "Night owls"})
    rules = circle["rules"]
    assert isinstance(rules, dict)
    seeder.post(blake, f"/api/v1/circles/{slug}/join", {"accept_rules_version": rules["version"]})
    headers = {"Authorization": f"Bearer {blake.token}"}
    allowed = seeder.http.patch("/api/v1/me", json={"dm_policy": "circles"}, headers=headers)
    assert allowed.status_code == 200, allowed.text
    a, b = await signed_in(browsing, alex), await signed_in(browsing, blake)

    await a.goto("/messages")
    field = a.get_by_role("combobox", name="Start a conversation with")
    await field.press_sequentially("bla", delay=30)
    # Only Blake, who shares a circle with Alex: Blair is in none of them.
    # The picker's own options: the page has other selects (the header's theme choice).
    choices = a.get_by_role("listbox", name="People you share a circle with")
    options = choices.get_by_role("option")
    await expect(options).to_have_count(1)
    await expect(options.first).to_contain_text(blake.display_name)
    await expect(options.first).to_contain_text("in Night owls")
    await expect(choices.get_by_role("option", name=stranger.display_name)).to_have_count(0)
    await field.press("ArrowDown")  # wraps round to the one option
    await field.press("Enter")
    await expect(field).to_have_value(blake.display_name)
    await expect(a.get_by_role("status").filter(has_text="in Night owls")).to_be_visible()
    await a.get_by_role("button", name="Start").click()

    await b.goto("/messages")
    await both_here(a, b, alex.display_name, blake.display_name)
    await say(a, "Found you by your name. How are you holding up?")
    await expect(message(b, "How are you holding up?")).to_contain_text(alex.display_name)

    # Typing someone nobody shares a circle with says so, and offers nothing to choose.
    await a.goto("/messages")
    await field.press_sequentially("Blair", delay=30)
    await expect(a.get_by_text("No one by that name in your circles.")).to_be_visible()
    await expect(choices.get_by_role("option")).to_have_count(0)
    assert browsing.problems.all() == []


async def test_an_owner_invites_and_a_member_blocks_with_the_picker(
    browsing: Browsing, seeder: Seeder
) -> None:
    owner, friend = seeder.member("Robin"), seeder.member("Kit")
    met = f"met-{uuid.uuid4().hex[:6]}"
    circle = seeder.post(owner, "/api/v1/circles", {"slug": met, "name": "Where we met"})
    rules = circle["rules"]
    assert isinstance(rules, dict)
    seeder.post(friend, f"/api/v1/circles/{met}/join", {"accept_rules_version": rules["version"]})
    private = f"quiet-{uuid.uuid4().hex[:6]}"
    seeder.post(
        owner, "/api/v1/circles", {"slug": private, "name": "Quiet room", "visibility": "private"}
    )
    page = await signed_in(browsing, owner)

    await page.goto(f"/c/{private}")
    field = page.get_by_role("combobox", name="Invite someone")
    await field.press_sequentially(friend.display_name[:3], delay=30)
    await page.get_by_role("option", name=friend.display_name).click()
    await page.get_by_role("button", name="Invite", exact=True).click()
    await page.goto(f"/c/{private}/members")
    await expect(page.get_by_role("strong").filter(has_text=friend.display_name)).to_be_visible()

    await page.goto("/account")
    field = page.get_by_role("combobox", name="Block someone")
    await field.press_sequentially(friend.display_name[:3], delay=30)
    await page.get_by_role("option", name=friend.display_name).click()
    await page.get_by_role("button", name="Block", exact=True).click()
    blocked = page.locator("#blocks-heading ~ ul")
    await expect(blocked).to_contain_text(friend.display_name)
    assert browsing.problems.all() == []
