"""`rolecall serve` in Socket Mode: a real WebSocket on loopback plays Slack's side."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from websockets.sync.server import Server, ServerConnection, serve

from slack_emulator import payloads
from tests.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[1]


class SlackSocket:
    """Slack's end of a Socket Mode connection: says hello, sends envelopes, collects acks."""

    def __init__(self, envelopes: list[dict[str, Any]]) -> None:
        self.envelopes = envelopes
        self.acks: queue.Queue[dict[str, Any]] = queue.Queue()
        self.server: Server = serve(self._session, "127.0.0.1", 0)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link"

    def _session(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        for envelope in self.envelopes:
            connection.send(json.dumps(envelope))
        for message in connection:
            self.acks.put(json.loads(message))

    def close(self) -> None:
        self.server.shutdown()


def _slash_envelope(
    slack: FakeSlack, *, team: str = "T0001", envelope_id: str = "env-1", user: str = "UADMIN"
) -> dict[str, Any]:
    form = payloads.slash_command(
        team_id=team,
        user_id=user,
        user_name="admin",
        command="/rolecall",
        text="help",
        response_url=slack.response_url("socket"),
    )
    return {
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": dict(parse_qsl(form)),
    }


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    fake.add_user("UADMIN", "admin", is_admin=True)
    yield fake
    fake.stop()


def _serve_socket_mode(
    slack: FakeSlack, socket: SlackSocket, tmp_path: Path
) -> subprocess.Popen[str]:
    slack.socket_mode_url = socket.url
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ROLECALL_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        SLACK_BOT_TOKEN="xoxb-x",
        SLACK_APP_TOKEN="xapp-x",
        ROLECALL_SLACK_API_URL=slack.api_url,
        ROLECALL_DATABASE_URL=f"sqlite:///{tmp_path / 'socket.db'}",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _acks(socket: SlackSocket, process: subprocess.Popen[str], count: int) -> list[dict[str, Any]]:
    try:
        return [socket.acks.get(timeout=30) for _ in range(count)]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        socket.close()


def test_serve_answers_a_slash_command_over_socket_mode(slack: FakeSlack, tmp_path: Path) -> None:
    socket = SlackSocket([_slash_envelope(slack)])
    (ack,) = _acks(socket, _serve_socket_mode(slack, socket, tmp_path), 1)
    assert ack["envelope_id"] == "env-1"
    assert "Rolecall" in ack["payload"]["text"]
    assert ack["payload"]["response_type"] == "ephemeral"
    assert [c.token for c in slack.calls_to("apps.connections.open")] == ["xapp-x"]


def test_socket_mode_acks_another_workspace_with_nothing(slack: FakeSlack, tmp_path: Path) -> None:
    # No gate in front of Socket Mode: the workspace guard in Bolt refuses, and acks the
    # envelope empty so that Slack does not send it again.
    socket = SlackSocket(
        [
            _slash_envelope(slack, team="T0002", envelope_id="foreign", user="UFOREIGN"),
            _slash_envelope(slack, envelope_id="ours"),
        ]
    )
    acks = {
        a["envelope_id"]: a for a in _acks(socket, _serve_socket_mode(slack, socket, tmp_path), 2)
    }
    assert acks["foreign"] == {"envelope_id": "foreign"}
    assert "Rolecall" in acks["ours"]["payload"]["text"]
    # Nothing was asked or said on the foreign request's behalf.
    assert [c for c in slack.calls if "UFOREIGN" in json.dumps(c.args)] == []
    assert slack.responses == []
