"""Telling "the database can't be reached right now" apart from a bug.

An outage (PostgreSQL stopped or restarting, a connection refused, reset or closed under
us; or overload: a full pool, SQLite's write lock held past the busy timeout) is answered
503 with Retry-After and the request can simply be tried again; anything else a query
raises is a bug and stays a 500. The driver reports an outage in several shapes:
SQLAlchemy's wrappers (`connection_invalidated`, or the asyncpg error inside them),
asyncpg's own errors, and a bare `OSError` from connecting, which SQLAlchemy lets
through unwrapped.
"""

from __future__ import annotations

import sqlite3
from types import TracebackType

import asyncpg
from sqlalchemy import exc as sa_exc

from forum.errors import DatabaseUnavailable
from forum.i18n import _

# What `is_unavailable` may say yes to; anything else is not a database outage.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    sa_exc.DBAPIError,
    sa_exc.TimeoutError,  # no pooled connection came free in time
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
)

# SQLSTATE class 08 is "connection exception"; 57P01-57P03 are the server shutting down,
# crashing or still starting; 53300 is "too many connections".
_SQLSTATE_PREFIXES = ("08", "57P01", "57P02", "57P03", "53300")
_DRIVER_MODULES = frozenset({"asyncpg", "sqlalchemy", "aiosqlite"})
# What a driver's OSError is raised in: a connect refused is raised by asyncio itself.
_BENEATH_DRIVERS = frozenset(
    {"asyncio", "uvloop", "socket", "ssl", "selectors", "contextlib", "functools"}
)


def is_unavailable(exc: BaseException) -> bool:
    """True when `exc` means the database could not be reached, not that a query is wrong."""
    if isinstance(exc, sa_exc.TimeoutError):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        return exc.connection_invalidated or any(_is_connection_error(e) for e in _chain(exc))
    if isinstance(exc, OSError):
        # A bare OSError is the driver's only when it was raised inside the driver.
        return _raised_in_driver(exc.__traceback__)
    return any(_is_connection_error(e) for e in _chain(exc))


def _sqlite_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code if isinstance(code, int) else None


def _busy(exc: BaseException) -> bool:
    """The database is up but could not take this in time: every pooled connection
    stayed in use, or SQLite's one writer held its lock past the busy timeout."""
    if isinstance(exc, sa_exc.TimeoutError):
        return True
    return any(_sqlite_code(e) == sqlite3.SQLITE_BUSY for e in _chain(exc))


def unavailable(exc: BaseException | None = None) -> DatabaseUnavailable:
    if exc is not None and _busy(exc):
        # Overload, not an outage: nothing was saved, and trying again will do.
        return DatabaseUnavailable(
            _(
                "Circles is very busy right now and could not finish this, so nothing was "
                "saved. Please try again in a few seconds."
            ),
            code="busy",
        )
    return DatabaseUnavailable(
        _(
            "The forum can't reach its database for a moment. Nothing you already sent is "
            "lost. Please try again in a few seconds."
        )
    )


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and what it was raised from (the driver's own error sits inside SQLAlchemy's)."""
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found and len(found) < 8:
        found.append(current)
        current = current.__cause__
    return found


def _is_connection_error(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return True  # inside a driver error: the socket to the server failed
    if isinstance(exc, asyncpg.PostgresConnectionError):
        return True
    if type(exc) is asyncpg.InterfaceError:
        # Its subclasses (DataError, configuration errors) are our mistakes, not outages.
        return "closed" in str(exc)
    if isinstance(exc, sqlite3.Error):
        return _sqlite_code(exc) in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_BUSY)
    sqlstate = getattr(exc, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(_SQLSTATE_PREFIXES)


def _raised_in_driver(trace: TracebackType | None) -> bool:
    """Whether the innermost frame of ours or a library's (not the standard library's
    networking underneath a driver) belongs to the database driver."""
    innermost = ""
    while trace is not None:
        module = str(trace.tb_frame.f_globals.get("__name__", "")).split(".")[0]
        if module not in _BENEATH_DRIVERS:
            innermost = module
        trace = trace.tb_next
    return innermost in _DRIVER_MODULES
