"""Rate limits: a burst then a steady pace for writing; failure windows for logins."""

from __future__ import annotations

import httpx

from forum.ratelimit import FailureWindow, TokenBucket
from tests.conftest import PASSWORD, AppFactory, Persona


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_one_per_interval() -> None:
    clock = Clock()
    bucket = TokenBucket(burst=2, seconds=6, clock=clock)
    assert bucket.take("a") is None and bucket.take("a") is None
    assert bucket.take("a") == 6
    clock.now = 6
    assert bucket.take("a") is None
    assert bucket.take("b") is None  # members don't share a bucket


def test_failure_window_blocks_then_forgets() -> None:
    clock = Clock()
    window = FailureWindow(attempts=2, window=60, clock=clock)
    window.fail("k")
    assert window.blocked_for("k") is None
    window.fail("k")
    assert window.blocked_for("k") == 60
    clock.now = 61
    assert window.blocked_for("k") is None


def test_failure_window_drops_quiet_keys_instead_of_growing_forever() -> None:
    clock = Clock()
    window = FailureWindow(attempts=5, window=60, clock=clock, max_keys=100)
    for n in range(100):
        window.fail(f"old-{n}")
    clock.now = 120
    window.fail("new")
    assert len(window._failures) == 1


async def test_failed_logins_elsewhere_cannot_lock_a_member_out(
    make_app: AppFactory, user: Persona
) -> None:
    app = make_app(login_rate_attempts=3)

    def from_address(host: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(host, 1234))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    body = {"username": user.username, "password": "not the password"}
    async with from_address("203.0.113.9") as attacker, from_address("198.51.100.7") as owner:
        for _ in range(3):
            assert (await attacker.post("/api/v1/auth/token", json=body)).status_code == 401
        assert (await attacker.post("/api/v1/auth/token", json=body)).status_code == 429
        real = {"username": user.username, "password": PASSWORD}
        assert (await owner.post("/api/v1/auth/token", json=real)).status_code == 200
