"""The app under test: Rolecall over real HTTP, signed requests, the fake Slack behind it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from itertools import count
from typing import Any

from bot.app import create_app
from bot.server import HttpServer
from bot.settings import Settings
from bot.slack_client import make_client
from handlers.clock import Clock
from handlers.deps import Deps
from slack_emulator import payloads
from storage.db import Database
from tests.fake_slack import FakeSlack

SIGNING_SECRET = "test-signing-secret"


def visible_text(message: dict[str, Any]) -> str:
    """Everything a person reads in a message: its text and every text in its blocks."""
    parts = [str(message.get("text") or "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    parts.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks") or [])
    return "\n".join(p for p in parts if p)


@dataclass
class Reply:
    """An HTTP answer from the app."""

    status: int
    raw: bytes
    response_key: str = ""

    @property
    def json(self) -> dict[str, Any]:
        """The body as JSON ({} when empty)."""
        return json.loads(self.raw) if self.raw.strip() else {}

    @property
    def text(self) -> str:
        """What the user reads in the ack's message."""
        return visible_text(self.json) if self.raw.strip() else ""


class Harness:
    """Starts the app on a loopback port and speaks to it like Slack does."""

    def __init__(self, settings: Settings, db: Database, slack: FakeSlack) -> None:
        self.settings = settings
        self.db = db
        self.slack = slack
        self.clock = Clock()
        self._ids = count(1)

    def start(self) -> Harness:
        """Build the app and serve it."""
        self.bolt, self.deps = create_app(
            self.settings, self.db, make_client(self.settings), clock=self.clock
        )
        self.server = HttpServer(self.bolt, self.deps, host="127.0.0.1", port=0).start()
        self.url = f"http://127.0.0.1:{self.server.port}/slack/events"
        return self

    @property
    def d(self) -> Deps:
        """The app's dependencies (store, clock, catalogue)."""
        return self.deps

    def stop(self) -> None:
        """Finish background work and stop serving."""
        self.settle()
        self.server.close()
        self.deps.background.shutdown(wait=True)

    def settle(self) -> None:
        """Wait for every piece of work started after an ack."""
        self.deps.background.settle()

    def post(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        sign: bool = True,
        timestamp: int | None = None,
    ) -> Reply:
        """POST a raw body to /slack/events, signed like Slack signs it."""
        all_headers = (
            payloads.signature_headers(
                body, SIGNING_SECRET, timestamp=timestamp, content_type=content_type
            )
            if sign
            else {"Content-Type": content_type}
        )
        all_headers.update(headers or {})
        request = urllib.request.Request(
            self.url, data=body.encode(), headers=all_headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                reply = Reply(answer.status, answer.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read())
        self.slack.check_request_ack(body, reply.raw)  # Slack refuses what it can't show
        return reply

    def new_response_url(self, **origin: Any) -> tuple[str, str]:
        """A fresh response_url on the fake (for a request of `origin`: kind, channel, …)."""
        key = f"r{next(self._ids)}"
        return key, self.slack.response_url(key, **origin)

    def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str = "UADMIN",
        channel: str = "C0GENERAL",
        team: str = "T0001",
        settle: bool = True,
    ) -> Reply:
        """Run a slash command as `user`; waits for its after-ack work unless told not to."""
        key, response_url = self.new_response_url(kind="command", channel=channel, user=user)
        body = payloads.slash_command(
            team_id=team,
            user_id=user,
            user_name=user.lower(),
            command=command,
            text=text,
            channel_id=channel,
            response_url=response_url,
        )
        reply = self.post(body, "application/x-www-form-urlencoded")
        reply.response_key = key
        if settle:
            self.settle()
        return reply

    def responses(self, key: str | None = None) -> list[dict[str, Any]]:
        """Bodies posted to response_urls (all, or one key's)."""
        return [r.body for r in self.slack.responses if key is None or r.key == key]

    def action(
        self,
        action_id: str,
        value: str,
        *,
        user: str = "UADMIN",
        team: str = "T0001",
        message: dict[str, Any] | None = None,
        channel: str = "C0GENERAL",
        response_url: bool = True,
        settle: bool = True,
        **extra: Any,
    ) -> Reply:
        """Press a button: on `message` in `channel`, or (no message) on an ephemeral one."""
        kind = "message" if message is not None else "ephemeral"
        ts = message.get("ts") if message is not None else None
        key, url = self.new_response_url(kind=kind, channel=channel, user=user, message_ts=ts)
        body = payloads.block_actions(
            team_id=team,
            user_id=user,
            user_name=user.lower(),
            action_id=action_id,
            value=value,
            response_url=url if response_url else None,
            channel_id=channel,
            message=message,
            **extra,
        )
        reply = self.post(body, "application/x-www-form-urlencoded")
        reply.response_key = key
        if settle:
            self.settle()
        return reply

    def event(
        self,
        event: dict[str, Any],
        *,
        team: str = "T0001",
        event_id: str | None = None,
        headers: dict[str, str] | None = None,
        settle: bool = True,
    ) -> Reply:
        """Deliver an Events API event."""
        body = payloads.event_callback(team_id=team, event=event, event_id=event_id)
        reply = self.post(body, "application/json", headers=headers)
        if settle:
            self.settle()
        return reply
