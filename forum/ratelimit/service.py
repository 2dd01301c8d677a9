"""Rate limits every server process shares: buckets for writing, growing delays for sign-ins.

Each limit lives in the `rate_limits` table, so two processes behind one load balancer
count against the same limit. A token is taken in the request's own transaction: if the
request fails, its token comes back with the rollback. A password try is counted as a
failure before the password is checked, in a transaction of its own (`Limits.attempt`), so
guesses sent at the same instant line up behind one another; a right password takes its
count back (`Limits.passed`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from forum.config import Settings
from forum.errors import RateLimited
from forum.i18n import N_, _, ngettext
from forum.ratelimit import repository

# How often a process sweeps out rows that no longer limit anything.
PRUNE_EVERY_SECONDS = 300.0


@dataclass(frozen=True)
class Pace:
    """A token bucket: `burst` actions at once, then one every `seconds`."""

    action: str
    burst: int
    seconds: float
    # Marked with N_ and translated where shown; "posting" completes "You're … faster than
    # this space allows".
    doing: str
    where: str = N_("this space")


@dataclass(frozen=True)
class Backoff:
    """After `attempts` failures, each try waits 1, 2, 4 … times `delay`, at most `longest`."""

    action: str
    attempts: int
    delay: float
    longest: float
    forget_after: float
    forgiven: bool = True  # a right password clears the count, not just its own try

    def wait_after(self, failures: int) -> float:
        if failures < self.attempts:
            return 0.0
        return min(self.longest, self.delay * 2.0 ** min(failures - self.attempts, 30))


def _seconds(wait: float) -> str:
    whole = max(1, round(wait + 0.4999))
    return ngettext("%(num)d second", "%(num)d seconds", whole) % {"num": whole}


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
        self.posts = Pace("post", s.post_rate_burst, s.post_rate_seconds, N_("posting"))
        self.chat = Pace(
            "chat", s.chat_rate_burst, s.chat_rate_seconds, N_("sending"), where=N_("this room")
        )
        self.reports = Pace("report", s.report_rate_burst, s.report_rate_seconds, N_("reporting"))
        self.invitations = Pace(
            "invite", s.invite_rate_burst, s.invite_rate_seconds, N_("inviting people")
        )
        self.registrations = Pace(
            "register", s.register_rate_burst, s.register_rate_seconds, N_("creating accounts")
        )
        longest, forget = s.login_delay_max_seconds, s.login_rate_window_seconds
        self.account = Backoff(
            "login_account", s.login_rate_attempts, s.login_delay_seconds, longest, forget
        )
        self.address = Backoff(
            "login_address",
            s.login_address_attempts,
            s.login_delay_seconds,
            longest,
            forget,
            forgiven=False,  # one member's success says nothing of a NAT's other guesses
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
        level, at = row[0], row[1]
        wait = (1 - repository.refilled(level, at, now, pace.burst, pace.seconds)) * pace.seconds
        raise RateLimited(
            _(
                "You're %(doing)s faster than %(where)s allows. Please take a breath and try again "
                "in %(seconds)s."
            )
            % {"doing": _(pace.doing), "where": _(pace.where), "seconds": _seconds(wait)},
            retry_after=wait,
        )

    def sign_in_rules(self, address: str, name: str) -> list[tuple[Backoff, str]]:
        """A sign-in counts against the account (whatever address tries it) and the address."""
        return [(self.account, name), (self.address, address)]

    def password_rules(self, user_id: int) -> list[tuple[Backoff, str]]:
        """Asking a signed-in member for their password again counts against them alone."""
        return [(self.password_check, f"user:{user_id}")]

    async def attempt(
        self,
        request_db: AsyncSession,
        rules: list[tuple[Backoff, str]],
        what: str = N_("Too many sign-in attempts."),
    ) -> None:
        """Count this try as a failure before the password is checked, or refuse it (429).

        The count is one atomic upsert per key, committed in a transaction of its own, and
        the try that reaches the allowance sets the wait in that same transaction. So a
        burst of guesses sent at once lines up: each gets its own count, and those past the
        allowance find the wait already set. A refused try is not counted.

        Call it before the request writes anything: the request's reads so far end here,
        so the count stands whatever becomes of the request (and, on SQLite, never waits
        for the request's own write lock).
        """
        if request_db.in_transaction():
            await request_db.commit()
        now = self.clock()
        waits = [0.0]
        async with self.sessions() as db:
            for rule, key in rules:  # always in the same order: no two tries deadlock
                failures, blocked_until = await repository.add_failure(
                    db, rule.action, key, now, rule.forget_after
                )
                if blocked_until > now:
                    waits.append(blocked_until - now)
                elif (wait := rule.wait_after(failures)) > 0:
                    await repository.block(db, rule.action, key, now + wait)
            if (wait := max(waits)) > 0:
                await db.rollback()
                raise RateLimited(
                    _("%(what)s Please wait %(seconds)s and try again.")
                    % {"what": _(what), "seconds": _seconds(wait)},
                    retry_after=wait,
                )
            await db.commit()

    async def passed(self, db: AsyncSession, rules: list[tuple[Backoff, str]]) -> None:
        """The password was right: an account's count ends, an address's try is taken back."""
        for rule, key in rules:
            if rule.forgiven:
                await repository.clear(db, rule.action, key)
                continue
            failures = await repository.take_back(db, rule.action, key)
            if failures <= 0:
                await repository.clear(db, rule.action, key)
            elif rule.wait_after(failures) == 0:
                await repository.block(db, rule.action, key, 0.0)

    async def _prune(self, db: AsyncSession, now: float) -> None:
        if now - self._pruned_at >= PRUNE_EVERY_SECONDS:
            self._pruned_at = now
            await repository.prune(db, now)
