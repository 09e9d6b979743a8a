"""`tick` with 100 000 scheduled participants of whom 1 000 are due, and the latest prompt's
delay at Slack's rate with and without scheduling prompts ahead.

Run by hand (not part of the test suite):

    .venv/bin/python -m bench.tick_due [--db URL ...] [--participants 100000] [--due 1000]

Seeds one workspace: 100 schedules (one per role) of 1 000 holders each, each role's holders
in one of 10 zones, schedule times 6 minutes apart, so each instant has one slot due. The
day's slots are planned ahead (100 000 occurrences), then `tick` runs at a due instant until
nothing is left: it claims the 1 000 due prompts and builds what to send. The figures are
the wall time and the SQL statements of that tick (no statement reads every participant).

The delay table is arithmetic on the outbox's pacing (one call a second): sent at prompt
time, the n-th prompt of a zone goes out n seconds late; scheduled ahead with
chat.scheduleMessage, every call is made before the prompt time once the horizon covers
n seconds, and Slack posts each at its `post_at`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import event, insert

from bot.settings import DEFAULT_CATALOG, Settings
from domain.catalog import Role, load_catalog
from handlers.standup_jobs import HORIZON
from services.standup_plan import plan
from services.standup_schedules import add_schedule
from services.standup_tick import tick
from storage.db import Database
from storage.models import RoleAssignment, UserProfile

TEAM = "TBENCH"
ZONES = (
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Brisbane",
    "Asia/Dubai",
    "Europe/Moscow",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
)
SCHEDULES = 100
CATALOG = load_catalog(Path(DEFAULT_CATALOG))
DEFAULTS = Settings(default_tz="UTC")
DAY = datetime(2026, 3, 9, tzinfo=UTC)  # a Monday; New York is on EDT
RATE = 1.0  # messages a second (Slack's chat.postMessage, as the outbox paces it)
LATE_ROLE = "bench-role-late"  # a schedule added after the day was planned


def _seed(db: Database, participants: int, late: int) -> None:
    per_role = participants // SCHEDULES
    fetched = DAY - timedelta(days=7)
    people, holders = [], []
    for index in range(participants + late):
        role = index // per_role if index < participants else 0
        key = f"bench-role-{role:03d}" if index < participants else LATE_ROLE
        user = f"U{index:07d}"
        people.append(
            {
                "team_id": TEAM,
                "user_id": user,
                "name": user.lower(),
                "tz": ZONES[role % len(ZONES)],
                "locale": "en-US",
                "is_admin": False,
                "is_bot": False,
                "deleted": False,
                "fetched_at": fetched,
            }
        )
        holders.append(
            {
                "team_id": TEAM,
                "role_key": key,
                "user_id": user,
                "assigned_by": "UADMIN",
                "assigned_at": fetched,
            }
        )
    with db.begin() as session:
        for start in range(0, participants + late, 10_000):
            session.execute(insert(UserProfile), people[start : start + 10_000])
            session.execute(insert(RoleAssignment), holders[start : start + 10_000])


def _schedules(db: Database, created: datetime, texts: list[str]) -> None:
    roles = [f"bench-role-{i:03d}" for i in range(SCHEDULES)] + [LATE_ROLE]
    catalog = CATALOG.with_extra([Role(key, key, key) for key in roles], [])
    with db.begin() as session:
        for text in texts:
            add_schedule(session, TEAM, catalog, "standup", text, "UADMIN", created)


def _texts() -> list[str]:
    """One schedule per role, times 6 minutes apart within each zone's role group."""
    return [
        f"bench-role-{i:03d} weekdays 08:{6 * (i // len(ZONES)):02d} <#CBENCH01> 4h"
        for i in range(SCHEDULES)
    ]


class Statements:
    """Counts the SQL statements an engine runs."""

    def __init__(self, db: Database) -> None:
        self.count = 0
        event.listen(db.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1


def _tick_until_done(db: Database, at: datetime, horizon: timedelta) -> tuple[float, int, int]:
    prompts = calls = 0
    started = time.perf_counter()
    while True:
        with db.begin() as session:
            due = tick(session, at, CATALOG, DEFAULTS, horizon=horizon)
        prompts += len(due.prompts)
        calls += 1
        if not due.more:
            return time.perf_counter() - started, prompts, calls


def run(url: str, participants: int, due: int) -> None:
    """Seed a fresh database at `url`, plan the day, tick at a due instant, print figures."""
    db = Database(url)
    db.upgrade()
    started = time.perf_counter()
    _seed(db, participants, due)
    first_due = datetime(2026, 3, 9, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    _schedules(db, first_due - timedelta(minutes=1), _texts())
    print(
        f"\n{db.engine.dialect.name}: seeded {participants} holders in "
        f"{time.perf_counter() - started:.1f}s"
    )
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    started = time.perf_counter()
    with db.begin() as session:
        planned = plan(session, first_due - timedelta(seconds=30), DEFAULTS, timedelta(hours=24))
    print(
        f"  plan the next 24 h: {planned.slots} slots, {planned.occurrences} occurrences "
        f"in {time.perf_counter() - started:.2f}s"
    )
    counter = Statements(db)
    quiet, _, _ = _tick_until_done(db, first_due - timedelta(seconds=20), timedelta(0))
    quiet_statements = counter.count
    counter.count = 0
    busy, prompts, calls = _tick_until_done(db, first_due, timedelta(0))
    print(f"  tick with nothing due: {quiet * 1000:.0f} ms, {quiet_statements} statements")
    print(
        f"  tick with {prompts} due of {planned.occurrences} scheduled: {busy * 1000:.0f} ms "
        f"({calls} batches, {counter.count} statements)"
    )
    later = first_due + timedelta(minutes=6)  # the next slot: 1 000 more
    busy2, prompts2, _ = _tick_until_done(db, later, timedelta(0))
    print(f"  next slot, {prompts2} due: {busy2 * 1000:.0f} ms")
    # A schedule added after the day was planned: its slot is planned and claimed in one tick.
    _schedules(db, first_due, [f"{LATE_ROLE} weekdays 08:09 <#CBENCH01> 4h"])
    counter.count = 0
    cold, prompts3, calls3 = _tick_until_done(db, first_due + timedelta(minutes=9), timedelta(0))
    print(
        f"  a slot not planned ahead, {prompts3} due: planned and claimed in "
        f"{cold * 1000:.0f} ms ({calls3} batches, {counter.count} statements)"
    )
    # Claimed ahead (HORIZON, as `rolecall serve` runs it): the first tick catches up on the
    # whole window; every later one claims only the slot that came into it.
    catchup, prompts4, calls4 = _tick_until_done(db, first_due + timedelta(minutes=10), HORIZON)
    print(
        f"  ahead ({HORIZON}): catching up, {prompts4} claimed in {catchup * 1000:.0f} ms "
        f"({calls4} batches)"
    )
    counter.count = 0
    steady, prompts5, calls5 = _tick_until_done(db, first_due + timedelta(minutes=16), HORIZON)
    print(
        f"  ahead ({HORIZON}): the next slot into the window, {prompts5} due: "
        f"{steady * 1000:.0f} ms ({calls5} batches, {counter.count} statements)"
    )
    db.dispose()


def delays(participants: int, horizons: tuple[float, ...]) -> None:
    """The latest prompt's delay for `participants` in one zone, per plan-ahead horizon."""
    print(f"\n{participants} participants in one zone, {RATE:g} message/s:")
    for hours in horizons:
        # Call k (0-based) finishes k/RATE seconds after the first; calls start `hours` early.
        last_call = (participants - 1) / RATE - hours * 3600
        delay = max(last_call, 0.0)
        how = "sent at prompt time" if hours == 0 else f"scheduled {hours:g} h ahead"
        print(f"  {how:>26}: latest prompt {delay:7.0f} s late ({delay / 60:.1f} min)")
    print(
        f"  horizon needed: {(participants - 1) / RATE / 60:.0f} min of calls before the "
        "prompt time (plus margin for retries)"
    )


def _fresh_postgres(url: str) -> str:
    base, _, _ = url.rpartition("/")
    name = "rolecall_bench_tick"
    admin = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def main() -> None:
    """Run the tick on each database, then print the delay table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db",
        action="append",
        help="SQLAlchemy URL (repeatable; default: a fresh SQLite file and the local "
        "PostgreSQL's `test` database, in a database of its own)",
    )
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000, help="holders of the late schedule")
    args = parser.parse_args()
    urls = args.db or [
        f"sqlite:///{Path(tempfile.mkdtemp(prefix='rolecall-tick-')) / 'bench.db'}",
        "postgresql://postgres@127.0.0.1:5432/test",
    ]
    for url in urls:
        fresh = _fresh_postgres(url) if url.startswith("postgres") else url
        run(fresh, args.participants, args.due)
    delays(5_000, (0, 1, 2, HORIZON.total_seconds() / 3600, 24))


if __name__ == "__main__":
    main()
