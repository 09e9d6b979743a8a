"""Ack latency of Rolecall's slash commands over real HTTP, beside a bare Bolt app.

Run by hand (not part of the test suite):

    .venv/bin/python -m bench.ack_latency [--requests 1000] [--db URL]

Seeds the store as issue 2 asks (the default catalogue plus 200 custom areas, 10 000 role
assignments across 200 workspaces) and, when the ticket tables exist, 100 000 tickets; then
sends signed slash commands one after another over one keep-alive connection and reports
p50/p99 of the time to the HTTP answer. The bare Bolt app answers a fixed string with the
same server, client and signing, so the difference is Rolecall's own work.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import tempfile
import time
from pathlib import Path

from slack_bolt import Ack, App

from bench import seed
from bot.app import create_app
from bot.server import HttpServer
from bot.settings import Settings
from bot.slack_client import make_client
from slack_emulator import SlackEmulator, payloads
from storage.db import Database

SECRET = "bench-secret"
TEAM = "TBENCH"
USER = "UBENCHADMIN"


def _bare_bolt(client_url: str) -> App:
    app = App(
        signing_secret=SECRET,
        process_before_response=True,
        token_verification_enabled=False,
        token="xoxb-bench",
    )
    app.client.base_url = client_url

    def answer(ack: Ack) -> None:
        ack("pong")

    app.command("/owner")(answer)
    app.command("/issue")(answer)
    return app


def _measure(port: int, command: str, text: str, count: int, response_url: str) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    timings: list[float] = []
    for _ in range(count):
        body = payloads.slash_command(
            team_id=TEAM,
            user_id=USER,
            user_name="bench",
            command=command,
            text=text,
            response_url=response_url,
        )
        headers = payloads.signature_headers(body, SECRET)
        started = time.perf_counter()
        connection.request("POST", "/slack/events", body=body.encode(), headers=headers)
        answer = connection.getresponse()
        answer.read()
        timings.append((time.perf_counter() - started) * 1000)
        if answer.status != 200:
            raise SystemExit(f"{command} {text!r} answered HTTP {answer.status}")
    connection.close()
    return timings


def _report(name: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"{name:<34} n={len(ordered):>5}  p50={p50:7.2f} ms  p99={p99:7.2f} ms"


def main() -> None:
    """Seed, serve both apps, measure, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--db", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--tickets", type=int, default=100_000)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="rolecall-bench-"))
    db = Database(args.db or f"sqlite:///{workdir / 'bench.db'}")
    db.upgrade()
    emulator = SlackEmulator(team_id=TEAM).start()
    settings = Settings(
        slack_bot_token="xoxb-bench",
        slack_signing_secret=SECRET,
        slack_api_url=emulator.api_url,
    )
    app, deps = create_app(settings, db, make_client(settings))
    started = time.perf_counter()
    seeded = seed.seed_all(db, deps.catalog, team=TEAM, admin=USER, tickets=args.tickets)
    print(f"seeded in {time.perf_counter() - started:.1f}s: {seeded}")
    if db.engine.dialect.name == "postgresql":
        # Fresh statistics, as autovacuum would have them in a store in daily use.
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    rolecall = HttpServer(app, deps, host="127.0.0.1", port=0).start()
    # The same gate in front of both (signature, shape, workspace, replay), so the difference
    # stays Rolecall's own work.
    bare = HttpServer(_bare_bolt(emulator.api_url), deps, host="127.0.0.1", port=0).start()
    url = emulator.response_url("bench")
    scenarios: list[tuple[str, int, str, str]] = [
        ("bare Bolt /owner (fixed string)", bare.port, "/owner", "roadmap"),
        ("rolecall /owner roadmap", rolecall.port, "/owner", "roadmap"),
        ("rolecall /owner 路线图", rolecall.port, "/owner", "路线图"),
        ("rolecall /owner roadmpa (typo)", rolecall.port, "/owner", "roadmpa"),
    ]
    if seeded.get("tickets"):
        scenarios += [
            ("rolecall /issue <text>", rolecall.port, "/issue", "customer: ACME; export crashes"),
            ("rolecall /issue list", rolecall.port, "/issue", "list"),
        ]
    for _name, port, command, text in scenarios:  # warm-up: imports, caches, connections
        _measure(port, command, text, 50, url)
    print(f"database: {db.engine.dialect.name}; {args.requests} sequential requests each")
    for name, port, command, text in scenarios:
        print(_report(name, _measure(port, command, text, args.requests, url)))
    deps.background.settle(timeout=600)
    rolecall.close()
    bare.close()
    emulator.stop()


if __name__ == "__main__":
    main()
