"""The OpenAPI path table for e-mail: your own address, its digest, and password resets."""

from __future__ import annotations

from forum.accounts.schemas import Empty
from forum.mail.schemas import DigestIn, EmailIn, ResetConfirm, ResetIn, TokenIn
from forum.openapi.components import Operation

STATE = "{email, verified, digest}: yours alone, never in any other answer"

OPERATIONS: list[Operation] = [
    ("get", "/api/v1/me/email", "Your e-mail address, if you added one", None, 200, STATE),
    (
        "put",
        "/api/v1/me/email",
        "Add or change your address: it is unverified until the link mailed to it (valid "
        "24 hours, once) is opened; 422 bad_email, 429 after several in a row",
        EmailIn,
        202,
        STATE,
    ),
    (
        "patch",
        "/api/v1/me/email",
        "Turn the daily digest of unread notifications on or off; 409 no_email",
        DigestIn,
        200,
        STATE,
    ),
    ("delete", "/api/v1/me/email", "Remove your address", Empty, 200, STATE),
    (
        "post",
        "/api/v1/me/email/verify",
        "Verify your address with the token from the mailed link; 404 link_not_found, "
        "409 link_used or link_expired",
        TokenIn,
        200,
        STATE,
    ),
    (
        "post",
        "/api/v1/password-reset",
        "Ask for a password reset link by username or verified address: the answer is the "
        "same whether or not anything was found; 429 after several in a row",
        ResetIn,
        202,
        "{message}",
    ),
    (
        "post",
        "/api/v1/password-reset/confirm",
        "Set a new password with a reset token (valid an hour, once): every session ends and "
        "every API token is revoked; 404 link_not_found, 409 link_used or link_expired",
        ResetConfirm,
        200,
        "{changed: true}",
    ),
]
