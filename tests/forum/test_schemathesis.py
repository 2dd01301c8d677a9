"""The OpenAPI document holds against a real server: schemathesis, all checks, five personas.

Each persona gets a bounded, deterministic run (a few examples per operation, every
operation covered) so the suite stays within a couple of minutes. Strings are generated
as UTF-8 without NUL: those are refused on purpose (tests/forum/test_bad_input.py), and
no JSON Schema keyword can say so.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from forum.accounts import service as accounts
from forum.accounts.models import Role
from forum.db import make_engine, make_sessionmaker, transaction
from tests.conftest import PASSWORD, FreshDatabase, fresh_database
from tests.live import BIN, CIRCLES, LiveServer, circles_env, free_port, migrate, running

EXAMPLES = 3  # every operation, a few examples each: the suite must stay quick
PERSONAS: dict[str, Role | None] = {
    "anonymous": None,
    "member": Role.MEMBER,
    "owner": Role.MEMBER,
    "moderator": Role.MODERATOR,
    "admin": Role.ADMIN,
}


@dataclass
class Target:
    server: LiveServer
    tokens: dict[str, str]


async def _token(url: str, username: str, role: Role) -> str:
    engine = make_engine(url, pool_size=1)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            user = await accounts.register(db, username, PASSWORD, username.title(), role)
            return await accounts.create_api_token(db, user, "schemathesis")
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
async def database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FreshDatabase]:
    db = await fresh_database(tmp_path_factory.mktemp("schemathesis"))
    yield db
    await db.drop()


@pytest.fixture(scope="module")
def server(database: FreshDatabase) -> Iterator[LiveServer]:
    env = circles_env(database.url, CIRCLES_POST_RATE_BURST="100000")
    migrate(env)
    port = free_port()
    argv = [CIRCLES, "serve", "--host", "127.0.0.1", "--port", str(port)]
    with running(argv, env, port, timeout=90) as live:
        yield live


@pytest.fixture(scope="module")
async def target(server: LiveServer, database: FreshDatabase) -> Target:
    tokens = {
        name: await _token(database.url, f"st-{name}-{uuid.uuid4().hex[:4]}", role)
        for name, role in PERSONAS.items()
        if role is not None
    }
    owner = {"Authorization": f"Bearer {tokens['owner']}"}
    async with httpx.AsyncClient(base_url=server.base_url, headers=owner, timeout=10) as http:
        circle = {"slug": "tea", "name": "Tea", "description": "", "visibility": "public"}
        assert (await http.post("/api/v1/circles", json=circle)).status_code == 201
        thread = {"title": "Hello there", "body": "A first post."}
        assert (await http.post("/api/v1/circles/tea/threads", json=thread)).status_code == 201
    return Target(server, tokens)


def run_schemathesis(
    target: Target, persona: str, report: Path
) -> subprocess.CompletedProcess[str]:
    argv = [
        str(BIN / "st"),
        "run",
        target.server.base_url + "/api/v1/openapi.json",
        "--checks=all",
        f"--max-examples={EXAMPLES}",
        "--generation-deterministic",
        "--generation-allow-x00=false",
        "--generation-codec=utf-8",
        "--workers=1",
        "--no-color",
        "--report=ndjson",
        f"--report-ndjson-path={report}",
    ]
    if persona in target.tokens:
        argv += ["-H", f"Authorization: Bearer {target.tokens[persona]}"]
    # Run beside the report, so schemathesis keeps its cache of failures out of the work tree.
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=600, check=False, cwd=report.parent
    )


def findings(report: Path) -> tuple[set[tuple[str, str]], int]:
    """Each failed (operation, check) from the run's report, and how many operations ran."""
    failed: set[tuple[str, str]] = set()
    operations: set[str] = set()
    for line in report.read_text().splitlines():
        event = json.loads(line)
        if "ScenarioFinished" not in event:
            continue
        recorder = event["ScenarioFinished"]["recorder"]
        operations.add(recorder["label"])
        for checks in recorder.get("checks", {}).values():
            for check in checks:
                if check["status"] != "success":
                    failed.add((recorder["label"], check["name"]))
    return failed, len(operations)


@pytest.mark.parametrize("persona", list(PERSONAS))
async def test_schemathesis_finds_no_server_error_and_no_finding(
    target: Target, persona: str, tmp_path: Path
) -> None:
    report = tmp_path / f"{persona}.ndjson"
    result = run_schemathesis(target, persona, report)
    assert report.exists(), result.stdout + result.stderr
    failed, operations = findings(report)
    assert operations >= 60, f"only {operations} operations ran:\n{result.stdout[-3000:]}"
    # Any finding fails the test, a server error first; none is tolerated.
    server_errors = {found for found in failed if found[1] == "not_a_server_error"}
    assert not server_errors, result.stdout[-6000:]
    assert not failed, f"{sorted(failed)}\n{result.stdout[-6000:]}"
