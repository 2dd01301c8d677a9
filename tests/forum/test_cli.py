"""The `circles` command, run for real as a subprocess against a database of its own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from forum.app import create_app
from moderation.content_warnings import WARNINGS
from tests.conftest import (
    BACKEND,
    create_postgres_database,
    drop_postgres_database,
    make_settings,
    ok,
    postgres_admin_url,
)
from tests.live import PROJECT_ROOT

CIRCLES = Path(sys.executable).parent / "circles"
DEMO_ACCOUNT = re.compile(r"^\s+(member|moderator|admin)\s+(\S+)\s+(\S+)\s*$", re.MULTILINE)
GENERATED = re.compile(r"^Password \(shown once\): (\S+)$", re.MULTILINE)


@pytest.fixture
async def cli_database(tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the current backend, not yet migrated."""
    if BACKEND != "postgres":
        yield f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
        return
    admin = postgres_admin_url()
    name = f"circles_cli_{uuid.uuid4().hex[:12]}"
    url = await create_postgres_database(admin, name)
    yield url
    await drop_postgres_database(admin, name)


LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def circles(
    *args: str, database_url: str = "", lang: str = "C.UTF-8"
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CIRCLES_") and k not in LANGUAGE_VARIABLES
    }
    env["CIRCLES_DATABASE_URL"] = database_url or "sqlite+aiosqlite:///./never-used.db"
    env["LANG"] = lang  # the terminal's language is the command's
    return subprocess.run(
        [str(CIRCLES), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def succeeded(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


async def token_status(database_url: str, username: str, password: str) -> httpx.Response:
    """Ask a fresh app on that database for an API token with these credentials."""
    app = create_app(make_settings(database_url))
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            response = await client.post(
                "/api/v1/auth/token", json={"username": username, "password": password}
            )
            if response.status_code == 200:
                me = await client.get(
                    "/api/v1/me", headers={"Authorization": f"Bearer {response.json()['token']}"}
                )
                response.extensions["me"] = await ok(me)
            return response
    finally:
        await app.state.circles.engine.dispose()


# Help


def test_help_lists_every_command() -> None:
    out = succeeded(circles("--help"))
    for command in ("serve", "migrate", "demo", "create-user"):
        assert command in out
    assert "load demo circles, threads and accounts (once)" in out


@pytest.mark.parametrize(
    ("command", "documented"),
    [
        ("serve", ["--host", "--port", "127.0.0.1", "8000"]),
        ("migrate", ["--revision", "base"]),
        ("demo", ["--help"]),
        ("create-user", ["name", "--role", "member", "moderator", "admin", "--password"]),
    ],
)
def test_each_command_has_help_with_its_options(command: str, documented: list[str]) -> None:
    out = succeeded(circles(command, "--help"))
    assert out.startswith(f"usage: circles {command}")
    for option in documented:
        assert option in out


def test_unknown_role_is_refused_by_the_parser() -> None:
    result = circles("create-user", "someone", "--role", "owner")
    assert result.returncode == 2
    assert "invalid choice: 'owner'" in result.stderr


# migrate and demo


async def test_migrate_then_demo_prints_staff_passwords_once(cli_database: str) -> None:
    assert "head" in succeeded(circles("migrate", database_url=cli_database))
    out = succeeded(circles("demo", database_url=cli_database))
    assert "shown once" in out
    accounts = {name: (role, password) for role, name, password in DEMO_ACCOUNT.findall(out)}
    roles = sorted(role for role, _ in accounts.values())
    assert roles.count("moderator") == 1 and roles.count("admin") == 1
    assert roles.count("member") >= 1

    again = succeeded(circles("demo", database_url=cli_database))
    assert "already loaded" in again
    assert not DEMO_ACCOUNT.findall(again)
    for _, password in accounts.values():
        assert password not in again

    for name, (role, password) in accounts.items():
        if role in ("moderator", "admin"):
            response = await token_status(cli_database, name, password)
            assert response.status_code == 200, response.text
            assert response.extensions["me"]["role"] == role


async def test_migrate_is_safe_to_run_twice(cli_database: str) -> None:
    succeeded(circles("migrate", database_url=cli_database))
    succeeded(circles("migrate", database_url=cli_database))


# create-user


async def test_create_user_prints_a_generated_password_that_works(cli_database: str) -> None:
    succeeded(circles("migrate", database_url=cli_database))
    out = succeeded(
        circles("create-user", "willow", "--role", "moderator", database_url=cli_database)
    )
    assert "Created moderator willow." in out
    generated = GENERATED.search(out)
    assert generated is not None
    password = generated.group(1)
    assert len(password) >= 10
    response = await token_status(cli_database, "willow", password)
    assert response.status_code == 200, response.text
    assert response.extensions["me"]["role"] == "moderator"
    assert response.extensions["me"]["display_name"] == "willow"


async def test_the_command_speaks_the_terminals_language(cli_database: str) -> None:
    assert "sirve la aplicación web con uvicorn" in succeeded(circles("--help", lang="es_MX.UTF-8"))
    assert "serve the web application" in succeeded(circles("--help", lang="fr_FR.UTF-8"))
    migrated = succeeded(circles("migrate", database_url=cli_database, lang="es_ES.UTF-8"))
    assert migrated.strip() == "La base de datos está en la revisión head."
    out = succeeded(circles("create-user", "sauce", database_url=cli_database, lang="es_ES.UTF-8"))
    assert "Creada la cuenta de miembro sauce." in out
    assert "Contraseña (se muestra una sola vez): " in out


async def test_create_user_honours_given_password(cli_database: str) -> None:
    succeeded(circles("migrate", database_url=cli_database))
    chosen = "a password I chose myself"
    out = succeeded(
        circles(
            "create-user",
            "oak",
            "--role",
            "admin",
            "--password",
            chosen,
            "--display-name",
            "Oak Tree",
            database_url=cli_database,
        )
    )
    assert "Created admin oak." in out
    assert GENERATED.search(out) is None
    assert chosen not in out
    response = await token_status(cli_database, "oak", chosen)
    assert response.status_code == 200, response.text
    assert response.extensions["me"] == {
        "id": response.extensions["me"]["id"],
        "username": "oak",
        "display_name": "Oak Tree",
        "role": "admin",
        "hide_presence": False,
        "dm_policy": "nobody",
        "muted_words": [],
        "availability": "",
        "taking_break": False,
        "content_warning_prefs": dict.fromkeys(WARNINGS, "blur"),
        "check_ins": True,
        "locale": None,
    }
    wrong = await token_status(cli_database, "oak", "not the chosen one")
    assert wrong.status_code == 401


async def test_create_user_twice_fails_with_clear_message(cli_database: str) -> None:
    succeeded(circles("migrate", database_url=cli_database))
    succeeded(
        circles("create-user", "maple", "--password", "first password", database_url=cli_database)
    )
    result = circles(
        "create-user", "MAPLE", "--password", "second password", database_url=cli_database
    )
    assert result.returncode != 0
    assert "That username is taken" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert (await token_status(cli_database, "maple", "first password")).status_code == 200
    assert (await token_status(cli_database, "maple", "second password")).status_code == 401


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x"], "Usernames are 3 to 32 characters"),
        (["long-enough", "--password", "short"], "Passwords need at least 10 characters"),
    ],
)
async def test_create_user_with_invalid_details_fails_with_clear_message(
    cli_database: str, args: list[str], message: str
) -> None:
    succeeded(circles("migrate", database_url=cli_database))
    result = circles("create-user", *args, database_url=cli_database)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert "Created" not in result.stdout


@pytest.mark.parametrize(
    ("variables", "serve"),
    [
        ([], "serve --host 127.0.0.1 --port 8000"),
        (["PORT=8080", "HOST=0.0.0.0"], "serve --host 0.0.0.0 --port 8080"),
    ],
)
def test_make_run_serves_on_the_host_and_port_given(variables: list[str], serve: str) -> None:
    """`make run PORT=8080 HOST=0.0.0.0` (issue 13): make prints what it would run."""
    planned = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", *variables],
        cwd=PROJECT_ROOT,
        env={key: value for key, value in os.environ.items() if key not in ("HOST", "PORT")},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert planned.splitlines()[-1].endswith(f"circles {serve}"), planned
