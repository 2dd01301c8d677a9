"""Direct messages in real browsers: allowing them, starting one, and chatting."""

from __future__ import annotations

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
    await a.get_by_label("Start a conversation with (username)").fill(blake.username)
    await a.get_by_role("button", name="Start").click()
    await expect(a.get_by_text("You can't start a conversation with this member.")).to_be_visible()

    await b.goto("/account")
    await b.get_by_label("Anyone with an account").check()
    await b.locator("#messages-heading ~ form").get_by_role("button", name="Save").click()
    await expect(b.get_by_role("status").filter(has_text="Saved.")).to_be_visible()

    await a.get_by_label("Start a conversation with (username)").fill(blake.username)
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
