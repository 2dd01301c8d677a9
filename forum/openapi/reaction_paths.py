"""The OpenAPI path table for supportive reactions on posts and chat messages."""

from __future__ import annotations

from forum.openapi.components import Operation
from forum.reactions.schemas import ReactionSwitch

COUNTS = "counts: {with_you, thank_you, strength, me_too}, mine: [kind]"

OPERATIONS: list[Operation] = [
    (
        "get",
        "/api/v1/posts/{post_id}/reactions",
        "A post's reactions: the counts, the kinds you gave, and (to its author) who reacted",
        None,
        200,
        f"{{post_id, enabled, {COUNTS}, who?: [{{kind, label, display_name}}]}}",
    ),
    (
        "patch",
        "/api/v1/posts/{post_id}/reactions",
        "Turn reactions off or on for your own post",
        ReactionSwitch,
        200,
        f"{{post_id, enabled, {COUNTS}, who}}",
    ),
    (
        "put",
        "/api/v1/posts/{post_id}/reactions/{kind}",
        "Give a reaction to someone else's post (members of its circle; twice is once)",
        None,
        200,
        f"{{post_id, enabled, {COUNTS}}}; 403 own_post, reactions_off or blocked",
    ),
    (
        "delete",
        "/api/v1/posts/{post_id}/reactions/{kind}",
        "Take back a reaction you gave",
        None,
        200,
        f"{{post_id, enabled, {COUNTS}}}",
    ),
    (
        "get",
        "/api/v1/messages/{message_id}/reactions",
        "A chat message's reactions (who reacted, to its author)",
        None,
        200,
        f"{{message_id, {COUNTS}, who?: [{{kind, display_name}}]}}",
    ),
    (
        "put",
        "/api/v1/messages/{message_id}/reactions/{kind}",
        "React to a chat message; the room hears {type: reactions, id, counts} live",
        None,
        200,
        f"{{message_id, {COUNTS}}}; 403 own_message or blocked",
    ),
    (
        "delete",
        "/api/v1/messages/{message_id}/reactions/{kind}",
        "Take back a reaction to a chat message",
        None,
        200,
        f"{{message_id, {COUNTS}}}",
    ),
]
