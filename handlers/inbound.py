"""Inbound request bodies: read exactly as Bolt will read them, refused unless shaped as Slack
sends them.

Bolt parses a body when it builds a request (and again for every lazy listener) and trusts
its shape afterwards: a body it cannot parse, a `payload` that is not an object, or a
`view: null` ends in a traceback inside a matcher or a listener. `parse_body` runs Bolt's own
parser and checks the fields Bolt and our handlers rely on, so those bodies never get that far.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote

from slack_bolt.request.internals import parse_body as bolt_parse_body

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Fields that Bolt reads as objects (or IDs) wherever they appear, whatever the payload type.
_OBJECT_FIELDS = ("view", "message", "container", "event", "state", "channel_info")
_ID_OR_OBJECT_FIELDS = ("team", "user", "channel", "enterprise")


class MalformedBody(Exception):
    """A signed body that Slack would never send; the message is a short reason."""


def parse_body(raw: bytes, content_type: str) -> tuple[str, dict[str, Any]]:
    """The body as text for Bolt and as the dict Bolt will make of it; MalformedBody if the
    two disagree or the dict is not shaped as Slack sends it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedBody("the body is not UTF-8") from None
    media = content_type.split(";", 1)[0].strip().lower()
    if media == JSON:
        if not text.startswith("{"):
            raise MalformedBody("a JSON body must be an object")
        body = _bolt_view_of(text, content_type)
        _check_common(body)
        _check_event_body(body)
    elif media == FORM:
        if text.lstrip().startswith("{"):
            raise MalformedBody("JSON sent as a form")  # Bolt would read it as JSON
        text, body = _form_body(text, content_type)
    else:
        raise MalformedBody("unsupported content type")
    return text, body


def _bolt_view_of(text: str, content_type: str) -> dict[str, Any]:
    try:
        body = bolt_parse_body(text, content_type)
    except ValueError:
        raise MalformedBody("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise MalformedBody("the payload is not an object")
    return body


def _form_body(text: str, content_type: str) -> tuple[str, dict[str, Any]]:
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" not in fields and "payload" in text:
        # Bolt takes any body containing the word "payload" for an interactivity payload
        # and, finding no such field, reads nothing: `/issue the payload is lost` would be
        # lost. Bolt no longer checks signatures (the gate did), so hand it the same fields
        # spelled so that the word does not occur.
        text = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in fields.items())
        text = text.replace("payload", "p%61yload")
    body = _bolt_view_of(text, content_type)
    _check_common(body)
    if "payload" in fields:
        _check_interactivity(body)
    elif body != fields:
        raise MalformedBody("the form cannot be read")
    elif "ssl_check" not in body:
        _check_slash_command(body)
    return text, body


def _require_text(body: Mapping[str, Any], *names: str) -> None:
    for name in names:
        if not isinstance(body.get(name), str) or not body[name]:
            raise MalformedBody(f"`{name}` is missing or not text")


def _require_object(body: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = body.get(name)
    if not isinstance(value, Mapping):
        raise MalformedBody(f"`{name}` is missing or not an object")
    return value


def _check_common(body: Mapping[str, Any]) -> None:
    for name in _OBJECT_FIELDS:
        if name in body and not isinstance(body[name], Mapping):
            raise MalformedBody(f"`{name}` is not an object")
    for name in _ID_OR_OBJECT_FIELDS:
        if body.get(name) is not None and not isinstance(body[name], str | Mapping):
            raise MalformedBody(f"`{name}` is not an ID or an object")
    authorizations = body.get("authorizations")
    if authorizations is not None and not (
        isinstance(authorizations, list) and all(isinstance(a, Mapping) for a in authorizations)
    ):
        raise MalformedBody("`authorizations` is not a list of objects")
    actions = body.get("actions")
    if actions is not None and not (
        isinstance(actions, list) and actions and all(isinstance(a, Mapping) for a in actions)
    ):
        raise MalformedBody("`actions` is not a list of objects")


def _check_slash_command(body: Mapping[str, Any]) -> None:
    _require_text(body, "command", "user_id", "team_id")
    if not str(body["command"]).startswith("/"):
        raise MalformedBody("`command` is not a slash command")
    if not isinstance(body.get("text", ""), str):
        raise MalformedBody("`text` is not text")


def _check_interactivity(body: Mapping[str, Any]) -> None:
    _require_text(body, "type")
    kind = body["type"]
    if kind == "block_actions":
        if not body.get("actions"):
            raise MalformedBody("`actions` is missing")
        for action in body["actions"]:
            _require_text(action, "action_id")
    elif kind in ("view_submission", "view_closed"):
        view = _require_object(body, "view")
        _require_text(view, "callback_id")
        if not isinstance(view.get("private_metadata", ""), str):
            raise MalformedBody("`private_metadata` is not text")
        if kind == "view_submission":
            state = _require_object(view, "state")
            _require_object(state, "values")
    elif kind in ("shortcut", "message_action"):
        _require_text(body, "callback_id")
        if kind == "message_action":
            _require_object(body, "message")
            _require_object(body, "channel")
    if body.get("response_url") is not None and not isinstance(body["response_url"], str):
        raise MalformedBody("`response_url` is not text")


def _check_event_body(body: Mapping[str, Any]) -> None:
    _require_text(body, "type")
    if body["type"] == "url_verification":
        _require_text(body, "challenge")
    elif body["type"] == "event_callback":
        _require_text(_require_object(body, "event"), "type")
