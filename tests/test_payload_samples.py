"""Real payloads from Slack's docs and bolt-python's tests (tests/payloads/), re-signed and
posted to Rolecall: each is handled, as it would be from Slack.

A sample is moved into the test workspace first: its team, app, people and channels become
the fake's, its response_url one of the fake's, and its trigger_id a fresh one (as Slack
issues one per click); what it asks for (command, action, callback) becomes Rolecall's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from slack_emulator import APP_ID, payloads
from tests.harness import Harness

SAMPLES = Path(__file__).parent / "payloads"
# IDs of the samples' workspaces, apps, people and channels → the fake's.
IDS = {
    **dict.fromkeys(("T111", "T123ABC456", "T061EG9R6", "T0001"), "T0001"),
    **dict.fromkeys(("A111", "A123ABC456", "A0PNCHHK2", "A123456"), APP_ID),
    **dict.fromkeys(("U111", "U123ABC456", "U2147483697", "W111"), "UALICE"),
    **dict.fromkeys(("U222", "U222222222"), "UBOB"),
    **dict.fromkeys(("C111", "C123ABC456", "C2147483705"), "C0GENERAL"),
    **dict.fromkeys(("D024BE91L", "D123ABC456"), "DUALICE"),
}
# What each sample asks of Rolecall, and what it then shows.
ASKS: dict[str, dict[str, Any]] = {
    "slash_command.json": {"command": "/owner", "text": "roadmap"},
    "block_actions.json": {"actions": [{"action_id": "owner_share", "value": "roadmap"}]},
    "message_action.json": {"callback_id": "log_customer_issue"},
    "view_submission.json": {
        "view": {
            "callback_id": "issue_file",
            "private_metadata": "",  # the sample's own is not signed by the app: refused
            "state": {
                "values": {"summary": {"value": {"type": "plain_text_input", "value": "jam"}}}
            },
        }
    },
}


# Where each kind of request's response_url answers (a click: on an ephemeral message).
KINDS = {"block_actions.json": "ephemeral", "message_action.json": "shortcut"}


def moved(node: Any, harness: Harness, name: str) -> Any:
    """A sample with the fake's IDs, a response_url of the fake and fresh trigger IDs."""
    if isinstance(node, dict):
        out = {k: moved(v, harness, name) for k, v in node.items()}
        if "response_url" in out:
            kind = KINDS.get(name, "command")
            url = harness.new_response_url(kind=kind, channel="C0GENERAL", user="UALICE")[1]
            out["response_url"] = url
        if "trigger_id" in out:
            out["trigger_id"] = payloads.new_trigger_id()
        return out
    if isinstance(node, list):
        return [moved(item, harness, name) for item in node]
    return IDS.get(node, node) if isinstance(node, str) else node


def merged(base: Any, changes: Any) -> Any:
    """`base` with `changes` laid over it (lists: item by item)."""
    if isinstance(base, dict) and isinstance(changes, dict):
        return {**base, **{k: merged(base.get(k), v) for k, v in changes.items()}}
    if isinstance(base, list) and isinstance(changes, list):
        return [merged(b, c) for b, c in zip(base, changes, strict=False)] + base[len(changes) :]
    return changes


def body_of(sample: dict[str, Any]) -> tuple[str, str]:
    """The sample encoded as Slack sends it: form fields, a form `payload`, or JSON."""
    if "command" in sample:
        return urlencode(sample), "application/x-www-form-urlencoded"
    if sample.get("type") in ("block_actions", "message_action", "view_submission"):
        return urlencode({"payload": json.dumps(sample)}), "application/x-www-form-urlencoded"
    return json.dumps(sample), "application/json"


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.json")))
def test_every_stored_payload_is_handled(app: Harness, name: str) -> None:
    app.command("/role", "assign <@UALICE> pm")
    sample = merged(moved(json.loads((SAMPLES / name).read_text()), app, name), ASKS.get(name, {}))
    if name == "block_actions.json":
        sample["container"]["is_ephemeral"] = True  # the share button sits on an ephemeral answer
        sample.pop("message")
    body, content_type = body_of(sample)
    reply = app.post(body, content_type)
    app.settle()
    assert reply.status == 200, (name, reply.raw[:300])  # Bolt answers 404 when unhandled
    assert app.slack.errors == []
    if name == "url_verification.json":
        assert reply.json["challenge"] == sample["challenge"]
    elif name == "slash_command.json":
        assert "Roadmap" in reply.text and "<@UALICE>" in reply.text
    elif name == "block_actions.json":
        assert "Roadmap" in app.slack.messages("C0GENERAL")[0]["text"]  # shared in channel
    elif name == "message_action.json":
        assert app.slack.views[0]["callback_id"] == "issue_file"  # the prefilled modal
    elif name == "view_submission.json":
        assert "Filed #1 jam" in json.dumps(reply.json)
    elif name == "message_im_event.json":
        assert app.slack.messages("DUALICE")  # answered with help
    elif name == "app_home_opened_event.json":
        assert app.slack.home_view("UALICE") is not None
