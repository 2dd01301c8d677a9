"""Settings from CIRCLES_* environment variables, and refusing to start without a secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from forum.config import DEFAULT_DATABASE_URL, ConfigError, Settings

CIRCLES = Path(sys.executable).parent / "circles"
SECRET = "s" * 40


def test_defaults_without_environment() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite+aiosqlite:///./circles.db" == DEFAULT_DATABASE_URL
    assert settings.environment == "development"
    assert not settings.is_production
    assert settings.is_sqlite
    assert settings.secure_cookies is False
    assert settings.max_body_bytes == 256 * 1024
    assert settings.post_rate_burst == 10
    assert settings.post_rate_seconds == 6.0
    assert settings.login_rate_attempts == 5
    assert settings.login_rate_window_seconds == 900.0
    assert settings.login_address_attempts == 50
    assert settings.register_rate_burst == 5
    assert settings.session_days == 30


def test_development_invents_a_random_secret_each_start() -> None:
    first, second = Settings.from_env({}), Settings.from_env({})
    assert len(first.secret_key) >= 32
    assert first.secret_key != second.secret_key


def test_environment_overrides_defaults() -> None:
    settings = Settings.from_env(
        {
            "CIRCLES_DATABASE_URL": "postgresql+asyncpg://circles@db/circles",
            "CIRCLES_SECRET_KEY": SECRET,
            "CIRCLES_MAX_BODY_BYTES": "2048",
            "CIRCLES_POST_RATE_BURST": "3",
            "CIRCLES_POST_RATE_SECONDS": "1.5",
            "CIRCLES_LOGIN_RATE_ATTEMPTS": "7",
            "CIRCLES_SECURE_COOKIES": "true",
        }
    )
    assert settings.database_url == "postgresql+asyncpg://circles@db/circles"
    assert not settings.is_sqlite
    assert settings.secret_key == SECRET
    assert settings.max_body_bytes == 2048
    assert settings.post_rate_burst == 3
    assert settings.post_rate_seconds == 1.5
    assert settings.login_rate_attempts == 7
    assert settings.secure_cookies is True


def test_empty_database_url_falls_back_to_default() -> None:
    assert Settings.from_env({"CIRCLES_DATABASE_URL": ""}).database_url == DEFAULT_DATABASE_URL


@pytest.mark.parametrize("secret", [None, "", "too-short"])
def test_production_without_a_real_secret_key_is_refused(secret: str | None) -> None:
    env = {"CIRCLES_ENV": "production"}
    if secret is not None:
        env["CIRCLES_SECRET_KEY"] = secret
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(env)
    message = str(raised.value)
    assert "CIRCLES_SECRET_KEY" in message
    assert "at least 32" in message
    assert "production" in message


def test_production_with_secret_key_uses_it_and_secure_cookies() -> None:
    settings = Settings.from_env({"CIRCLES_ENV": "production", "CIRCLES_SECRET_KEY": SECRET})
    assert settings.is_production
    assert settings.secret_key == SECRET
    assert settings.secure_cookies is True


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ConfigError, match="CIRCLES_ENV must be development, production or test"):
        Settings.from_env({"CIRCLES_ENV": "prod"})


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("CIRCLES_MAX_BODY_BYTES", "lots", "CIRCLES_MAX_BODY_BYTES must be a whole number"),
        ("CIRCLES_POST_RATE_SECONDS", "fast", "CIRCLES_POST_RATE_SECONDS must be a number"),
    ],
)
def test_malformed_numbers_are_refused_naming_the_variable(
    name: str, value: str, expected: str
) -> None:
    with pytest.raises(ConfigError, match=expected):
        Settings.from_env({name: value})


def _run_circles(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLES_")}
    base["CIRCLES_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'config.db'}"
    return subprocess.run(
        [str(CIRCLES), *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_in_production_without_secret_exits_with_clear_message(tmp_path: Path) -> None:
    result = _run_circles(["serve", "--port", "0"], tmp_path, CIRCLES_ENV="production")
    assert result.returncode != 0
    assert "CIRCLES_SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "config.db").exists()


def test_cli_refuses_malformed_setting_with_clear_message(tmp_path: Path) -> None:
    result = _run_circles(["migrate"], tmp_path, CIRCLES_POST_RATE_BURST="many")
    assert result.returncode != 0
    assert "CIRCLES_POST_RATE_BURST must be a whole number" in result.stderr
    assert "Traceback" not in result.stderr
