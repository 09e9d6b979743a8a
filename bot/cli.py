"""The `rolecall` command: serve, shell, tick, db upgrade."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from bot.app import create_app
from bot.settings import Settings, SettingsError, load_settings
from bot.slack_client import make_client
from domain.catalog import CatalogError
from handlers.deps import Deps
from handlers.installation import InstallationError, SingleInstallation
from services import deliveries
from storage.db import Database

log = logging.getLogger("rolecall")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rolecall", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the app (Socket Mode with SLACK_APP_TOKEN)")
    serve.add_argument("--http", action="store_true", help="serve HTTP even with an app token")
    serve.add_argument("--port", type=int, help="HTTP port (default: PORT or 3000)")
    shell = commands.add_parser("shell", help="a local console: no Slack workspace needed")
    shell.add_argument("--as", dest="as_user", default="admin", help="who you are (default admin)")
    tick = commands.add_parser("tick", help="run once whatever scheduled work is due")
    tick.add_argument("--at", help="the instant, ISO-8601 (default: now)")
    db = commands.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"], help="apply the migrations")
    return parser


def _instant(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise SettingsError(f"--at: {text!r} is not an ISO-8601 instant") from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = load_settings()
        if args.command == "db":
            return _db_upgrade(settings)
        if args.command == "serve":
            return _serve(settings, http=args.http, port=args.port)
        if args.command == "tick":
            return _tick(settings, _instant(args.at))
        from bot.shell import run_shell

        return run_shell(settings, as_user=args.as_user)
    except (SettingsError, CatalogError, InstallationError) as error:
        print(f"rolecall: {error}", file=sys.stderr)
        return 2
    except (ArgumentError, NoSuchModuleError) as error:
        print(
            f"rolecall: ROLECALL_DATABASE_URL: not a usable database URL ({error})", file=sys.stderr
        )
        return 2
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "unreachable"
        print(
            f"rolecall: ROLECALL_DATABASE_URL: cannot use the database ({reason})", file=sys.stderr
        )
        return 2


def _db_upgrade(settings: Settings) -> int:
    Database(settings.database_url).upgrade()
    print("rolecall: database is up to date")
    return 0


def _open(settings: Settings) -> tuple[Database, WebClient, App, Deps]:
    """Database (migrated), client and app for the long-running and one-shot commands; the
    token's workspace comes from auth.test (a refused token stops here, with one line)."""
    settings.require("slack_bot_token")
    db = Database(settings.database_url)
    _ensure_schema(db)
    client = make_client(settings)
    app, deps = create_app(settings, db, client)
    return db, client, app, deps


def _ensure_schema(db: Database) -> None:
    """Migrate a SQLite file in place (one process owns it); a shared database is migrated
    once, by `rolecall db upgrade`, so replicas starting together never race on it."""
    if db.is_current():
        return
    if db.engine.dialect.name == "sqlite":
        db.upgrade()
        return
    raise SettingsError(
        "ROLECALL_DATABASE_URL: the database schema is not up to date; run `rolecall db upgrade`"
    )


def _serve(settings: Settings, *, http: bool, port: int | None) -> int:
    from bot.scheduler import start_scheduler
    from bot.server import HttpServer

    socket_mode = bool(settings.slack_app_token) and not http
    if not socket_mode:
        settings.require("slack_signing_secret")
    db, client, app, deps = _open(settings)
    dispatcher = deps.dispatcher
    assert dispatcher is not None  # create_app builds it
    dispatcher.start()  # sends what commits enqueue, and what a killed run left
    scheduler = start_scheduler(deps, client)
    try:
        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            log.info("serving over Socket Mode")
            SocketModeHandler(app, settings.slack_app_token).start()
        else:
            server = HttpServer(app, deps, port=port or settings.port)
            log.info("serving HTTP on port %s (POST /slack/events, GET /healthz)", server.port)
            server.run()
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown(wait=False)
        deps.background.shutdown(wait=True)
        dispatcher.stop()
    return 0


def _tick(settings: Settings, at: datetime) -> int:
    from bot.scheduler import run_due

    _db, client, _app, deps = _open(settings)
    done = run_due(deps, client, at)
    deps.background.settle()
    deps.background.shutdown(wait=True)
    dispatcher = deps.dispatcher
    assert dispatcher is not None  # create_app builds it
    dispatcher.recover()
    # No server sends for a cron deployment: send what is due, until it is sent or has
    # failed for good (later retries wait for the next tick).
    waiting = dispatcher.drain(deadline=300)
    dispatcher.stop()
    summary = ", ".join(f"{name}: {n}" for name, n in done.items()) or "nothing scheduled"
    failed = 0
    if isinstance(deps.installations, SingleInstallation):
        team = deps.installations.installation.team_id
        with deps.db.begin() as session:
            failed = deliveries.failure_count(session, team) if team else 0
    print(
        f"rolecall: tick at {at.isoformat()} — {summary}; "
        f"deliveries sent: {dispatcher.sent}, waiting: {waiting}, failed: {failed}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
