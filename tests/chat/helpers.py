"""Helpers for chat tests over a real `circles serve`: members, rooms, websocket clients."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Executable, text
from websockets.asyncio.client import ClientConnection, connect

from forum.accounts import service as accounts
from forum.accounts.models import Role
from forum.db import make_engine, make_sessionmaker, transaction
from tests.conftest import PASSWORD, FreshDatabase
from tests.live import LiveServer

WAIT = 5.0


@dataclass
class Member:
    token: str
    http: httpx.AsyncClient
    username: str
    id: int

    @property
    def display_name(self) -> str:
        return self.username.title()


@dataclass(frozen=True)
class OpenRoom:
    """A circle's drop-in room, with what tests need to find its circle again."""

    id: int
    slug: str
    circle_id: int


@dataclass
class Live:
    server: LiveServer
    database: FreshDatabase
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    async def member(self, role: Role = Role.MEMBER) -> Member:
        username = f"m-{uuid.uuid4().hex[:8]}"
        engine = make_engine(self.database.url, pool_size=1)
        try:
            async with transaction(make_sessionmaker(engine)) as db:
                user = await accounts.register(db, username, PASSWORD, username.title(), role)
                token = await accounts.create_api_token(db, user, "chat tests")
                user_id = user.id
        finally:
            await engine.dispose()
        headers = {"Authorization": f"Bearer {token}"}
        http = httpx.AsyncClient(base_url=self.server.base_url, headers=headers, timeout=10)
        self.clients.append(http)
        return Member(token, http, username, user_id)

    async def open_room(
        self, owner: Member, *others: Member, visibility: str = "public"
    ) -> OpenRoom:
        slug = f"chat-{uuid.uuid4().hex[:8]}"
        body = {"slug": slug, "name": "Chat", "description": "", "visibility": visibility}
        circle = (await owner.http.post("/api/v1/circles", json=body)).json()
        for other in others:
            joined = await other.http.post(
                f"/api/v1/circles/{slug}/join",
                json={"accept_rules_version": circle["rules"]["version"]},
            )
            assert joined.status_code == 200, joined.text
        rooms = (await owner.http.get(f"/api/v1/circles/{slug}/rooms")).json()["rooms"]
        room_id: int = rooms[0]["id"]
        found = await self.execute("SELECT circle_id FROM rooms WHERE id = :id", id=room_id)
        return OpenRoom(room_id, slug, int(found[0][0]))

    async def room(self, owner: Member, *others: Member, visibility: str = "public") -> int:
        return (await self.open_room(owner, *others, visibility=visibility)).id

    async def execute(self, statement: str | Executable, **params: Any) -> list[Any]:
        """Run one statement on the server's database and commit; returns any rows."""
        engine = make_engine(self.database.url, pool_size=1)
        try:
            async with engine.begin() as conn:
                query = text(statement) if isinstance(statement, str) else statement
                result = await conn.execute(query, params)
                return list(result.all()) if result.returns_rows else []
        finally:
            await engine.dispose()

    def connect(
        self,
        member: Member,
        room_id: int,
        after: int | None = None,
        accept_language: str | None = None,
        **options: Any,
    ) -> Any:
        query = "" if after is None else f"?after={after}"
        url = f"ws://127.0.0.1:{self.server.port}/ws/rooms/{room_id}{query}"
        headers = {"Authorization": f"Bearer {member.token}"}
        if accept_language is not None:
            headers["Accept-Language"] = accept_language
        return connect(url, additional_headers=headers, **options)

    def queue(self, member: Member) -> Any:
        """The live review queue socket, as `member`."""
        url = f"ws://127.0.0.1:{self.server.port}/ws/moderation"
        return connect(url, additional_headers={"Authorization": f"Bearer {member.token}"})

    def notifications(self, member: Member) -> Any:
        """The notifications socket (the bell), as `member`."""
        url = f"ws://127.0.0.1:{self.server.port}/ws/notifications"
        return connect(url, additional_headers={"Authorization": f"Bearer {member.token}"})


async def send(ws: ClientConnection, client_msg_id: str, body: str) -> None:
    await ws.send(json.dumps({"type": "send", "client_msg_id": client_msg_id, "body": body}))


async def next_of(ws: ClientConnection, *types: str) -> dict[str, Any]:
    """The next event of one of `types`, skipping presence updates and the like."""
    while True:
        event: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        if event["type"] in types:
            return event


async def messages(ws: ClientConnection, count: int) -> list[dict[str, Any]]:
    return [await next_of(ws, "message") for _ in range(count)]
