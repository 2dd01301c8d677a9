"""The OpenAPI path table for circles: membership, ground rules, threads, rooms, settings."""

from __future__ import annotations

from forum.chat.schemas import NewRoom, RoomChanges
from forum.circle_members.schemas import BanIn
from forum.circle_moderation.schemas import (
    ModerationChanges,
    NewWatchedWord,
    WatchedWordChanges,
)
from forum.circles.schemas import Invite, Join, NewCircle
from forum.openapi.components import Operation
from forum.rules.schemas import DeclineIn, ProposalIn, RatifyIn, RulesEdit, StanceIn
from forum.threads.schemas import NewPost, NewThread

OPERATIONS: list[Operation] = [
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
        "{slug, username, removed: true}; 409 last_owner or yourself",
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
        "{slug, username, display_name, reason, banned: true}; 409 already_banned, "
        "last_owner or yourself",
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
        "the new version, as GET; 409 no_changes, unknown_rule, too_many_rules, last_rule",
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
        "{id, status, ...} as in the list; 409 rule_removed, rule_outdated, unknown_rule, "
        "unknown_version, no_changes, duplicate_title, last_rule, too_many_open_proposals, "
        "too_many_rules",
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
]
