"""Fixtures: a real database (SQLite and PostgreSQL), the fake Slack Web API, and the app
served over real HTTP on loopback.

PostgreSQL comes from ROLECALL_TEST_POSTGRES_URL (default: the local server's `test`
database); each xdist worker gets a database of its own, created on first use.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from bot.settings import Settings
from storage.db import Database
from storage.models import Base
from tests.fake_slack import FakeSlack
from tests.harness import SIGNING_SECRET, Harness

PG_URL = os.environ.get("ROLECALL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True, scope="session")
def _no_internet() -> Iterator[None]:
    """Any test that reaches past loopback fails: everything Slack is faked on 127.0.0.1."""
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = str(address[0])
            if not (host.startswith("127.") or host in ("::1", "localhost")):
                raise AssertionError(f"a test tried to reach {address} beyond loopback")
        real_connect(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    yield
    socket.socket.connect = real_connect  # type: ignore[method-assign]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating each time would be slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_db() -> Iterator[Database]:
    """This test process's own migrated PostgreSQL database, dropped at the end.

    Named by worker and process, so two suites running at once never share one.
    """
    name = f"rolecall_test_{_worker()}_{os.getpid()}"
    admin_url = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    for attempt in range(10):
        try:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            break
        except psycopg.errors.ObjectInUse:
            # Two CREATE DATABASE at once (another worker or suite) contend for template1.
            time.sleep(0.2 * (attempt + 1))
        except psycopg.OperationalError as exc:
            pytest.fail(f"PostgreSQL is not reachable at {PG_URL}: {exc}")
    base, _, _ = PG_URL.rpartition("/")
    db = Database(f"{base}/{name}")
    db.upgrade()
    yield db
    db.dispose()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _truncate(db: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "rolecall.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        database = Database(f"sqlite:///{path}")
        yield database
        database.dispose()
    else:
        database = request.getfixturevalue("postgres_db")
        _truncate(database)
        yield database


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """The fake Slack Web API, with a few people and channels."""
    fake = FakeSlack(team_id="T0001")
    fake.start()
    fake.add_user("UADMIN", "admin", is_admin=True)
    fake.add_user("UALICE", "alice")
    fake.add_user("UBOB", "bob")
    fake.add_user("UCAROL", "carol", locale="zh-CN", tz="Asia/Shanghai")
    fake.add_channel("C0GENERAL", "general")
    fake.add_channel("C0SUPPORT", "support")
    yield fake
    fake.stop()


@pytest.fixture
def settings(slack: FakeSlack) -> Settings:
    """Settings pointing every Web API call at the fake."""
    return Settings(
        slack_bot_token="xoxb-test",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        database_url="sqlite://",
    )


@pytest.fixture
def app(db: Database, slack: FakeSlack, settings: Settings) -> Iterator[Harness]:
    """Rolecall served over real HTTP on loopback, talking to the fake Slack."""
    harness = Harness(settings, db, slack).start()
    yield harness
    harness.stop()


@pytest.fixture
def desk(db: Database, slack: FakeSlack, settings: Settings) -> Iterator[Harness]:
    """Rolecall with a support channel (ROLECALL_SUPPORT_CHANNEL=C0SUPPORT)."""
    harness = Harness(settings.model_copy(update={"support_channel": "C0SUPPORT"}), db, slack)
    harness.start()
    yield harness
    harness.stop()
