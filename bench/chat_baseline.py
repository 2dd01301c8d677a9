"""The chat fan-out baseline: a minimal websocket broadcast server, no storage, no moderation.

On `{"type": "send", "client_msg_id", "body"}` it broadcasts a message event of the
same shape as the app's to every connection in the room. The JSON is encoded once per
message; each connection has a bounded outbox and a writer task, as in the real server
(realtime/hub.py, forum/chat/ws.py), so the comparison measures what storage,
moderation and the app's own work add, not a different delivery design.
"""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

OUTBOX_SIZE = 256  # the app's default (CIRCLES_CHAT_OUTBOX)
SLOW_CLOSE_CODE = 4008

Outbox = asyncio.Queue[str | None]


class Room:
    def __init__(self, room_id: int) -> None:
        self.room_id = room_id
        self.seq = 0
        self.outboxes: dict[Outbox, None] = {}

    def publish(self, text: str) -> None:
        """Queue `text` for every connection; a full outbox is closed, as the app does."""
        for outbox in list(self.outboxes):
            try:
                outbox.put_nowait(text)
            except asyncio.QueueFull:
                del self.outboxes[outbox]
                while not outbox.empty():
                    outbox.get_nowait()
                outbox.put_nowait(None)

    def message(self, client_msg_id: str, body: str) -> str:
        self.seq += 1
        event = {
            "type": "message",
            "id": self.seq,
            "seq": self.seq,
            "room_id": self.room_id,
            "author": {"display_name": "Sender"},
            "body_html": f"<p>{html.escape(body)}</p>\n",
            "created_at": datetime.now(UTC).isoformat(),
            "client_msg_id": client_msg_id,
        }
        # Starlette's send_json encoding, done once for everybody.
        return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


ROOMS: dict[int, Room] = {}


async def _write(websocket: WebSocket, outbox: Outbox) -> None:
    while (text := await outbox.get()) is not None:
        await websocket.send_text(text)
    await websocket.close(SLOW_CLOSE_CODE, "too slow")


async def _read(websocket: WebSocket, room: Room) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        data = json.loads(message.get("text") or "{}")
        if data.get("type") == "send":
            room.publish(room.message(str(data["client_msg_id"]), str(data["body"])))


async def _until_either_ends(*coroutines: Coroutine[Any, Any, None]) -> None:
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def room_socket(websocket: WebSocket) -> None:
    room_id = int(websocket.path_params["room_id"])
    room = ROOMS.setdefault(room_id, Room(room_id))
    await websocket.accept()
    outbox: Outbox = asyncio.Queue(OUTBOX_SIZE)
    room.outboxes[outbox] = None
    try:
        await _until_either_ends(_write(websocket, outbox), _read(websocket, room))
    finally:
        room.outboxes.pop(outbox, None)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[Route("/healthz", healthz), WebSocketRoute("/ws/rooms/{room_id:int}", room_socket)]
)
