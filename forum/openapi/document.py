"""The OpenAPI document: every operation of the path tables, with who may call it."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from forum.openapi.circle_paths import OPERATIONS as CIRCLE_OPERATIONS
from forum.openapi.components import (
    CREDENTIALS,
    SECURITY_SCHEMES,
    Operation,
    body_schema,
    error_response,
    path_parameter,
)
from forum.openapi.mail_paths import OPERATIONS as MAIL_OPERATIONS
from forum.openapi.people_paths import OPERATIONS as PEOPLE_OPERATIONS
from forum.openapi.reaction_paths import OPERATIONS as REACTION_OPERATIONS
from forum.openapi.review_paths import OPERATIONS as REVIEW_OPERATIONS

OPERATIONS: list[Operation] = [
    *PEOPLE_OPERATIONS,
    *MAIL_OPERATIONS,
    *CIRCLE_OPERATIONS,
    *REACTION_OPERATIONS,
    *REVIEW_OPERATIONS,
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
        ("get", "/api/v1/search"),
        ("get", "/api/v1/rules/proposals/{proposal_id}"),
        ("get", "/api/v1/crisis-resources"),
    }
)
# How a visitor becomes a member (or gets back in): no credentials needed or read.
SIGN_IN = frozenset(
    {
        ("post", "/api/v1/auth/register"),
        ("post", "/api/v1/auth/token"),
        ("post", "/api/v1/password-reset"),
        ("post", "/api/v1/password-reset/confirm"),
    }
)


def _text_query(name: str, max_length: int) -> dict[str, Any]:
    """A required query parameter holding something besides spaces (else 400 empty_query)."""
    schema = {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": "\\S"}
    return {"name": name, "in": "query", "required": True, "schema": schema}


QUERY = {
    ("get", "/api/v1/search"): [_text_query("q", 200)],
    ("get", "/api/v1/me/people"): [
        _text_query("q", 48),
        {
            "name": "circle",
            "in": "query",
            "required": False,
            "description": "Only fellow members of this circle (by slug): who a post there "
            "can mention. A circle the reader is not in finds nobody.",
            "schema": {"type": "string"},
        },
    ],
}


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
            "default": error_response("An error a person can act on"),
        },
        "security": [] if key in SIGN_IN else [{}, *CREDENTIALS] if key in PUBLIC else CREDENTIALS,
    }
    if key in QUERY:
        op["parameters"] = QUERY[key]
    if key not in SIGN_IN:
        op["responses"]["401"] = error_response(
            "Not signed in (login_required) or the token is not valid (bad_token)"
        )
    if body is not None:
        schema = body_schema(body, defs)
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
            item["parameters"] = [path_parameter(name) for name in params]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Circles API", "version": "1"},
        "paths": paths,
        "components": {"schemas": defs, "securitySchemes": SECURITY_SCHEMES},
    }
