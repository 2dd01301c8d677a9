"""The `circles` command: serve, migrate, load demo data, create users."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from forum import i18n
from forum.config import PROJECT_ROOT, ConfigError, Settings
from forum.i18n import N_, _, ngettext

# How `create-user` names the role it gave.
ROLE_WORDS = {"member": N_("member"), "moderator": N_("moderator"), "admin": N_("admin")}


def migrate(settings: Settings, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config
    from alembic.util import CommandError

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    if revision in ("head", "heads"):
        command.upgrade(config, revision)
        return
    # Any other revision may lie behind the database (go down to it) or ahead (go up).
    try:
        command.downgrade(config, revision)
    except CommandError:
        command.upgrade(config, revision)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from forum.app import create_app

    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_level="info",
        proxy_headers=True,
        # A frame over the limit closes the socket with 1009 (message too big).
        ws_max_size=settings.chat_max_frame_bytes,
        # Chat frames are small and fanned out to many sockets: compressing each copy
        # per connection costs more CPU than it saves bandwidth.
        ws_per_message_deflate=False,
    )
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    migrate(settings, args.revision)
    print(_("Database is at revision %(revision)s.") % {"revision": args.revision})
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from forum.demo import load_demo

    created = asyncio.run(load_demo(settings))
    if created is None:
        print(_("Demo data is already loaded; nothing to do."))
        return 0
    print(_("Demo data loaded. These passwords are shown once; keep them somewhere safe:"))
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
    role = _(ROLE_WORDS[args.role])
    print(_("Created %(role)s %(name)s.") % {"role": role, "name": args.name})
    if not args.password:
        print(_("Password (shown once): %(password)s") % {"password": password})
    return 0


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    from forum.db import make_engine, make_sessionmaker
    from forum.mail.digest import send_digests
    from forum.mail.sender import Mailer

    async def run() -> int:
        engine = make_engine(settings.database_url)
        try:
            return await send_digests(make_sessionmaker(engine), Mailer(settings))
        finally:
            await engine.dispose()

    sent = asyncio.run(run())
    print(ngettext("Sent %(count)s digest.", "Sent %(count)s digests.", sent) % {"count": sent})
    return 0


def _parse_line(line: str, number: int, jsonl: bool) -> str | dict[str, str]:
    """The text on one input line, or an error object to print in its place."""
    if not jsonl:
        return line
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return {"error": _("line %(number)s is not valid JSON") % {"number": number}}
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return {
            "error": _('line %(number)s has no "text" field with a string') % {"number": number}
        }
    text: str = record["text"]
    return text


def _chunks(stream: TextIO, size: int) -> Iterator[list[tuple[int, str]]]:
    chunk: list[tuple[int, str]] = []
    for number, line in enumerate(stream, start=1):
        line = line.rstrip("\n")
        if line.strip():
            chunk.append((number, line))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def cmd_moderate(args: argparse.Namespace, settings: Settings) -> int:
    from forum.screening import build_screener

    pipeline = build_screener(settings).pipeline
    show_progress = sys.stderr.isatty() and not args.quiet
    done = failed = 0
    for chunk in _chunks(sys.stdin, args.batch_size):
        parsed = [_parse_line(line, number, args.jsonl) for number, line in chunk]
        texts = [p for p in parsed if isinstance(p, str)]
        results = iter(pipeline.assess_batch(texts))
        for p in parsed:
            # Bad lines get an error object in their place, so output lines match input.
            out = next(results).to_dict() if isinstance(p, str) else p
            failed += not isinstance(p, str)
            print(json.dumps(out, ensure_ascii=False))
        done += len(chunk)
        if show_progress:
            words = _("moderated %(count)s texts") % {"count": done}
            print(f"\r{words}", end="", file=sys.stderr, flush=True)
    if show_progress:
        print(file=sys.stderr)
    if failed:
        unread = ngettext(
            "%(count)s input line could not be read",
            "%(count)s input lines could not be read",
            failed,
        )
        print(f"circles moderate: {unread % {'count': failed}}", file=sys.stderr)
    return 1 if failed else 0


def cmd_models_fetch(args: argparse.Namespace, settings: Settings) -> int:
    from moderation.toxicity import ToxicityError, fetch_detoxify_weights

    try:
        path = fetch_detoxify_weights(args.model, progress=not args.quiet)
    except ToxicityError as exc:
        print(f"circles models fetch: {exc}", file=sys.stderr)
        return 1
    print(_("Saved detoxify %(model)s weights to %(path)s.") % {"model": args.model, "path": path})
    print(_("Restart Circles; with CIRCLES_TOXICITY_BACKEND=auto it now uses detoxify."))
    return 0


def cmd_models_train_crisis(args: argparse.Namespace, settings: Settings) -> int:
    from moderation.crisis_train import build

    try:
        meta = build(args.reddit, args.short, args.out, folds=args.folds, limit=args.limit)
    except (OSError, ValueError, KeyError, ImportError) as exc:
        print(f"circles models train-crisis: {exc}", file=sys.stderr)
        return 1
    print(
        json.dumps(
            {
                "version": meta["version"],
                "thresholds": meta["thresholds"],
                "training": meta["training"],
            },
            indent=1,
        )
    )
    print(_("Wrote the crisis model to %(path)s.") % {"path": args.out})
    return 0


def cmd_models_train_attacks(args: argparse.Namespace, settings: Settings) -> int:
    from moderation.attack_train import rebuild

    try:
        report = rebuild(args.data_dir, args.out)
    except (OSError, ValueError, KeyError) as exc:
        print(f"circles models train-attacks: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report, indent=2))
    print(_("Saved the attack model to %(path)s.") % {"path": args.out})
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="circles", description=_("Circles peer-support community")
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help=_("serve the web application with uvicorn"))
    serve.add_argument("--host", default="127.0.0.1", help=_("address to bind (default 127.0.0.1)"))
    serve.add_argument("--port", type=int, default=8000, help=_("port to bind (default 8000)"))
    serve.set_defaults(func=cmd_serve)

    mig = sub.add_parser("migrate", help=_("apply database migrations (Alembic)"))
    mig.add_argument("--revision", default="head", help=_("target revision, or 'base' to undo all"))
    mig.set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo", help=_("load demo circles, threads and accounts (once)"))
    demo.set_defaults(func=cmd_demo)

    user = sub.add_parser("create-user", help=_("create an account"))
    user.add_argument("name", help=_("username (3-32 letters, numbers, . - _)"))
    user.add_argument("--role", choices=["member", "moderator", "admin"], default="member")
    user.add_argument("--password", help=_("password (a random one is generated and printed)"))
    user.add_argument("--display-name", help=_("display name (defaults to the username)"))
    user.set_defaults(func=cmd_create_user)

    digest = sub.add_parser(
        "digest",
        help=_("mail today's digest of unread notifications to members who asked for one"),
    )
    digest.set_defaults(func=cmd_digest)

    mod = sub.add_parser(
        "moderate",
        help=_("run the moderation pipeline on stdin, one JSON result per line"),
        description=_(
            "Reads texts from stdin (one per line, or JSON lines with a 'text' field) "
            "and prints one JSON object per line: crisis, toxicity, decision, reasons."
        ),
    )
    mod.add_argument(
        "--jsonl", action="store_true", help=_("input is JSON lines with a 'text' field")
    )
    mod.add_argument("--batch-size", type=int, default=64, help=_("texts per model call (64)"))
    mod.add_argument("--quiet", action="store_true", help=_("no progress on stderr"))
    mod.set_defaults(func=cmd_moderate)

    models = sub.add_parser("models", help=_("manage classifier models"))
    models_sub = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    fetch = models_sub.add_parser("fetch", help=_("download detoxify weights (needs a network)"))
    fetch.add_argument(
        "--model", default="original", choices=["original", "unbiased", "multilingual"]
    )
    fetch.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    fetch.set_defaults(func=cmd_models_fetch)
    _add_train_crisis(models_sub)
    attacks = models_sub.add_parser("train-attacks", help=_("rebuild the attack-at-target model"))
    attacks.add_argument("--data-dir", type=Path, default=Path("training"))
    attacks.add_argument("--out", type=Path, default=Path("moderation/data/attack_model.npz"))
    attacks.set_defaults(func=cmd_models_train_attacks)
    return parser


def _add_train_crisis(models_sub: Any) -> None:
    root = PROJECT_ROOT
    train = models_sub.add_parser(
        "train-crisis",
        help=_("rebuild the shipped crisis model from the training data (deterministic)"),
        description=_(
            "Trains on the development half of the Reddit set, the training half "
            "of training/crisis_positive.csv and crisis_negative.csv, and all of "
            "crisis_extra*.csv (training only); held-out halves are never read."
        ),
    )
    train.add_argument(
        "--reddit",
        type=Path,
        default=root.parent / "shared" / "eval" / "crisis" / "suicide_detection_5k.csv",
        help=_("the labelled Reddit CSV (only its development half is used)"),
    )
    train.add_argument(
        "--short",
        type=Path,
        nargs="*",
        default=[
            root / "training" / "crisis_positive.csv",
            root / "training" / "crisis_negative.csv",
        ],
        help=_("hand-written short messages (text,level,category)"),
    )
    train.add_argument(
        "--out", type=Path, default=root / "moderation" / "data", help=_("folder for the artifact")
    )
    train.add_argument("--folds", type=int, default=5, help=_("cross-validation folds (5)"))
    train.add_argument("--limit", type=int, help=_("first N rows of each source (quick checks)"))
    train.set_defaults(func=cmd_models_train_crisis)


def main(argv: Sequence[str] | None = None) -> int:
    # The terminal's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), as for any command.
    with i18n.using(i18n.from_environment(os.environ)):
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
