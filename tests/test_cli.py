"""The `rolecall` command as a user runs it: settings errors, db upgrade, tick, serve --http."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import inspect

from slack_emulator import payloads
from storage.db import Database
from tests.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[1]
SECRET = "cli-test-secret"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ROLECALL_"))}
    env["PYTHONPATH"] = str(ROOT)
    env["ROLECALL_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    env.update(extra)
    return env


def _rolecall(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=tmp_path,
        env=_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    done = _rolecall(tmp_path, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout
    db = Database(f"sqlite:///{tmp_path / 'cli.db'}")
    assert "role_assignments" in inspect(db.engine).get_table_names()
    assert db.is_current()


def test_missing_token_stops_start_up_with_one_line(tmp_path: Path) -> None:
    done = _rolecall(tmp_path, "serve", "--http", SLACK_SIGNING_SECRET="x")
    assert done.returncode == 2
    assert done.stderr.strip() == "rolecall: SLACK_BOT_TOKEN is not set"


@pytest.mark.parametrize("command", [["serve", "--http"], ["tick"]])
def test_a_refused_token_stops_start_up_with_one_line(tmp_path: Path, command: list[str]) -> None:
    with FakeSlack() as slack:
        slack.refuse_next("auth.test", "invalid_auth")
        done = _rolecall(
            tmp_path,
            *command,
            SLACK_BOT_TOKEN="xoxb-revoked",
            SLACK_SIGNING_SECRET="x",
            ROLECALL_SLACK_API_URL=slack.api_url,
        )
        asked = [c.token for c in slack.calls_to("auth.test")]
    assert done.returncode == 2 and "Traceback" not in done.stderr
    ours = [line for line in done.stderr.splitlines() if line.startswith("rolecall:")]
    assert ours == ["rolecall: SLACK_BOT_TOKEN: Slack refused the token (invalid_auth)"]
    assert asked == ["xoxb-revoked"]  # asked once, at start-up, with the token given


def test_an_unreachable_slack_stops_start_up_with_one_line(tmp_path: Path) -> None:
    done = _rolecall(
        tmp_path,
        "tick",
        SLACK_BOT_TOKEN="xoxb-x",
        ROLECALL_SLACK_API_URL=f"http://127.0.0.1:{_free_port()}/api/",  # nothing listens
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    ours = [line for line in done.stderr.splitlines() if line.startswith("rolecall:")]
    assert len(ours) == 1
    assert ours[0].startswith("rolecall: ROLECALL_SLACK_API_URL: cannot reach Slack at")


def test_malformed_setting_is_named(tmp_path: Path) -> None:
    done = _rolecall(tmp_path, "tick", ROLECALL_DEFAULT_TZ="Mars/Olympus")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "rolecall: ROLECALL_DEFAULT_TZ: unknown time zone 'Mars/Olympus'"
    ]


def test_malformed_catalogue_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "catalog.yml"
    bad.write_text("roles:\n  - key: [unclosed\n", encoding="utf-8")
    done = _rolecall(tmp_path, "tick", SLACK_BOT_TOKEN="xoxb-x", ROLECALL_CATALOG=str(bad))
    assert done.returncode == 2
    assert "catalog.yml, line" in done.stderr and "Traceback" not in done.stderr


def test_tick_runs_and_can_run_again(tmp_path: Path) -> None:
    with FakeSlack() as slack:
        env = {"SLACK_BOT_TOKEN": "xoxb-x", "ROLECALL_SLACK_API_URL": slack.api_url}
        first = _rolecall(tmp_path, "tick", "--at", "2026-12-01T09:00:00+00:00", **env)
        again = _rolecall(tmp_path, "tick", "--at", "2026-12-01T09:00:00+00:00", **env)
    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    assert "tick at 2026-12-01T09:00:00+00:00" in first.stdout


def test_bad_tick_instant_is_explained(tmp_path: Path) -> None:
    done = _rolecall(tmp_path, "tick", "--at", "tomorrow", SLACK_BOT_TOKEN="xoxb-x")
    assert done.returncode == 2 and "ISO-8601" in done.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, FakeSlack]]:
    """`rolecall serve --http` as a real process, talking to the fake Slack."""
    slack = FakeSlack().start()
    slack.add_user("UADMIN", "admin", is_admin=True)
    port = _free_port()
    env = _env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-x",
        SLACK_SIGNING_SECRET=SECRET,
        ROLECALL_SLACK_API_URL=slack.api_url,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--http", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1):
                break
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(
                    f"serve did not come up: {process.stderr.read() if process.stderr else ''}"
                )
            time.sleep(0.1)
    yield base, slack
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    slack.stop()


def test_serve_http_answers_signed_requests(served: tuple[str, FakeSlack]) -> None:
    base, slack = served
    body = payloads.slash_command(
        team_id="T0001",
        user_id="UADMIN",
        user_name="admin",
        command="/rolecall",
        text="help",
        response_url=slack.response_url("k"),
    )
    headers = payloads.signature_headers(body, SECRET)
    request = urllib.request.Request(base + "/slack/events", body.encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200
        assert b"Rolecall" in answer.read()
    forged = urllib.request.Request(
        base + "/slack/events",
        body.encode(),
        payloads.signature_headers(body, "wrong"),
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=5)
    assert refused.value.code == 401


def test_malformed_database_url_is_one_line(tmp_path: Path) -> None:
    done = _rolecall(tmp_path, "db", "upgrade", ROLECALL_DATABASE_URL="foo:/bar")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("rolecall: ROLECALL_DATABASE_URL: not a usable database URL")
    assert len(done.stderr.strip().splitlines()) == 1


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    url = "postgresql://nobody@127.0.0.1:1/none"  # nothing listens on port 1
    done = _rolecall(tmp_path, "db", "upgrade", ROLECALL_DATABASE_URL=url)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("rolecall: ROLECALL_DATABASE_URL: cannot use the database")
    assert len(done.stderr.strip().splitlines()) == 1


def test_serve_refuses_a_shared_database_that_is_not_migrated(tmp_path: Path) -> None:
    url = os.environ.get("ROLECALL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"rolecall_cli_{os.getpid()}"
    admin = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        empty = f"{admin.rpartition('/')[0]}/{name}"
        done = _rolecall(tmp_path, "tick", SLACK_BOT_TOKEN="xoxb-x", ROLECALL_DATABASE_URL=empty)
        assert done.returncode == 2
        assert "run `rolecall db upgrade`" in done.stderr
        assert _rolecall(tmp_path, "db", "upgrade", ROLECALL_DATABASE_URL=empty).returncode == 0
        with FakeSlack() as slack:
            done = _rolecall(
                tmp_path,
                "tick",
                SLACK_BOT_TOKEN="xoxb-x",
                ROLECALL_DATABASE_URL=empty,
                ROLECALL_SLACK_API_URL=slack.api_url,
            )
        assert done.returncode == 0, done.stderr
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
