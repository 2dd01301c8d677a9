"""How the authorization matrix calls each route: a valid body, and fresh objects where
the request uses up or changes what it acts on, so no row decides the next one's answer.

A route without an entry is called with its path filled from the world and no body
(a page form still carries its CSRF token). An allowed call must succeed: a body that
fails validation makes its `ok` cells fail, so each route here gets one that passes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from forum import security
from forum.circles.models import CircleRole
from forum.db import transaction, utcnow
from forum.mail.models import MailToken, MemberEmail
from tests.conftest import PASSWORD
from tests.forum.authz_world import RULES_VERSION, SLUG, Actor, World, display_name, unique

Body = dict[str, Any]
BodyMaker = Callable[[World, Actor], Awaitable[Body]]
ValueMaker = Callable[[World, Actor], Awaitable[int | str]]


@dataclass(frozen=True)
class Spec:
    body: Body | BodyMaker | None = None
    # Path parameters made afresh for each call (or pointed elsewhere than the default).
    params: dict[str, ValueMaker] = field(default_factory=dict)
    # The call ends or changes the caller's own standing (signs out, leaves, joins):
    # each persona sends it as a new member of the same kind.
    fresh_actor: bool = False
    # The call makes a new version of the ground rules, which every member must then
    # accept: these run after every other row.
    last: bool = False
    # Sent one persona at a time rather than all at once. Registration on SQLite holds the
    # database's write lock while it hashes the password (the rate limit's token is
    # taken first), so a handful of registrations at once wait past the lock's timeout
    # and answer 500: a fault of its own, outside what this matrix is about.
    alone: bool = False
    # A query string for the path (a search's `q=...`).
    query: str = ""


async def fresh_post(world: World, actor: Actor) -> int:
    return await world.post()


async def fresh_item(world: World, actor: Actor) -> int:
    return await world.item()


async def fresh_proposal(world: World, actor: Actor) -> int:
    return await world.proposal()


async def fresh_word(world: World, actor: Actor) -> int:
    return await world.watched_word()


async def fresh_resource(world: World, actor: Actor) -> int:
    return await world.resource()


async def check_in_room(world: World, actor: Actor) -> int:
    return int(world.values["check_in_room_id"])


async def invitee(world: World, actor: Actor) -> Body:
    return {"username": (await world.user("invitee")).username}


async def registration(world: World, actor: Actor) -> Body:
    return {
        "username": unique("newcomer"),
        "password": PASSWORD,
        "display_name": display_name(),
    }


async def credentials(world: World, actor: Actor) -> Body:
    who = actor if actor.signed_in else world.people["witness"]
    return {"username": who.username, "password": PASSWORD}


async def new_circle(world: World, actor: Actor) -> Body:
    return {"slug": unique("c"), "name": "A new circle", "visibility": "private"}


async def own_profile(world: World, actor: Actor) -> Body:
    return {"display_name": actor.display_name or "Nobody"}


async def new_proposal(world: World, actor: Actor) -> Body:
    return {"kind": "add", "title": unique("Rule"), "text": "Be gentle.", "rationale": "Kind."}


async def new_word(world: World, actor: Actor) -> Body:
    return {"phrase": unique("zqxj"), "action": "hold"}


async def new_room(world: World, actor: Actor) -> Body:
    return {"name": unique("Room")}


async def current_rules(world: World) -> list[dict[str, Any]]:
    rules = await world.api(world.people["founder"], "GET", f"/api/v1/circles/{SLUG}/rules")
    return [{"id": i["id"], "title": i["title"], "text": i["text"]} for i in rules["items"]]


async def rules_edit(world: World, actor: Actor) -> Body:
    items = await current_rules(world)
    return {"items": [*items, {"title": unique("Rule"), "text": "Be gentle."}]}


async def rules_edit_form(world: World, actor: Actor) -> Body:
    items = [*await current_rules(world), {"id": "", "title": unique("Rule"), "text": "Kind."}]
    form: Body = {"summary": "One more rule."}
    for n, item in enumerate(items, start=1):
        form.update({f"rule-{n}-id": str(item["id"]), f"rule-{n}-position": str(n)})
        form.update({f"rule-{n}-title": item["title"], f"rule-{n}-text": item["text"]})
    return form


async def circle_member(world: World, actor: Actor) -> str:
    """A member to remove or ban: a new one each call, never one the other rows use."""
    return (await world.user("target", circle_role=CircleRole.MEMBER)).username


async def banned_member(world: World, actor: Actor) -> str:
    return (await world.user("target", banned=True)).username


async def outsider(world: World, actor: Actor) -> str:
    """Someone to make a site moderator: never the caller or a persona other rows rely on."""
    return (await world.user("target")).username


async def ban(world: World, actor: Actor) -> Body:
    return {"username": await circle_member(world, actor), "reason": "Unkind to others."}


async def promotion(world: World, actor: Actor) -> Body:
    return {"username": await outsider(world, actor), "role": "moderator"}


async def password_change(world: World, actor: Actor) -> Body:
    return {"current_password": PASSWORD, "new_password": unique("A new passphrase")}


async def delete_me(world: World, actor: Actor) -> Body:
    return {"password": PASSWORD, "keep_posts": True}


async def delete_me_form(world: World, actor: Actor) -> Body:
    return {"password": PASSWORD, "posts": "keep"}


async def room_form(world: World, actor: Actor) -> Body:
    return {"name": "Drop-in", "description": "Come and go.", "slow_mode_seconds": "0"}


async def block_form(world: World, actor: Actor) -> Body:
    return {"username": world.people["author"].username}


async def dm_target(world: World, actor: Actor) -> Body:
    return {"username": world.people["dm_target"].username}


async def report(world: World, actor: Actor) -> Body:
    return {"content_type": "post", "content_id": await world.post(), "reason": "Please look"}


async def _mail_link(world: World, user_id: int, purpose: str) -> str:
    """A link as if mailed to the member (their address added, unverified), unused."""
    token = security.new_token()
    address = f"{unique('someone')}@example.org"
    async with transaction(world.sessions) as db:
        email = await db.get(MemberEmail, user_id)
        if email is None:
            db.add(MemberEmail(user_id=user_id, address=address, address_key=address))
        else:
            address = email.address
        db.add(
            MailToken(
                token_hash=security.token_hash(token),
                user_id=user_id,
                purpose=purpose,
                address=address,
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
    return token


async def _someone(world: World, actor: Actor) -> int:
    """The actor when signed in, else a new member."""
    return actor.user_id or int((await world.user("target")).user_id or 0)


async def own_verify_link(world: World, actor: Actor) -> Body:
    return {"token": await _mail_link(world, await _someone(world, actor), "verify")}


async def reset_link(world: World, actor: Actor) -> Body:
    target = int((await world.user("target")).user_id or 0)
    return {"token": await _mail_link(world, target, "reset"), "new_password": "A new passphrase"}


async def digest_on(world: World, actor: Actor) -> Body:
    if actor.user_id is not None:
        await _mail_link(world, actor.user_id, "verify")  # so there is an address
    return {"digest": False}


ITEM = {"item_id": fresh_item}
PROPOSAL = {"proposal_id": fresh_proposal}
POST = {"post_id": fresh_post}
WORD = {"word_id": fresh_word}
CHECK_IN = {"room_id": check_in_room}
TARGET = {"username": circle_member}
BANNED = {"username": banned_member}
P = "/api/v1/rules/proposals/{proposal_id:id}"
W = "/api/v1/circles/{slug}/moderation/watched-words/{word_id:id}"

SPECS: dict[str, Spec] = {
    # Threads and posts.
    "POST /api/v1/circles/{slug}/threads": Spec({"title": "A new thread", "body": "Hello."}),
    "POST /api/v1/threads/{thread_id:id}/posts": Spec({"body": "A reply."}),
    "PATCH /api/v1/posts/{post_id:id}": Spec({"body": "Edited."}, POST),
    "DELETE /api/v1/posts/{post_id:id}": Spec(None, POST),
    "POST /threads/{thread_id:id}/reply": Spec({"body": "A reply."}),
    "POST /c/{slug}/new": Spec({"title": "A new thread", "body": "Hello."}),
    "POST /posts/{post_id:id}/edit": Spec({"body": "Edited."}, POST),
    "POST /posts/{post_id:id}/delete": Spec(None, POST),
    "PATCH /api/v1/posts/{post_id:id}/reactions": Spec({"enabled": True}),
    "POST /posts/{post_id:id}/react": Spec({"kind": "thank_you"}),
    "POST /posts/{post_id:id}/reactions": Spec({"enabled": "on"}),
    # Accounts.
    "POST /api/v1/auth/register": Spec(registration, alone=True),
    "POST /api/v1/auth/token": Spec(credentials),
    "PATCH /api/v1/me": Spec({"hide_presence": False}),
    "POST /register": Spec(registration, fresh_actor=True, alone=True),  # signs them in
    "POST /login": Spec(credentials, fresh_actor=True),  # ends the session it replaces
    "POST /logout": Spec(fresh_actor=True),
    "POST /account/profile": Spec(own_profile),
    "POST /account/region": Spec({"region": "GB"}),
    "POST /account/language": Spec({"locale": "es"}),
    "POST /account/tokens": Spec({"name": "Another"}),
    # Ends the member's other sessions and tokens.
    "POST /api/v1/me/password": Spec(password_change, fresh_actor=True),
    "POST /account/password": Spec(password_change, fresh_actor=True),
    # A new account made a site moderator each time; nobody is demoted.
    "PUT /api/v1/admin/users/{username}/role": Spec({"role": "moderator"}, {"username": outsider}),
    "POST /admin/roles": Spec(promotion),
    # Circles.
    "POST /api/v1/circles": Spec(new_circle, fresh_actor=True),  # makes them an owner
    "POST /api/v1/circles/{slug}/join": Spec(
        {"accept_rules_version": RULES_VERSION}, fresh_actor=True
    ),
    "POST /api/v1/circles/{slug}/leave": Spec(fresh_actor=True),
    "POST /api/v1/circles/{slug}/members": Spec(invitee),
    "POST /circles/new": Spec(new_circle, fresh_actor=True),
    "POST /c/{slug}/join": Spec({"accept_rules_version": RULES_VERSION}, fresh_actor=True),
    "POST /c/{slug}/leave": Spec(fresh_actor=True),
    "POST /c/{slug}/invite": Spec(invitee),
    # Removing and banning: a new member (or banned person) each call.
    "DELETE /api/v1/circles/{slug}/members/{username}": Spec(None, TARGET),
    "POST /api/v1/circles/{slug}/bans": Spec(ban),
    "DELETE /api/v1/circles/{slug}/bans/{username}": Spec(None, BANNED),
    "POST /c/{slug}/members/{username}/remove": Spec(None, TARGET),
    "POST /c/{slug}/members/{username}/ban": Spec({"reason": "Unkind to others."}, TARGET),
    "POST /c/{slug}/bans": Spec(ban),
    "POST /c/{slug}/bans/{username}/lift": Spec(None, BANNED),
    # Ground rules.
    "PUT /api/v1/circles/{slug}/rules": Spec(rules_edit, last=True),
    "POST /api/v1/circles/{slug}/rules/proposals": Spec(new_proposal, fresh_actor=True),
    f"POST {P}/endorse": Spec({"stance": "endorse"}),
    f"POST {P}/ratify": Spec({}, PROPOSAL, last=True),
    f"POST {P}/decline": Spec({"reason": "Not now."}, PROPOSAL),
    f"POST {P}/withdraw": Spec(None, PROPOSAL),
    "POST /c/{slug}/rules/edit": Spec(rules_edit_form, last=True),
    "POST /c/{slug}/rules/proposals": Spec(new_proposal, fresh_actor=True),
    "POST /rules/proposals/{proposal_id:id}/endorse": Spec({"stance": "endorse"}),
    "POST /rules/proposals/{proposal_id:id}/ratify": Spec(None, PROPOSAL, last=True),
    "POST /rules/proposals/{proposal_id:id}/decline": Spec({"reason": "Not now."}, PROPOSAL),
    "POST /rules/proposals/{proposal_id:id}/withdraw": Spec(None, PROPOSAL),
    # Circle moderation settings.
    "PATCH /api/v1/circles/{slug}/moderation": Spec({"crisis_concern": "publish_and_review"}),
    "POST /api/v1/circles/{slug}/moderation/watched-words": Spec(new_word),
    f"PATCH {W}": Spec({"explanation": "Please not here."}, WORD),
    f"DELETE {W}": Spec(None, WORD),
    "POST /c/{slug}/moderation-settings": Spec({"crisis_concern": "publish_and_review"}),
    "POST /c/{slug}/moderation-settings/words": Spec(new_word),
    "POST /c/{slug}/moderation-settings/words/{word_id:id}/delete": Spec(None, WORD),
    # The review queue, reports and crisis lines.
    "POST /api/v1/moderation/items/{item_id:id}/claim": Spec(None, ITEM),
    "POST /api/v1/moderation/items/{item_id:id}/decision": Spec({"action": "approve"}, ITEM),
    "PUT /api/v1/admin/escalation": Spec({"escalate_after_minutes": 5}),
    # A fresh post each: reports of one post at the same moment race to open its review
    # item, and on PostgreSQL the loser answers 500 (a fault of its own, reported).
    "POST /api/v1/reports": Spec(report),
    "POST /moderation/items/{item_id:id}/claim": Spec(None, ITEM),
    "POST /moderation/items/{item_id:id}/decision": Spec({"action": "approve"}, ITEM),
    "POST /moderation/items/{item_id:id}/check-in": Spec({"body": "How are you?"}, ITEM),
    "POST /admin/resources": Spec({"region": "ZZ", "name": "A line", "phone": "0"}),
    "POST /admin/escalation": Spec({"escalate_after_minutes": "5"}),
    "POST /admin/resources/{resource_id:id}/delete": Spec(None, {"resource_id": fresh_resource}),
    "POST /posts/{post_id:id}/report": Spec({"reason": "Please look"}, POST),
    # Check-ins: the author's check-in room, opened by a site moderator.
    "POST /api/v1/moderation/items/{item_id:id}/check-in": Spec({"body": "How are you?"}, ITEM),
    "GET /api/v1/check-ins/{room_id:id}": Spec(None, CHECK_IN),
    "POST /api/v1/check-ins/{room_id:id}/close": Spec(None, CHECK_IN),
    "GET /check-ins/{room_id:id}": Spec(None, CHECK_IN),
    "POST /check-ins/{room_id:id}/close": Spec(None, CHECK_IN),
    # Chat and direct messages.
    "POST /account/messages": Spec({"dm_policy": "nobody"}),
    "POST /api/v1/me/conversations": Spec(dm_target),
    "POST /messages": Spec(dm_target),
    "POST /api/v1/circles/{slug}/rooms": Spec(new_room),
    "PATCH /api/v1/rooms/{room_id:id}": Spec({"description": "Come and go."}),
    "POST /c/{slug}/rooms": Spec(new_room),
    "POST /rooms/{room_id:id}/settings": Spec(room_form),
    # Boundaries and the member's own data.
    # Blocking the author would change what later rows see (a check-in is refused, say).
    "POST /account/blocks": Spec(block_form, fresh_actor=True),
    "POST /api/v1/me/blocks/{username}": Spec(fresh_actor=True),
    "POST /u/{username}/block": Spec(fresh_actor=True),
    "POST /posts/{post_id:id}/block-author": Spec(fresh_actor=True),
    "POST /account/muted-words": Spec({"muted_words": ""}),
    "POST /api/v1/me/delete": Spec(delete_me, fresh_actor=True),
    "POST /account/delete": Spec(delete_me_form, fresh_actor=True),
    "PUT /api/v1/me/safety-plan": Spec({"coping": ["A walk."]}),
    "POST /me/safety-plan": Spec({"coping": "A walk."}),
    "GET /api/v1/me/people": Spec(query="q=witness"),
    "GET /api/v1/search": Spec(query="q=together"),
    "GET /search": Spec(query="q=together"),
    # E-mail: the actor's own address, and reset links for a new member each time.
    "PUT /api/v1/me/email": Spec({"email": "someone@example.org"}),
    "PATCH /api/v1/me/email": Spec(digest_on),
    "POST /api/v1/me/email/verify": Spec(own_verify_link),
    "POST /api/v1/password-reset": Spec({"login": "nobody-by-this-name"}),
    "POST /api/v1/password-reset/confirm": Spec(reset_link),
    "POST /account/email": Spec({"email": "someone@example.org"}),
    "POST /account/email/digest": Spec(digest_on),
    "POST /account/email/verify": Spec(own_verify_link),
    "POST /forgot-password": Spec({"login": "nobody-by-this-name"}),
    "POST /reset-password": Spec(reset_link),
    # Notification settings: the kinds a member hears about, kept as they were.
    "PATCH /api/v1/me/notification-settings": Spec({"kinds": {"reply": True}}),
    "POST /notifications/settings": Spec({"kind_reply": "on", "kind_report": "on"}),
}


def spec_for(method: str, path: str) -> Spec:
    return SPECS.get(f"{method} {path}", Spec())
