"""Response headers for every HTTP answer: CSP and friends, private caching, HSTS."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
PRIVATE = b"private, no-store"
# Cookies that make an answer someone's own: the session (web.SESSION_COOKIE).
_PERSONAL_COOKIES = ("circles_session=",)


def is_personal(scope: Scope) -> bool:
    """Whether the answer may depend on who is asking: signed in, a token, or about "me".

    Static files are the same for everyone, whoever asks.
    """
    path: str = scope.get("path", "")
    if path.startswith("/static/"):
        return False
    if path == "/api/v1/me" or path.startswith("/api/v1/me/"):
        return True
    headers = Headers(scope=scope)
    if "authorization" in headers:
        return True
    cookies = [part.strip() for part in headers.get("cookie", "").split(";")]
    return any(part.startswith(_PERSONAL_COOKIES) for part in cookies)


class SecurityHeaders:
    """Adds CSP and friends to every HTTP response (plain ASGI: no per-request task).

    Answers for a signed-in member, and any answer that sets a cookie, are marked
    `private, no-store`: a shared cache or the browser's back button must never show one
    member's page, or their session, to someone else. Anonymous public pages stay cacheable.
    Over HTTPS, `Strict-Transport-Security` tells browsers never to use plain HTTP again.
    """

    def __init__(self, app: ASGIApp, hsts_seconds: int = 0) -> None:
        self.app = app
        self.hsts = (
            [(b"strict-transport-security", f"max-age={hsts_seconds}".encode())]
            if hsts_seconds > 0
            else []
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        personal = is_personal(scope)
        extra = SECURITY_HEADERS + (self.hsts if scope.get("scheme") == "https" else [])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if personal or any(name.lower() == b"set-cookie" for name, _ in headers):
                    headers = [(n, v) for n, v in headers if n.lower() != b"cache-control"]
                    headers.append((b"cache-control", PRIVATE))
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)
