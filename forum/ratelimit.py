"""In-process rate limits: a token bucket for writing, a failure window for logins."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from forum.errors import RateLimited


class TokenBucket:
    """Allows a burst, then one action every `seconds`; keyed by member."""

    def __init__(
        self, burst: int, seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.burst = burst
        self.seconds = seconds
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float | None:
        """Spend one token; return None if allowed, else seconds until one is free."""
        now = self.clock()
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) / self.seconds)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return None
        self._buckets[key] = (tokens, now)
        return (1 - tokens) * self.seconds


class FailureWindow:
    """Blocks a key after `attempts` failures within `window` seconds."""

    def __init__(
        self,
        attempts: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self.attempts = attempts
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        cutoff = self.clock() - self.window
        while failures and failures[0] < cutoff:
            failures.popleft()
        return failures

    def blocked_for(self, key: str) -> float | None:
        failures = self._recent(key)
        if len(failures) < self.attempts:
            return None
        return failures[0] + self.window - self.clock()

    def fail(self, key: str) -> None:
        self._recent(key).append(self.clock())
        if len(self._failures) > self.max_keys:
            self._forget_quiet_keys()

    def _forget_quiet_keys(self) -> None:
        cutoff = self.clock() - self.window
        for key in [k for k, times in self._failures.items() if not times or times[-1] < cutoff]:
            del self._failures[key]

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)


def keep_pace(limiter: TokenBucket, key: str, doing: str, where: str) -> None:
    """Spend one token or refuse with a 429 that says, kindly, when to try again."""
    wait = limiter.take(key)
    if wait is not None:
        raise RateLimited(
            f"You're {doing} faster than {where} allows. "
            f"Please take a breath and try again in {max(1, round(wait))} seconds.",
            retry_after=wait,
        )
