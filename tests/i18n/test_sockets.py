"""A websocket speaks its member's language from the moment it knows who they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import pytest
from starlette.websockets import WebSocket

from forum.accounts import service as accounts
from forum.db import transaction
from forum.errors import Unauthorized
from forum.i18n import current_locale, using
from forum.sockets import authenticate
from tests.conftest import Database, Persona


@dataclass
class Handshake:
    """What authenticate reads of a websocket: its headers and cookies."""

    headers: dict[str, str]
    cookies: dict[str, str] = field(default_factory=dict)


def socket(**headers: str) -> WebSocket:
    return cast(WebSocket, Handshake({k.replace("_", "-"): v for k, v in headers.items()}))


async def test_a_socket_speaks_the_browsers_language(database: Database, user: Persona) -> None:
    with using("en"):
        async with database.sessions() as db:
            await authenticate(
                db, socket(authorization=f"Bearer {user.token}", accept_language="es")
            )
        assert current_locale() == "es"


async def test_a_socket_speaks_the_members_own_language(database: Database, user: Persona) -> None:
    async with transaction(database.sessions) as db:
        member = await accounts.user_for_bearer_token(db, user.token)
        assert member is not None
        await accounts.set_locale(db, member, "es")
    with using("en"):
        async with database.sessions() as db:
            await authenticate(
                db, socket(authorization=f"Bearer {user.token}", accept_language="en")
            )
        assert current_locale() == "es"


async def test_a_refused_socket_is_told_why_in_the_browsers_language(database: Database) -> None:
    with using("en"):
        async with database.sessions() as db:
            with pytest.raises(Unauthorized) as refused:
                await authenticate(db, socket(accept_language="es"))
    assert refused.value.message == "Inicia sesión para unirte al chat."
