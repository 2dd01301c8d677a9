"""The PostgreSQL database a load benchmark runs against, made and dropped around it."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from tests.conftest import create_postgres_database, drop_postgres_database


@contextmanager
def bench_database(script: str) -> Iterator[str]:
    """CIRCLES_BENCH_DATABASE_URL as is, or a fresh database on CIRCLES_TEST_POSTGRES_URL."""
    if url := os.environ.get("CIRCLES_BENCH_DATABASE_URL"):
        yield url
        return
    admin = os.environ.get("CIRCLES_TEST_POSTGRES_URL")
    if not admin:
        sys.exit(
            f"{script}: set CIRCLES_TEST_POSTGRES_URL (a PostgreSQL server; `make bench` "
            "starts one) or CIRCLES_BENCH_DATABASE_URL"
        )
    name = f"circles_bench_{uuid.uuid4().hex[:12]}"
    url = asyncio.run(create_postgres_database(admin, name))
    try:
        yield url
    finally:
        asyncio.run(drop_postgres_database(admin, name))
