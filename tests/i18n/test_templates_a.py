"""Spanish for the account, circle, rules and moderation pages (catalog templates_a.po)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from babel.messages.extract import extract_from_file
from starlette.applications import Starlette

from forum import i18n
from forum.accounts import service as accounts
from forum.db import transaction
from tests.conftest import Database, Persona

TEMPLATES = Path(i18n.__file__).parent / "templates"
PAGES = [
    "_account_boundaries.html",
    "account.html",
    "admin.html",
    "circle.html",
    "circle_moderation.html",
    "moderation_item.html",
    "moderation_queue.html",
    "rules.html",
]
SPANISH = {"Accept-Language": "es"}


def catalog_keys(message: str | tuple[str, ...], context: str | None) -> list[Any]:
    """How a compiled catalog files a message: by msgid, (msgid, n) for plurals, ctx\\x04msgid."""
    if isinstance(message, tuple):
        return [(message[0], 0), (message[0], 1)]
    return [f"{context}\x04{message}" if context else message]


@pytest.mark.parametrize("name", PAGES)
def test_every_string_of_the_template_has_spanish(name: str) -> None:
    spanish: dict[Any, str] = i18n.catalog("es")._catalog  # type: ignore[attr-defined]
    options = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}
    found = list(extract_from_file("jinja2.ext:babel_extract", TEMPLATES / name, options=options))
    assert found, f"{name} has no strings for gettext"
    missing = [
        message
        for _line, message, _comments, context in found
        if any(not spanish.get(key) for key in catalog_keys(message, context))
    ]
    assert missing == []


async def test_circle_page_reads_in_spanish(
    client: httpx.AsyncClient, circle: dict[str, Any]
) -> None:
    with i18n.using("es"):
        response = await client.get("/c/grief-and-loss", headers=SPANISH)
    assert response.status_code == 200
    assert "Normas de convivencia" in response.text
    assert "Aún no hay conversaciones." in response.text
    assert "Ground rules" not in response.text


async def test_account_page_reads_in_spanish(
    app: Starlette, database: Database, user: Persona
) -> None:
    async with transaction(database.sessions) as db:
        session = await accounts.start_session(db, user.user, "pytest", 1)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        cookies={"circles_session": session},
    ) as browser:
        with i18n.using("es"):
            response = await browser.get("/account", headers=SPANISH)
    assert response.status_code == 200
    assert "<h1>Tu cuenta</h1>" in response.text
    assert "Palabras silenciadas" in response.text  # the boundaries part
    assert "Inicias sesión como <strong>alex</strong>" in response.text
