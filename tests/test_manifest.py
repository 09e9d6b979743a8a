"""manifest.yml is valid for Slack and matches the listeners, both ways."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from slack_emulator import payloads
from tests.harness import Harness

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"


def _manifest() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))


def _registered(kind: str) -> set[str]:
    """Names passed to app.<kind>("...") anywhere in handlers/."""
    pattern = re.compile(rf'app\.{kind}\(\s*"([^"]+)"')
    found: set[str] = set()
    for path in (ROOT / "handlers").glob("*.py"):
        found.update(pattern.findall(path.read_text(encoding="utf-8")))
    return found


@pytest.mark.skipif(not SCHEMA.exists(), reason="shared/slack schema not beside the repo")
def test_manifest_is_valid_against_slacks_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(_manifest())]
    assert errors == []


def test_every_command_escapes_mentions_and_has_a_usage_hint() -> None:
    for command in _manifest()["features"]["slash_commands"]:
        assert command["should_escape"] is True, command["command"]
        assert command["usage_hint"], command["command"]


def test_listeners_and_manifest_name_the_same_things() -> None:
    manifest = _manifest()
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    shortcuts = {s["callback_id"] for s in manifest["features"]["shortcuts"]}
    # `message.im` and its siblings are all `message` events to Bolt.
    events = {e.split(".")[0] for e in manifest["settings"]["event_subscriptions"]["bot_events"]}
    assert _registered("command") == commands
    assert _registered("shortcut") == shortcuts
    assert _registered("event") == events


def test_every_manifest_command_answers_help(app: Harness) -> None:
    for command in _manifest()["features"]["slash_commands"]:
        reply = app.command(command["command"], "help")
        assert reply.status == 200, command["command"]
        assert reply.text.strip(), command["command"]


def test_every_manifest_event_is_handled(app: Harness) -> None:
    samples = {
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
    for name in _manifest()["settings"]["event_subscriptions"]["bot_events"]:
        reply = app.event(samples[name])
        assert reply.status == 200, name
