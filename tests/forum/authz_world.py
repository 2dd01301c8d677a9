"""The authorization matrix's world: a private circle with something of every kind in it,
and one set-up function per persona (tests/forum/authz_table.py names the personas).

Everything is made against a real `circles serve`: accounts, memberships, mutes and bans
straight in its database (before the server has seen those members, so no cache holds
an older answer), content through its API as the people who would write it.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from forum import security
from forum.accounts import service as accounts
from forum.accounts.models import ApiToken, AuthSession, Role
from forum.chat import repository as chat_repository
from forum.chat.models import ChatMessage, Room
from forum.circles.models import Circle, CircleBan, CircleRole, Membership
from forum.db import transaction, utcnow
from forum.review.models import CrisisResource, ReviewItem
from tests.conftest import PASSWORD
from tests.live import LiveServer

SLUG = "authz-private"
RULES_VERSION = 1
CSRF_SEED = "authz-matrix-csrf-seed"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def display_name() -> str:
    # Letters no lookalike table folds together, so no two members' names collide; and
    # nothing like "moderator", which a member's name may not say.
    return f"Person {''.join(random.choices('ACDEFGHJKPQSTXYZ', k=8)).title()}"


@dataclass
class Actor:
    """Someone sending the matrix's requests: a Bearer token for the API, a session for pages."""

    persona: str
    user_id: int | None = None
    username: str = ""
    display_name: str = ""
    token: str = ""
    session: str = ""

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None


@dataclass
class World:
    """The server, its database and the ids of what the matrix's paths point at."""

    server: LiveServer
    sessions: async_sessionmaker[AsyncSession]
    secret_key: str
    http: httpx.AsyncClient
    values: dict[str, int | str] = field(default_factory=dict)
    people: dict[str, Actor] = field(default_factory=dict)

    @property
    def csrf(self) -> str:
        return security.csrf_token(self.secret_key, CSRF_SEED)

    async def user(
        self,
        label: str,
        role: Role = Role.MEMBER,
        circle_role: CircleRole | None = None,
        accepted: int = RULES_VERSION,
        muted: bool = False,
        banned: bool = False,
        **settings: Any,
    ) -> Actor:
        """A new account, with a token and a session, and (optionally) a place in the circle
        or a ban from it."""
        username = unique(label)
        async with transaction(self.sessions) as db:
            user = await accounts.register(db, username, PASSWORD, display_name(), role)
            if muted:  # paused by a moderator (forum/review/service.py, action "mute")
                user.muted_until = utcnow() + timedelta(days=1)
            for key, value in settings.items():
                setattr(user, key, value)
            if circle_role is not None or banned:
                circle_id = await db.scalar(select(Circle.id).where(Circle.slug == SLUG))
                assert circle_id is not None, "the circle is made before its members"
            if banned:  # as forum/circle_members/service.py ban_member leaves them: no membership
                owner = self.people["owner"].user_id
                db.add(CircleBan(circle_id=circle_id, user_id=user.id, banned_by=owner))
            if circle_role is not None:
                db.add(
                    Membership(
                        circle_id=circle_id,
                        user_id=user.id,
                        role=circle_role,
                        accepted_rules_version=accepted,
                    )
                )
            token = await accounts.create_api_token(db, user, "authz matrix")
            session = await accounts.start_session(db, user, "authz matrix", 1)
            return Actor(label, user.id, username, user.display_name, token, session)

    async def api(
        self, actor: Actor, method: str, path: str, body: Any = None, status: int = 200
    ) -> Any:
        """A set-up call that must succeed."""
        headers = {"Authorization": f"Bearer {actor.token}"}
        response = await self.http.request(method, path, json=body, headers=headers)
        self.http.cookies.clear()  # each call says who it is; nothing carries over
        assert response.status_code == status, f"{method} {path}: {response.text}"
        return response.json()

    async def message(self, room_id: int, author: Actor) -> int:
        """A published chat message in the circle's room (written as the room would)."""
        async with transaction(self.sessions) as db:
            message = ChatMessage(
                room_id=room_id,
                seq=await chat_repository.next_seq(db, room_id),
                author_id=author.user_id,
                client_msg_id=uuid.uuid4().hex,
                body="Thinking of you all.",
                body_html="<p>Thinking of you all.</p>",
            )
            db.add(message)
            await db.flush()
            return message.id

    async def scalar(self, statement: Any) -> Any:
        async with self.sessions() as db:
            return await db.scalar(statement)

    # Fresh objects, for requests that use up or change what they act on.

    async def post(self) -> int:
        author = self.people["author"]
        path = f"/api/v1/threads/{self.values['thread_id']}/posts"
        made = await self.api(author, "POST", path, {"body": "One more thought."}, 201)
        return int(made["id"])

    async def item(self) -> int:
        """An open review item: a fresh post in the private circle, reported."""
        post_id = await self.post()
        report = {"content_type": "post", "content_id": post_id, "reason": "Please look"}
        await self.api(self.people["witness"], "POST", "/api/v1/reports", report, 201)
        item_id = await self.scalar(
            select(ReviewItem.id).where(
                ReviewItem.content_type == "post", ReviewItem.content_id == post_id
            )
        )
        return int(item_id)

    async def proposal(self) -> int:
        # A new author each time: a member may have only three proposals open.
        author = await self.user("proposer", circle_role=CircleRole.MEMBER)
        body = {
            "kind": "add",
            "title": unique("A proposed rule"),
            "text": "Say hello when you arrive.",
            "rationale": "It is kind.",
        }
        path = f"/api/v1/circles/{SLUG}/rules/proposals"
        return int((await self.api(author, "POST", path, body, 201))["id"])

    async def watched_word(self) -> int:
        body = {"phrase": unique("zqxj"), "action": "hold"}
        path = f"/api/v1/circles/{SLUG}/moderation/watched-words"
        return int((await self.api(self.people["owner"], "POST", path, body, 201))["id"])

    async def resource(self) -> int:
        async with transaction(self.sessions) as db:
            resource = CrisisResource(region="ZZ", name=unique("A test line"), phone="0")
            db.add(resource)
            await db.flush()
            return resource.id


PersonaSetUp = Callable[[World], Awaitable[Actor]]


async def anonymous(world: World) -> Actor:
    return Actor("anonymous")


async def member(world: World) -> Actor:
    return await world.user("member", circle_role=CircleRole.MEMBER)


async def non_member(world: World) -> Actor:
    return await world.user("non_member")


async def invited(world: World) -> Actor:
    # As forum/circles/service.py invite_member leaves them: in, no rules accepted yet.
    return await world.user("invited", circle_role=CircleRole.MEMBER, accepted=0)


async def muted(world: World) -> Actor:
    return await world.user("muted", circle_role=CircleRole.MEMBER, muted=True)


async def banned(world: World) -> Actor:
    # A former member the circle's moderators banned: for a private circle, an outsider.
    return await world.user("banned", banned=True)


async def circle_moderator(world: World) -> Actor:
    return await world.user("circle_mod", circle_role=CircleRole.MODERATOR)


async def site_moderator(world: World) -> Actor:
    return await world.user("site_mod", role=Role.MODERATOR)


async def owner(world: World) -> Actor:
    return await world.user("owner", circle_role=CircleRole.OWNER)


async def admin(world: World) -> Actor:
    return await world.user("admin", role=Role.ADMIN)


# One set-up per column of the table; the test fails unless the two name the same personas.
PERSONAS: dict[str, PersonaSetUp] = {
    "anonymous": anonymous,
    "member": member,
    "non_member": non_member,
    "invited": invited,
    "muted": muted,
    "banned": banned,
    "circle_mod": circle_moderator,
    "site_mod": site_moderator,
    "owner": owner,
    "admin": admin,
}


async def build(world: World) -> None:
    """The private circle and one of everything the table's paths name."""
    founder = await world.user("founder")
    world.people["founder"] = founder
    circle = {"slug": SLUG, "name": "Authz", "description": "", "visibility": "private"}
    await world.api(founder, "POST", "/api/v1/circles", circle, 201)
    people = {
        "owner": await world.user("owner", circle_role=CircleRole.OWNER),
        "author": await world.user("author", circle_role=CircleRole.MEMBER),
        "witness": await world.user("witness", circle_role=CircleRole.MEMBER),
        "dm_target": await world.user("dm_target", dm_policy="anyone"),
        "staff": await world.user("staff", role=Role.MODERATOR),
    }
    world.people.update(people)
    author = people["author"]
    thread_body = {"title": "How this week went", "body": "Slowly, but it went."}
    thread = await world.api(author, "POST", f"/api/v1/circles/{SLUG}/threads", thread_body, 201)
    world.values.update(
        slug=SLUG,
        thread_id=thread["id"],
        post_id=thread["post"]["id"],
        username=author.username,
        user_id=int(author.user_id or 0),
    )
    world.values["item_id"] = await world.item()
    check_in = await world.api(
        people["staff"],
        "POST",
        f"/api/v1/moderation/items/{await world.item()}/check-in",
        {"body": "How are you doing?"},
        201,
    )
    world.values["check_in_room_id"] = check_in["room_id"]
    world.values["proposal_id"] = await world.proposal()
    world.values["word_id"] = await world.watched_word()
    world.values["room_id"] = await world.scalar(
        select(Room.id).join(Circle, Circle.id == Room.circle_id).where(Circle.slug == SLUG)
    )
    world.values["resource_id"] = await world.scalar(select(func.min(CrisisResource.id)))
    world.values["message_id"] = await world.message(int(world.values["room_id"]), author)
    world.values["kind"] = "with_you"
    world.values["locale"] = "es"
    await _personal_ids(world, author)


async def _personal_ids(world: World, author: Actor) -> None:
    """Another member's token and session: nobody but them may end either."""
    world.values["token_id"] = await world.scalar(
        select(ApiToken.id).where(ApiToken.user_id == author.user_id)
    )
    world.values["session_id"] = await world.scalar(
        select(AuthSession.id).where(AuthSession.user_id == author.user_id)
    )
