"""The OpenAPI path table for moderation: the queue, decisions, reports, check-ins, crisis lines."""

from __future__ import annotations

from forum.accounts.schemas import RoleIn
from forum.checkins.schemas import CheckInIn
from forum.openapi.components import Operation
from forum.review.schemas import DecisionIn, EscalationIn, ReportIn

OPERATIONS: list[Operation] = [
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
        "/api/v1/moderation/queue/counts",
        "How many items wait in your circles (the number beside Review queue in the "
        "navigation, kept live by /ws/moderation)",
        None,
        200,
        "{total, urgent, crisis}",
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
        "{item, content, log}; 409 when already decided or stale, or unknown_rule",
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
        "{status, message}; 409 unknown_rule, rules_version_stale",
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
        "/api/v1/crisis-resources",
        "Crisis lines for a region (?region=GB)",
        None,
        200,
        "{region, resources: [{name, phone, sms, url, description}]}",
    ),
]
