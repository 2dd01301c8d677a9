"""Rate limits every server process shares: buckets for writing, growing delays for sign-ins.

Each limit lives in the `rate_limits` table, so two processes behind one load balancer
count against the same limit. A token is taken in the request's own transaction: if the
request fails, its token comes back with the rollback. A failed sign-in is counted in a
transaction of its own after the request's has ended (the request rolls back), by
`Limits.sign_in_failed`, which the boundary runs whatever happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from forum.config import Settings
from forum.errors import RateLimited
from forum.ratelimit import repository

# How often a process sweeps out rows that no longer limit anything.
PRUNE_EVERY_SECONDS = 300.0


@dataclass(frozen=True)
class Pace:
    """A token bucket: `burst` actions at once, then one every `seconds`."""

    action: str
    burst: int
    seconds: float
    doing: str  # "posting": completes "You're … faster than this space allows"
    where: str = "this space"


@dataclass(frozen=True)
class Backoff:
    """After `attempts` failures, each try waits 1, 2, 4 … times `delay`, at most `longest`."""

    action: str
    attempts: int
    delay: float
    longest: float
    forget_after: float

    def wait_after(self, failures: int) -> float:
        if failures < self.attempts:
            return 0.0
        return min(self.longest, self.delay * 2.0 ** min(failures - self.attempts, 30))


def _seconds(wait: float) -> str:
    whole = max(1, round(wait + 0.4999))
    return "1 second" if whole == 1 else f"{whole} seconds"


class Limits:
    """The limits one application enforces, read from its settings; `clock` is injectable."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self._pruned_at = 0.0
        s = settings
        self.posts = Pace("post", s.post_rate_burst, s.post_rate_seconds, "posting")
        self.chat = Pace(
            "chat", s.chat_rate_burst, s.chat_rate_seconds, "sending", where="this room"
        )
        self.reports = Pace("report", s.report_rate_burst, s.report_rate_seconds, "reporting")
        self.invitations = Pace(
            "invite", s.invite_rate_burst, s.invite_rate_seconds, "inviting people"
        )
        self.registrations = Pace(
            "register", s.register_rate_burst, s.register_rate_seconds, "creating accounts"
        )
        longest, forget = s.login_delay_max_seconds, s.login_rate_window_seconds
        self.account = Backoff(
            "login_account", s.login_rate_attempts, s.login_delay_seconds, longest, forget
        )
        self.address = Backoff(
            "login_address", s.login_address_attempts, s.login_delay_seconds, longest, forget
        )
        # Deleting an account asks for the password again: guesses wait like sign-ins.
        self.password_check = Backoff(
            "password_check", s.login_rate_attempts, s.login_delay_seconds, longest, forget
        )

    async def keep_pace(self, db: AsyncSession, pace: Pace, key: str) -> None:
        """Take one token or refuse with a 429 that says, kindly, when to try again."""
        now = self.clock()
        await self._prune(db, now)
        row = await repository.take_token(db, pace.action, key, now, pace.burst, pace.seconds)
        if row is None:
            return
        level, at, _ = row
        wait = (1 - repository.refilled(level, at, now, pace.burst, pace.seconds)) * pace.seconds
        raise RateLimited(
            f"You're {pace.doing} faster than {pace.where} allows. "
            f"Please take a breath and try again in {_seconds(wait)}.",
            retry_after=wait,
        )

    def sign_in_rules(self, address: str, name: str) -> list[tuple[Backoff, str]]:
        """A sign-in counts against the account (whatever address tries it) and the address."""
        return [(self.account, name), (self.address, address)]

    async def must_wait(
        self,
        db: AsyncSession,
        rules: list[tuple[Backoff, str]],
        what: str = "Too many sign-in attempts.",
    ) -> None:
        """Refuse while any of these keys must wait after failures."""
        now = self.clock()
        waits = [0.0]
        for rule, key in rules:
            row = await repository.get(db, rule.action, key)
            if row is not None and row[2] > now:
                waits.append(row[2] - now)
        if (wait := max(waits)) > 0:
            raise RateLimited(
                f"{what} Please wait {_seconds(wait)} and try again.",
                retry_after=wait,
            )

    async def failed(self, rules: list[tuple[Backoff, str]]) -> None:
        """Count a failure for each key, in a transaction of its own (the request's rolls back)."""
        now = self.clock()
        async with self.sessions() as db:
            for rule, key in rules:
                failures = await repository.add_failure(
                    db, rule.action, key, now, rule.forget_after
                )
                if (wait := rule.wait_after(failures)) > 0:
                    await repository.block(db, rule.action, key, now + wait)
            await db.commit()

    async def succeeded(self, db: AsyncSession, rule: Backoff, key: str) -> None:
        """The right password ends this key's delays (an address keeps its count)."""
        await repository.clear(db, rule.action, key)

    async def _prune(self, db: AsyncSession, now: float) -> None:
        if now - self._pruned_at >= PRUNE_EVERY_SECONDS:
            self._pruned_at = now
            await repository.prune(db, now)
