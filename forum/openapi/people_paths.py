"""The OpenAPI path table for accounts and what is personal: sign-up, settings, blocks, data."""

from __future__ import annotations

from forum.accounts.schemas import MeChanges, PasswordChange, Register, TokenRequest
from forum.chat.schemas import StartConversation
from forum.notifications.schemas import MarkRead, SettingsChanges
from forum.openapi.components import Operation
from forum.ownership.schemas import DeleteAccount
from forum.safety.schemas import PlanIn

ME = (
    "{id, username, display_name, role, hide_presence, muted_words, availability, taking_break, "
    "dm_policy, content_warning_prefs, check_ins, locale}"
)

OPERATIONS: list[Operation] = [
    (
        "post",
        "/api/v1/auth/register",
        "Create an account",
        Register,
        201,
        "{id, username, display_name, role}; 409 username_taken, name_looks_taken",
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
        'whether moderators may check in privately, locale: "en"|"es" or null to follow the '
        "browser's Accept-Language); 422 unknown_locale",
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
        "Start (201) or reopen (200) a direct conversation, if the member allows it: "
        "user_id (from /api/v1/me/people) or username",
        StartConversation,
        201,
        "{id, kind: 'direct', name, with, ...}; 409 cannot_message_self",
    ),
    (
        "get",
        "/api/v1/search",
        "Search the threads and posts you may read (public circles and private ones you belong "
        'to): ?q= words (all must match), "a phrase", or between alternatives, -word to leave '
        "one out; up to 25, newest first; only published posts, none by members you blocked; "
        "400 empty_query or query_too_long (over 200 characters)",
        None,
        200,
        "{items: [{type: 'thread'|'post', id, thread_id, circle (slug), title, "
        "snippet (plain text), muted?: true}]}",
    ),
    (
        "get",
        "/api/v1/me/people",
        "The member picker: up to 10 people you share a circle with whose display name holds "
        "?q= (case and lookalike letters folded); 400 empty_query or query_too_long. Send the "
        "id as user_id to start a conversation or invite someone",
        None,
        200,
        "{items: [{id, display_name, circles: [name]}]}",
    ),
    (
        "get",
        "/api/v1/me/notifications",
        "Your notifications, newest first (kinds: reply, mention, report, rules, invite, decision, "
        "check_in, check_in_reply, support_waiting); live on /ws/notifications",
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
    (
        "get",
        "/api/v1/me/notification-settings",
        "Which kinds of notification you get, and your quiet hours",
        None,
        200,
        "{kinds: {reply, mention, report, rules, invite: bool}, "
        "quiet_hours: {start, end, time_zone} | null}",
    ),
    (
        "patch",
        "/api/v1/me/notification-settings",
        "Turn kinds on or off, set quiet hours (times as HH:MM on the clock of an IANA time "
        "zone) or clear them with null; what the moderators tell you can't be turned off",
        SettingsChanges,
        200,
        "{kinds, quiet_hours}",
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
        "{display_name, blocked: true}; 200 when already blocked; 409 cannot_block_self",
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
]
