"""Settings read from CIRCLES_* environment variables, with documented defaults."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Where migrations/ and static/ live: the checkout, or the image's /app (see Dockerfile).
PROJECT_ROOT = Path(
    os.environ.get("CIRCLES_PROJECT_ROOT") or Path(__file__).resolve().parent.parent
)
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./circles.db"


class ConfigError(Exception):
    """The configuration cannot be used; the message says how to fix it."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


TOXICITY_BACKENDS = ("auto", "embedded", "detoxify")


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name) or choices[0]
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


DEFAULT_MAX_BODY_BYTES = 256 * 1024


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    environment: str = "development"
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    secure_cookies: bool = False
    # Strict-Transport-Security max-age for answers served over HTTPS (0: not sent).
    hsts_seconds: int = 0
    # Room for the longest post (20,000 characters) in the most expanded form a client
    # sends it: a 4-byte character is 12 bytes percent-encoded in a form and 12 as a JSON
    # surrogate pair. At 64 KiB, 13,200 Cyrillic characters were refused and lost.
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    post_rate_burst: int = 10
    post_rate_seconds: float = 6.0
    # Sign-ins: after this many failures for one account, each try waits 1, 2, 4 … times
    # login_delay_seconds (at most login_delay_max_seconds); an address gets many more,
    # so one person cannot lock out everyone behind the same NAT.
    login_rate_attempts: int = 5
    login_address_attempts: int = 50
    login_delay_seconds: float = 1.0
    login_delay_max_seconds: float = 60.0
    # Failures are forgotten after this long without another.
    login_rate_window_seconds: float = 900.0
    register_rate_burst: int = 5
    register_rate_seconds: float = 720.0
    report_rate_burst: int = 10
    report_rate_seconds: float = 60.0
    invite_rate_burst: int = 20
    invite_rate_seconds: float = 60.0
    session_days: int = 30
    page_cache_seconds: float = 5.0
    page_size: int = 50
    static_dir: Path = PROJECT_ROOT / "static"
    db_pool_size: int = 10
    toxicity_backend: str = "auto"
    detoxify_model: str = "original"
    detoxify_checkpoint: str | None = None
    detoxify_config_dir: str | None = None
    classifier_timeout: float = 2.0
    crisis_patterns_extra: str | None = None
    claim_minutes: float = 15.0
    # How often the background task looks for urgent items waiting too long (0: never).
    escalation_check_seconds: float = 30.0
    shift_hours: float = 4.0
    shift_limit: int = 60
    break_after: int = 20
    chat_rate_burst: int = 10
    chat_rate_seconds: float = 1.0
    chat_max_frame_bytes: int = 16 * 1024
    chat_outbox: int = 256
    chat_inbox: int = 64
    # Mail (forum/mail): without an SMTP host, each message is written as an .eml file
    # to `mail_outbox` instead, for development.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    mail_from: str = "Circles <circles@localhost>"
    mail_outbox: Path = Path("var/outbox")
    # Links in mail are built on this, never on the request's Host header.
    base_url: str = "http://127.0.0.1:8000"
    reset_rate_burst: int = 5
    reset_rate_seconds: float = 600.0

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        environment = env.get("CIRCLES_ENV", "development")
        if environment not in ("development", "production", "test"):
            raise ConfigError(
                f"CIRCLES_ENV must be development, production or test, got {environment!r}"
            )
        secret_key = env.get("CIRCLES_SECRET_KEY", "")
        if environment == "production" and len(secret_key) < 32:
            raise ConfigError(
                "CIRCLES_SECRET_KEY must be set to at least 32 random characters in production "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        # Outside production a per-process random key is fine: CSRF tokens and
        # cookies simply stop validating after a restart.
        secret_key = secret_key or secrets.token_hex(32)
        return cls(
            database_url=env.get("CIRCLES_DATABASE_URL") or DEFAULT_DATABASE_URL,
            environment=environment,
            secret_key=secret_key,
            secure_cookies=env.get("CIRCLES_SECURE_COOKIES", "") in ("1", "true", "yes")
            or environment == "production",
            hsts_seconds=_int(
                env, "CIRCLES_HSTS_SECONDS", 31_536_000 if environment == "production" else 0
            ),
            max_body_bytes=_int(env, "CIRCLES_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
            post_rate_burst=_int(env, "CIRCLES_POST_RATE_BURST", 10),
            post_rate_seconds=_float(env, "CIRCLES_POST_RATE_SECONDS", 6.0),
            login_rate_attempts=_int(env, "CIRCLES_LOGIN_RATE_ATTEMPTS", 5),
            login_address_attempts=_int(env, "CIRCLES_LOGIN_ADDRESS_ATTEMPTS", 50),
            login_delay_seconds=_float(env, "CIRCLES_LOGIN_DELAY_SECONDS", 1.0),
            login_delay_max_seconds=_float(env, "CIRCLES_LOGIN_DELAY_MAX_SECONDS", 60.0),
            login_rate_window_seconds=_float(env, "CIRCLES_LOGIN_RATE_WINDOW_SECONDS", 900.0),
            register_rate_burst=_int(env, "CIRCLES_REGISTER_RATE_BURST", 5),
            register_rate_seconds=_float(env, "CIRCLES_REGISTER_RATE_SECONDS", 720.0),
            report_rate_burst=_int(env, "CIRCLES_REPORT_RATE_BURST", 10),
            report_rate_seconds=_float(env, "CIRCLES_REPORT_RATE_SECONDS", 60.0),
            invite_rate_burst=_int(env, "CIRCLES_INVITE_RATE_BURST", 20),
            invite_rate_seconds=_float(env, "CIRCLES_INVITE_RATE_SECONDS", 60.0),
            session_days=_int(env, "CIRCLES_SESSION_DAYS", 30),
            page_cache_seconds=_float(env, "CIRCLES_PAGE_CACHE_SECONDS", 5.0),
            static_dir=Path(env.get("CIRCLES_STATIC_DIR") or PROJECT_ROOT / "static"),
            db_pool_size=_int(env, "CIRCLES_DB_POOL_SIZE", 10),
            toxicity_backend=_choice(env, "CIRCLES_TOXICITY_BACKEND", TOXICITY_BACKENDS),
            detoxify_model=env.get("CIRCLES_DETOXIFY_MODEL") or "original",
            detoxify_checkpoint=env.get("CIRCLES_DETOXIFY_CHECKPOINT") or None,
            detoxify_config_dir=env.get("CIRCLES_DETOXIFY_CONFIG_DIR") or None,
            classifier_timeout=_float(env, "CIRCLES_CLASSIFIER_TIMEOUT", 2.0),
            crisis_patterns_extra=env.get("CIRCLES_CRISIS_PATTERNS_EXTRA") or None,
            claim_minutes=_float(env, "CIRCLES_CLAIM_MINUTES", 15.0),
            escalation_check_seconds=_float(env, "CIRCLES_ESCALATION_CHECK_SECONDS", 30.0),
            shift_hours=_float(env, "CIRCLES_SHIFT_HOURS", 4.0),
            shift_limit=_int(env, "CIRCLES_SHIFT_LIMIT", 60),
            break_after=_int(env, "CIRCLES_BREAK_AFTER", 20),
            chat_rate_burst=_int(env, "CIRCLES_CHAT_RATE_BURST", 10),
            chat_rate_seconds=_float(env, "CIRCLES_CHAT_RATE_SECONDS", 1.0),
            chat_max_frame_bytes=_int(env, "CIRCLES_CHAT_MAX_FRAME_BYTES", 16 * 1024),
            chat_outbox=_int(env, "CIRCLES_CHAT_OUTBOX", 256),
            chat_inbox=_int(env, "CIRCLES_CHAT_INBOX", 64),
            smtp_host=env.get("CIRCLES_SMTP_HOST") or None,
            smtp_port=_int(env, "CIRCLES_SMTP_PORT", 587),
            smtp_user=env.get("CIRCLES_SMTP_USER") or None,
            smtp_password=env.get("CIRCLES_SMTP_PASSWORD") or None,
            smtp_starttls=env.get("CIRCLES_SMTP_STARTTLS", "1") not in ("0", "false", "no"),
            mail_from=env.get("CIRCLES_MAIL_FROM") or "Circles <circles@localhost>",
            mail_outbox=Path(env.get("CIRCLES_MAIL_OUTBOX") or "var/outbox"),
            base_url=(env.get("CIRCLES_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
            reset_rate_burst=_int(env, "CIRCLES_RESET_RATE_BURST", 5),
            reset_rate_seconds=_float(env, "CIRCLES_RESET_RATE_SECONDS", 600.0),
        )
