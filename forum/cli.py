"""The `circles` command: serve, migrate, load demo data, create users."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from collections.abc import Sequence

from forum.config import PROJECT_ROOT, ConfigError, Settings


def migrate(settings: Settings, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    if revision == "base":
        command.downgrade(config, "base")
    else:
        command.upgrade(config, revision)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from forum.app import create_app

    uvicorn.run(
        create_app(settings), host=args.host, port=args.port, log_level="info", proxy_headers=True
    )
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    migrate(settings, args.revision)
    print(f"Database is at revision {args.revision}.")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from forum.demo import load_demo

    created = asyncio.run(load_demo(settings))
    if created is None:
        print("Demo data is already loaded; nothing to do.")
        return 0
    print("Demo data loaded. These passwords are shown once; keep them somewhere safe:")
    for username, role, password in created:
        print(f"  {role:<10} {username:<12} {password}")
    return 0


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    from forum.accounts import service
    from forum.accounts.models import Role
    from forum.db import make_engine, make_sessionmaker, transaction
    from forum.errors import AppError

    password = args.password or secrets.token_urlsafe(12)

    async def create() -> None:
        engine = make_engine(settings.database_url)
        try:
            async with transaction(make_sessionmaker(engine)) as db:
                await service.register(
                    db, args.name, password, args.display_name or args.name, Role(args.role)
                )
        finally:
            await engine.dispose()

    try:
        asyncio.run(create())
    except AppError as exc:
        print(f"circles: {exc.message}", file=sys.stderr)
        return 2
    print(f"Created {args.role} {args.name}.")
    if not args.password:
        print(f"Password (shown once): {password}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="circles", description="Circles peer-support community")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve the web application with uvicorn")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    serve.set_defaults(func=cmd_serve)

    mig = sub.add_parser("migrate", help="apply database migrations (Alembic)")
    mig.add_argument("--revision", default="head", help="target revision, or 'base' to undo all")
    mig.set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo", help="load demo circles, threads and accounts (once)")
    demo.set_defaults(func=cmd_demo)

    user = sub.add_parser("create-user", help="create an account")
    user.add_argument("name", help="username (3-32 letters, numbers, . - _)")
    user.add_argument("--role", choices=["member", "moderator", "admin"], default="member")
    user.add_argument("--password", help="password (a random one is generated and printed)")
    user.add_argument("--display-name", help="display name (defaults to the username)")
    user.set_defaults(func=cmd_create_user)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"circles: {exc}", file=sys.stderr)
        return 2
    result: int = args.func(args, settings)
    return result


if __name__ == "__main__":
    sys.exit(main())
