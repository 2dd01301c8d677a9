"""Errors a person can cause, each with a status code and a message they can act on."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra = extra

    def payload(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.extra}}


class BadRequest(AppError):
    status = 400
    code = "bad_request"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    status = 409
    code = "conflict"


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"


class Invalid(AppError):
    status = 422
    code = "invalid"


class RateLimited(AppError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float, **extra: Any) -> None:
        self.retry_after = max(1, round(retry_after + 0.4999))
        super().__init__(message, retry_after=self.retry_after, **extra)


class DatabaseUnavailable(AppError):
    """The database can't be reached for a moment (forum.outage): try again shortly."""

    status = 503
    code = "database_unavailable"
    # Seconds: long enough for a restart or a failover, short enough to feel like a pause.
    RETRY_AFTER = 5

    def __init__(self, message: str, *, retry_after: int = RETRY_AFTER, **extra: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, retry_after=retry_after, **extra)
