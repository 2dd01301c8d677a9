"""A Spanish reader's pages hold no English our own code wrote: the crisis lines, the
safety plan, the first-run page and a thread's actions and reactions."""

from __future__ import annotations

from typing import Any

from tests.conftest import Persona, join, ok
from tests.forum.test_pages import Opener, signed_in

__all__ = ["signed_in"]

SPANISH = {"Accept-Language": "es"}


async def test_the_crisis_lines_are_described_in_spanish(signed_in: Opener, user: Persona) -> None:
    page = await (await signed_in(user)).get("/support?region=US", headers=SPANISH)
    assert page.status_code == 200
    assert "Apoyo en crisis y prevención del suicidio" in page.text  # 988's description
    assert "Crisis support and suicide prevention" not in page.text
    assert "988" in page.text  # names and numbers stay as they are


async def test_the_safety_plan_and_first_run_page_speak_spanish(
    signed_in: Opener, user: Persona
) -> None:
    browser = await signed_in(user)
    plan = await browser.get("/me/safety-plan", headers=SPANISH)
    assert "Personas y lugares que me ayudan a sentirme mejor" in plan.text
    assert "People and places that help me feel better" not in plan.text
    welcome = await browser.get("/welcome", headers=SPANISH)
    assert "Miembros de un círculo en el que estoy" in welcome.text
    assert "Members of a circle I'm in" not in welcome.text


async def test_a_threads_actions_and_reactions_speak_spanish(
    signed_in: Opener,
    user: Persona,
    other_user: Persona,
    circle: dict[str, Any],
    thread: dict[str, Any],
) -> None:
    await join(other_user, circle)
    await ok(
        await other_user.api.post(
            f"/api/v1/threads/{thread['id']}/posts", json={"body": "Same here."}
        ),
        201,
    )
    await ok(await user.api.patch("/api/v1/me", json={"locale": "es"}))
    page = (await (await signed_in(user)).get(f"/threads/{thread['id']}")).text
    for spanish in ("Denunciar", "Bloquear", "Editar", "Eliminar", "Contigo"):
        assert spanish in page, spanish
    for english in (">Report<", ">Block<", ">Edit<", ">Delete<", "With you"):
        assert english not in page, english
    # The English reader of the same thread, right after, is not served the Spanish copy.
    english_page = (await other_user.api.get(f"/threads/{thread['id']}")).text
    assert "Denunciar" not in english_page
