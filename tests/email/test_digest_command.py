"""`circles digest`, run for real as a subprocess: one mail a day to the outbox folder."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

from forum.accounts import service as accounts
from forum.db import make_engine, make_sessionmaker, transaction, utcnow
from forum.mail.models import MemberEmail
from forum.notifications import service as notifications
from tests.conftest import PASSWORD, fresh_database
from tests.email.conftest import body

CIRCLES = Path(sys.executable).parent / "circles"


def digest(database_url: str, outbox: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLES_")}
    env.update(CIRCLES_DATABASE_URL=database_url, CIRCLES_MAIL_OUTBOX=str(outbox))
    result = subprocess.run(
        [str(CIRCLES), "digest"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_circles_digest_mails_each_member_once_a_day(tmp_path: Path) -> None:
    database = await fresh_database(tmp_path)
    engine = make_engine(database.url, pool_size=1)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            user = await accounts.register(db, "sam", PASSWORD, "Sam")
            db.add(
                MemberEmail(
                    user_id=user.id,
                    address="sam@example.org",
                    address_key="sam@example.org",
                    verified_at=utcnow(),
                    digest=True,
                )
            )
            data = {"member": "Kit", "thread_title": "Tea", "thread_id": 1, "post_id": 2}
            await notifications.notify(db, user.id, "reply", data)
    finally:
        await engine.dispose()
    outbox = tmp_path / "outbox"
    try:
        assert await asyncio.to_thread(digest, database.url, outbox) == "Sent 1 digest.\n"
        assert await asyncio.to_thread(digest, database.url, outbox) == "Sent 0 digests.\n"
    finally:
        await database.drop()
    [written] = list(outbox.glob("*.eml"))
    message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert message["To"] == "sam@example.org"
    assert "Kit replied to your thread “Tea”." in body(message)
