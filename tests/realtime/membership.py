"""Helpers for the tests where a circle, a password or a role change closes sockets."""

from __future__ import annotations

import httpx

from forum.accounts.models import Role
from tests.chat.helpers import Live, Member, OpenRoom
from tests.conftest import PASSWORD

NEW_PASSWORD = "a brand new passphrase"


async def second_token(live: Live, member: Member) -> httpx.AsyncClient:
    """Another API token of `member`: the credential a password change is made with."""
    answer = await member.http.post(
        "/api/v1/auth/token",
        json={"username": member.username, "password": PASSWORD, "name": "second"},
    )
    assert answer.status_code == 200, answer.text
    token = answer.json()["token"]
    http = httpx.AsyncClient(
        base_url=live.server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    live.clients.append(http)
    return http


async def change_password(http: httpx.AsyncClient) -> None:
    answer = await http.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert answer.status_code == 200, answer.text


async def remove(owner: Member, room: OpenRoom, member: Member) -> None:
    answer = await owner.http.delete(f"/api/v1/circles/{room.slug}/members/{member.username}")
    assert answer.status_code == 200, answer.text


async def ban(owner: Member, room: OpenRoom, member: Member) -> None:
    answer = await owner.http.post(
        f"/api/v1/circles/{room.slug}/bans",
        json={"username": member.username, "reason": "Kept hurting people"},
    )
    assert answer.status_code == 201, answer.text


async def set_role(admin: Member, member: Member, role: Role) -> None:
    answer = await admin.http.put(
        f"/api/v1/admin/users/{member.username}/role", json={"role": role.value}
    )
    assert answer.status_code == 200, answer.text


async def private_room(live: Live, owner: Member, member: Member) -> OpenRoom:
    """A private circle's room: `member` is invited, then accepts the rules."""
    room = await live.open_room(owner, visibility="private")
    invited = await owner.http.post(
        f"/api/v1/circles/{room.slug}/members", json={"username": member.username}
    )
    assert invited.status_code == 201, invited.text
    joined = await member.http.post(
        f"/api/v1/circles/{room.slug}/join", json={"accept_rules_version": 1}
    )
    assert joined.status_code == 200, joined.text
    return room
