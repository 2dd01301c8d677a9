"""The OpenAPI document for the JSON API, built from the request schemas."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from forum.accounts.schemas import MeChanges, PasswordChange, Register, RoleIn, TokenRequest
from forum.chat.schemas import NewRoom, RoomChanges, StartConversation
from forum.checkins.schemas import CheckInIn
from forum.circle_members.schemas import BanIn
from forum.circle_moderation.schemas import (
    ModerationChanges,
    NewWatchedWord,
    WatchedWordChanges,
)
from forum.circles.schemas import Invite, Join, NewCircle
from forum.notifications.schemas import MarkRead
from forum.ownership.schemas import DeleteAccount
from forum.review.schemas import DecisionIn, EscalationIn, ReportIn
from forum.rules.schemas import DeclineIn, ProposalIn, RatifyIn, RulesEdit, StanceIn
from forum.safety.schemas import PlanIn
from forum.threads.schemas import NewPost, NewThread

ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            "required": ["code", "message"],
        }
    },
}

ME = (
    "{id, username, display_name, role, hide_presence, muted_words, availability, taking_break, "
    "dm_policy, content_warning_prefs, check_ins}"
)

# (method, path, summary, request body, success status, what the success returns)
OPERATIONS: list[tuple[str, str, str, type[BaseModel] | None, int, str]] = [
    (
        "post",
        "/api/v1/auth/register",
        "Create an account",
        Register,
        201,
        "{id, username, display_name, role}",
    ),
    ("post", "/api/v1/auth/token", "Get a personal API token", TokenRequest, 200, "{token, user}"),
    (
        "get",
        "/api/v1/me",
        "The signed-in member",
        None,
        200,
        ME,
    ),
    (
        "patch",
        "/api/v1/me",
        "Change your own settings (hide_presence, muted_words, availability, taking_break, "
        'dm_policy, content_warning_prefs: {warning: "show"|"blur"|"hide"}, check_ins: '
        "whether moderators may check in privately)",
        MeChanges,
        200,
        ME,
    ),
    (
        "post",
        "/api/v1/me/password",
        "Change your password: every other session ends and every API token but the one "
        "used is revoked, and their sockets close (4401); wrong current password 403, "
        "429 after repeated tries",
        PasswordChange,
        200,
        "{changed: true, sessions_ended, tokens_revoked}",
    ),
    (
        "get",
        "/api/v1/me/conversations",
        "Your direct conversations, most recently active first (rooms named after the other)",
        None,
        200,
        "{rooms: [{id, kind: 'direct', name, with, ...}]}",
    ),
    (
        "post",
        "/api/v1/me/conversations",
        "Start (201) or reopen (200) a direct conversation, if the member allows it",
        StartConversation,
        201,
        "{id, kind: 'direct', name, with, ...}",
    ),
    ("get", "/api/v1/circles", "Circles you can read", None, 200, "{circles: [circle]}"),
    (
        "post",
        "/api/v1/circles",
        "Create a circle (you become its owner)",
        NewCircle,
        201,
        "{slug, name, description, visibility, rules: {version, items}}",
    ),
    (
        "get",
        "/api/v1/circles/{slug}",
        "One circle with its current ground rules",
        None,
        200,
        "{slug, name, description, visibility, rules: {version, items: [{id, title, text}]}}",
    ),
    (
        "post",
        "/api/v1/circles/{slug}/join",
        "Join, accepting the current rules version",
        Join,
        200,
        "{slug, role, accepted_rules_version}; 409 with current_version when stale",
    ),
    (
        "post",
        "/api/v1/circles/{slug}/members",
        "Invite a member (owners and moderators)",
        Invite,
        201,
        "{slug, user_id, role}",
    ),
    ("post", "/api/v1/circles/{slug}/leave", "Leave a circle", None, 200, "{slug, left}"),
    (
        "get",
        "/api/v1/circles/{slug}/members",
        "Who is in the circle (its members and site staff); owners and moderators also get "
        "usernames and whom they may remove or ban",
        None,
        200,
        "{slug, members: [{display_name, role, joined_at, username?, can_manage?}]}",
    ),
    (
        "delete",
        "/api/v1/circles/{slug}/members/{username}",
        "Remove a member (owners, circle moderators, site staff; only owners and admins "
        "remove an owner, never the last); their sockets in its rooms close (4403)",
        None,
        200,
        "{slug, username, removed: true}; 409 last_owner, 422 yourself",
    ),
    (
        "get",
        "/api/v1/circles/{slug}/bans",
        "The circle's bans (owners, circle moderators, site staff)",
        None,
        200,
        "{slug, bans: [{username, display_name, reason, banned_by, created_at}]}",
    ),
    (
        "post",
        "/api/v1/circles/{slug}/bans",
        "Ban someone: their membership ends and they can't rejoin, be invited, post, reply, "
        "report or chat here; their sockets in its rooms close (4403)",
        BanIn,
        201,
        "{slug, username, display_name, reason, banned: true}; 409 already_banned, last_owner",
    ),
    (
        "delete",
        "/api/v1/circles/{slug}/bans/{username}",
        "Lift a ban (owners, circle moderators, site staff)",
        None,
        200,
        "{slug, username, banned: false}; 404 not_banned",
    ),
    # Ground rules: versions, owners' edits, members' proposals and stances.
    (
        "get",
        "/api/v1/circles/{slug}/rules",
        "The current ground rules (or ?version=N), what that version changed, every version",
        None,
        200,
        "{version, current_version, summary, ratified_at, items: [{id, title, text}], "
        "changes: [{kind, rule_id, title, text, old?}], "
        "history: [{version, ratified_at, summary}]}",
    ),
    (
        "put",
        "/api/v1/circles/{slug}/rules",
        "Owners rewrite the rules as a new version (items with an id keep it; without, new)",
        RulesEdit,
        200,
        "the new version, as GET; 409 no_changes, too_many_rules, last_rule",
    ),
    (
        "get",
        "/api/v1/circles/{slug}/rules/proposals",
        "Members: proposals with tallies (?status=open|closed|all); owners also see stances",
        None,
        200,
        "{rules_version, proposals: [{id, kind, status, rule_id, title, text, old, rationale, "
        "base_version, author, created_at, tally: {endorse, object}, my_stance, decision, "
        "stances?}]}",
    ),
    (
        "post",
        "/api/v1/circles/{slug}/rules/proposals",
        "Propose adding, changing or removing a rule, with your reasons",
        ProposalIn,
        201,
        "{id, status, ...} as in the list; 409 rule_removed, rule_outdated, "
        "too_many_open_proposals, too_many_rules",
    ),
    (
        "get",
        "/api/v1/rules/proposals/{proposal_id}",
        "One proposal with its tally",
        None,
        200,
        "a proposal, as in the list",
    ),
    (
        "post",
        "/api/v1/rules/proposals/{proposal_id}/endorse",
        "Endorse or object, with an optional comment (one stance per member; changeable)",
        StanceIn,
        200,
        "the proposal with its tally and my_stance",
    ),
    (
        "post",
        "/api/v1/rules/proposals/{proposal_id}/ratify",
        "Owners ratify a proposal as a new version of the rules (body optional)",
        RatifyIn,
        200,
        "{id, status, version}; 409 proposal_closed or when the rule changed since",
    ),
    (
        "post",
        "/api/v1/rules/proposals/{proposal_id}/decline",
        "Owners decline a proposal, with a reason its author sees",
        DeclineIn,
        200,
        "the proposal, declined",
    ),
    (
        "post",
        "/api/v1/rules/proposals/{proposal_id}/withdraw",
        "Withdraw your own open proposal",
        None,
        200,
        "the proposal, withdrawn",
    ),
    (
        "get",
        "/api/v1/circles/{slug}/threads",
        "A page of threads (?cursor=)",
        None,
        200,
        "{threads: [{..., muted?}], next_cursor}; threads by members you blocked are left out",
    ),
    (
        "post",
        "/api/v1/circles/{slug}/threads",
        "Start a thread",
        NewThread,
        201,
        "{id, title, post: {id, status, body_html}}",
    ),
    (
        "get",
        "/api/v1/circles/{slug}/moderation",
        "A circle's moderation settings (owners and moderators)",
        None,
        200,
        "{slug, thresholds: {label: {hold, flag}}, crisis_concern, watched_words, "
        "content_warnings, limits, can_edit}",
    ),
    (
        "patch",
        "/api/v1/circles/{slug}/moderation",
        "Change thresholds and the crisis concern policy (owners); logged",
        ModerationChanges,
        200,
        "the settings, as GET answers them",
    ),
    (
        "post",
        "/api/v1/circles/{slug}/moderation/watched-words",
        "Watch a word or phrase (owners); logged",
        NewWatchedWord,
        201,
        "{id, phrase, action, warning, explanation, replacement}",
    ),
    (
        "patch",
        "/api/v1/circles/{slug}/moderation/watched-words/{word_id}",
        "Change a watched word (owners); logged",
        WatchedWordChanges,
        200,
        "{id, phrase, action, warning, explanation, replacement}",
    ),
    (
        "delete",
        "/api/v1/circles/{slug}/moderation/watched-words/{word_id}",
        "Stop watching a word (owners); logged",
        None,
        200,
        "{id, phrase, removed: true}",
    ),
    (
        "get",
        "/api/v1/circles/{slug}/moderation/log",
        "Changes to the circle's moderation settings, newest first (?before=<id>)",
        None,
        200,
        "{entries: [{id, actor, created_at, changes, summary}], before}",
    ),
    (
        "get",
        "/api/v1/circles/{slug}/rooms",
        "The circle's chat rooms",
        None,
        200,
        "{rooms: [{id, kind, name, description, slow_mode_seconds, schedule, hours, open_now}]}",
    ),
    (
        "post",
        "/api/v1/circles/{slug}/rooms",
        "Add a chat room (owners)",
        NewRoom,
        201,
        "{id, name, description, slow_mode_seconds, schedule, hours, open_now}",
    ),
    (
        "patch",
        "/api/v1/rooms/{room_id}",
        "Change a room's name, description, slow mode or opening hours (hosts)",
        RoomChanges,
        200,
        "{id, name, description, slow_mode_seconds, schedule, hours, open_now}",
    ),
    (
        "get",
        "/api/v1/rooms/{room_id}/messages",
        "A page of a chat room's history, oldest first (?before=<seq>)",
        None,
        200,
        "{messages: [{id, seq, room_id, author, body_html, created_at, client_msg_id, muted?}], "
        "before}; messages by members you blocked are left out",
    ),
    (
        "get",
        "/api/v1/threads/{thread_id}",
        "A page of a thread's posts (?cursor=)",
        None,
        200,
        "{id, title, title_muted?, circle, posts: [{id, author, body_html, status, created_at, "
        "muted?, blocked?}], next_cursor}",
    ),
    (
        "post",
        "/api/v1/threads/{thread_id}/posts",
        "Reply to a thread",
        NewPost,
        201,
        "{id, status, body_html}",
    ),
    (
        "patch",
        "/api/v1/posts/{post_id}",
        "Edit your post (the old text is kept)",
        NewPost,
        200,
        "{id, status, body_html, edited_at}",
    ),
    (
        "delete",
        "/api/v1/posts/{post_id}",
        "Delete your post",
        None,
        200,
        "{id, status: removed, removed_by: author}",
    ),
    (
        "get",
        "/api/v1/posts/{post_id}/revisions",
        "Your post's earlier versions",
        None,
        200,
        "{post_id, revisions: [{body, body_html, created_at}]}",
    ),
    (
        "get",
        "/api/v1/moderation/queue",
        "The review queue (?circle_id=&reason=&urgent=1)",
        None,
        200,
        "{items: [{id, content_type, content_id, priority, reasons, status, "
        "claimed_by, version, ...}], counts, wellbeing}",
    ),
    (
        "get",
        "/api/v1/moderation/items/{item_id}",
        "One review item with context",
        None,
        200,
        "{item, content, reports, history}",
    ),
    (
        "post",
        "/api/v1/moderation/items/{item_id}/claim",
        "Claim an item",
        None,
        200,
        "the item; 409 when someone else holds it",
    ),
    (
        "post",
        "/api/v1/moderation/items/{item_id}/decision",
        "Decide an item",
        DecisionIn,
        200,
        "{item, content, log}; 409 when already decided or stale",
    ),
    ("get", "/api/v1/moderation/log", "The moderation log", None, 200, "{entries: [...]}"),
    (
        "get",
        "/api/v1/moderation/health",
        "Queue health",
        None,
        200,
        "{days, time_to_first_decision_minutes, waiting_for_first_look, escalate_after_minutes, "
        "overdue: [{item_id, waited_minutes, escalated}]}",
    ),
    (
        "get",
        "/api/v1/admin/escalation",
        "Minutes an urgent item may wait unclaimed before it is escalated (admins)",
        None,
        200,
        "{escalate_after_minutes}",
    ),
    (
        "put",
        "/api/v1/admin/escalation",
        "Change it: 1 to 240 minutes (admins)",
        EscalationIn,
        200,
        "{escalate_after_minutes}",
    ),
    (
        "put",
        "/api/v1/admin/users/{username}/role",
        "Set a member's site role (admins); a demoted moderator's live queue closes (4403); "
        "409 last_admin",
        RoleIn,
        200,
        "{username, display_name, role}",
    ),
    (
        "post",
        "/api/v1/reports",
        "Report content to the moderators",
        ReportIn,
        201,
        "{status, message}",
    ),
    (
        "get",
        "/api/v1/me/moderation",
        "Decisions about your own content",
        None,
        200,
        "{decisions: [...]}",
    ),
    (
        "post",
        "/api/v1/moderation/items/{item_id}/check-in",
        "Check in privately with the item's author, as the moderators' team (201); 409 "
        "check_ins_off when they said no to check-ins",
        CheckInIn,
        201,
        "{room_id, new_room, message_id, url}",
    ),
    (
        "get",
        "/api/v1/check-ins/{room_id}",
        "A check-in conversation, for its member or the team; support is the member's "
        "crisis lines for their region",
        None,
        200,
        "{rooms: [{id, kind: 'check_in', name, closed, ...}], support: {region, resources}}",
    ),
    (
        "post",
        "/api/v1/check-ins/{room_id}/close",
        "Close your check-in conversation (the member only); a new check-in opens it again",
        None,
        200,
        "{room_id, closed}",
    ),
    (
        "get",
        "/api/v1/me/notifications",
        "Your notifications, newest first (kinds: decision, check_in); live on /ws/notifications",
        None,
        200,
        "{items: [{id, kind, created_at, read, text, url}]}",
    ),
    (
        "post",
        "/api/v1/me/notifications/read",
        "Mark notifications read: the given ids, or all of them when ids is left out",
        MarkRead,
        200,
        "{unread}",
    ),
    # Personal boundaries and data ownership
    (
        "get",
        "/api/v1/me/blocks",
        "Members you blocked",
        None,
        200,
        "{blocks: [{id, display_name, blocked_at}]}",
    ),
    (
        "post",
        "/api/v1/me/blocks/{username}",
        "Block a member (they aren't told)",
        None,
        201,
        "{display_name, blocked: true}; 200 when already blocked",
    ),
    (
        "delete",
        "/api/v1/me/blocks/{username}",
        "Unblock a member",
        None,
        200,
        "{display_name, blocked: false}",
    ),
    (
        "get",
        "/api/v1/users/{username}",
        "A member's profile",
        None,
        200,
        "{display_name, availability, taking_break, member_since, is_you, you_blocked}",
    ),
    (
        "get",
        "/api/v1/me/export",
        "Everything that is yours, as a JSON file",
        None,
        200,
        "{format, exported_at, profile, settings, sessions, api_tokens, memberships, threads, "
        "posts, chat_messages, reports_made, decisions_about_your_content, safety_plan}",
    ),
    (
        "get",
        "/api/v1/me/safety-plan",
        "Your safety plan (only ever yours); crisis lines for your region are suggested "
        "until you first save it",
        None,
        200,
        "{saved, updated_at, sections: [{key, title, hint, lines}]}",
    ),
    (
        "put",
        "/api/v1/me/safety-plan",
        "Replace your safety plan (a section left out is saved empty)",
        PlanIn,
        200,
        "{saved, updated_at, sections: [{key, title, hint, lines}]}",
    ),
    (
        "post",
        "/api/v1/me/delete",
        "Delete your account (keep_posts: shown as a former member, or removed)",
        DeleteAccount,
        200,
        "{deleted: true, kept_posts, circles_handed_over}; 403 wrong_password",
    ),
    (
        "get",
        "/api/v1/crisis-resources",
        "Crisis lines for a region (?region=GB)",
        None,
        200,
        "{region, resources: [{name, phone, sms, url, description}]}",
    ),
]


# Readable without signing in (what a visitor sees of public circles); a token, when sent,
# must still be valid. Everything else answers 401 to a visitor.
PUBLIC = frozenset(
    {
        ("get", "/api/v1/circles"),
        ("get", "/api/v1/circles/{slug}"),
        ("get", "/api/v1/circles/{slug}/rules"),
        ("get", "/api/v1/circles/{slug}/threads"),
        ("get", "/api/v1/circles/{slug}/rooms"),
        ("get", "/api/v1/rooms/{room_id}/messages"),
        ("get", "/api/v1/threads/{thread_id}"),
        ("get", "/api/v1/rules/proposals/{proposal_id}"),
        ("get", "/api/v1/crisis-resources"),
    }
)
# How a visitor becomes a member: no credentials needed or read.
SIGN_IN = frozenset({("post", "/api/v1/auth/register"), ("post", "/api/v1/auth/token")})
CREDENTIALS: list[dict[str, list[str]]] = [{"bearer": []}, {"cookie": []}]
REF = "#/components/schemas/{model}"


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def _body_schema(body: type[BaseModel], defs: dict[str, Any]) -> dict[str, Any]:
    """The body's JSON schema; the models it names go to components (so `$ref`s resolve)."""
    schema: dict[str, Any] = _tidy(body.model_json_schema(ref_template=REF))
    defs.update(schema.pop("$defs", {}))
    return schema


def _tidy(schema: Any) -> Any:
    """Drops `"default": null` on fields that can't be null (left out means unchanged)."""
    if isinstance(schema, dict):
        if schema.get("default", 0) is None and schema.get("type") not in (None, "null"):
            schema = {k: v for k, v in schema.items() if k != "default"}
        return {key: _tidy(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_tidy(value) for value in schema]
    return schema


def _operation(
    key: tuple[str, str],
    summary: str,
    body: type[BaseModel] | None,
    status: int,
    returns: str,
    defs: dict[str, Any],
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {
            str(status): {"description": returns},
            "default": _error("An error a person can act on"),
        },
        "security": [] if key in SIGN_IN else [{}, *CREDENTIALS] if key in PUBLIC else CREDENTIALS,
    }
    if key not in SIGN_IN:
        op["responses"]["401"] = _error(
            "Not signed in (login_required) or the token is not valid (bad_token)"
        )
    if body is not None:
        schema = _body_schema(body, defs)
        op["requestBody"] = {
            # A body whose every field may be left out may be left out whole.
            "required": bool(schema.get("required")),
            "content": {"application/json": {"schema": schema}},
        }
    return op


@cache
def openapi_document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    defs: dict[str, Any] = {}
    for method, path, summary, body, status, returns in OPERATIONS:
        item = paths.setdefault(path, {})
        item[method] = _operation((method, path), summary, body, status, returns, defs)
        params = [part[1:-1] for part in path.split("/") if part.startswith("{")]
        if params:
            item["parameters"] = [_path_parameter(name) for name in params]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Circles API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "circles_session"},
            },
        },
    }


def _path_parameter(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = (
        # Ids match up to 18 digits (forum.fields.IdConvertor); anything else is a 404.
        {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}
        if name.endswith("_id")
        else {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[^/\\x00]+$"}
    )
    return {"name": name, "in": "path", "required": True, "schema": schema}
