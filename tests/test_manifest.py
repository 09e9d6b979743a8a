"""manifest.yml is valid for Slack, and every command, shortcut and event it declares is
handled: each is sent to the app over signed HTTP, and Bolt answers an unmatched one with 404."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from slack_emulator import payloads
from tests.harness import Harness, Reply

FORM = "application/x-www-form-urlencoded"

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"


def _manifest() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))


@pytest.mark.skipif(not SCHEMA.exists(), reason="shared/slack schema not beside the repo")
def test_manifest_is_valid_against_slacks_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(_manifest())]
    assert errors == []


def test_every_command_escapes_mentions_and_has_a_usage_hint() -> None:
    for command in _manifest()["features"]["slash_commands"]:
        assert command["should_escape"] is True, command["command"]
        assert command["usage_hint"], command["command"]


def _shortcut(app: Harness, callback_id: str) -> Reply:
    _, url = app.new_response_url()
    body = payloads.message_shortcut(
        team_id="T0001",
        user_id="UALICE",
        user_name="alice",
        callback_id=callback_id,
        channel_id="C0GENERAL",
        message={"ts": "1700000000.000100", "text": "It crashes on login", "user": "UBOB"},
        response_url=url,
    )
    reply = app.post(body, FORM)
    app.settle()
    return reply


def _events(app: Harness) -> dict[str, dict[str, Any]]:
    """One sample of each event type the manifest subscribes to."""
    return {
        "app_home_opened": payloads.app_home_opened(user_id="UALICE"),
        "reaction_added": payloads.reaction_added(
            user_id="UALICE",
            reaction="thumbsup",
            channel_id="C0GENERAL",
            message_ts="1700000000.000100",
            item_user="UBOB",
        ),
        "user_change": payloads.user_change(user=app.slack.add_user("UDAVE", "dave")),
        "team_join": {"type": "team_join", "user": app.slack.add_user("UERIN", "erin")},
        "message.im": {
            "type": "message",
            "channel": "DUALICE",
            "user": "UALICE",
            "text": "hello?",
            "ts": "1700000000.000200",
            "event_ts": "1700000000.000200",
            "channel_type": "im",
        },
    }


def test_what_the_manifest_does_not_declare_is_not_handled(app: Harness) -> None:
    # Bolt answers a request no listener matched with 404: that is what the checks below rule out.
    assert app.command("/nosuch", "help").status == 404
    assert _shortcut(app, "no_such_shortcut").status == 404
    assert app.event({"type": "channel_rename", "channel": {"id": "C0GENERAL"}}).status == 404


def test_every_manifest_command_answers_help(app: Harness) -> None:
    for command in _manifest()["features"]["slash_commands"]:
        reply = app.command(command["command"], "help")
        assert reply.status == 200, command["command"]
        assert reply.text.strip(), command["command"]


def test_every_manifest_shortcut_is_handled(app: Harness) -> None:
    for shortcut in _manifest()["features"]["shortcuts"]:
        reply = _shortcut(app, shortcut["callback_id"])
        assert reply.status == 200, shortcut["callback_id"]


def test_every_manifest_event_is_handled(app: Harness) -> None:
    samples = _events(app)
    for name in _manifest()["settings"]["event_subscriptions"]["bot_events"]:
        reply = app.event(samples[name])
        assert reply.status == 200, name
