"""Reply shapes: ephemeral answers, usage lines, error messages in the user's language."""

from __future__ import annotations

from typing import Any

from domain.errors import Named, Phrase, RolecallError
from domain.parsing import is_user, parse_user
from handlers.limits import SECTION_TEXT, cut_markup
from handlers.mrkdwn import escape_keeping_references
from handlers.mrkdwn import user as mention
from i18n import joined, t


def ephemeral(text: str, blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """An ack body (or respond() body) only the requester sees."""
    reply: dict[str, Any] = {"response_type": "ephemeral", "text": text}
    if blocks:
        reply["blocks"] = blocks
    return reply


# Error parameters that carry a stored user ID (never user text): shown as a mention.
MENTION_PARAMS = frozenset({"user", "holders", "backup", "first"})


def _error_param(lang: str, key: str, value: object) -> object:
    if isinstance(value, Phrase):
        return t(lang, value.key, **_error_params(lang, value.params))
    if isinstance(value, Named):
        return escape_keeping_references(value.name(lang))
    if isinstance(value, tuple):
        return joined(lang, (str(_error_param(lang, key, v)) for v in value))
    if not isinstance(value, str):
        return value
    if key in MENTION_PARAMS and is_user(value):
        return mention(parse_user(value))
    return escape_keeping_references(value)


def _error_params(lang: str, params: dict[str, Any]) -> dict[str, object]:
    return {k: _error_param(lang, k, v) for k, v in params.items()}


def error_text(lang: str, error: RolecallError, *, with_usage: bool = True) -> str:
    """The error's message, plus the right usage when the error names one (and is wanted)."""
    text = t(lang, error.key, **_error_params(lang, error.params))
    if error.usage and with_usage:
        text += f"\n{t(lang, 'error.usage_hint')} {t(lang, error.usage)}"
    return text


def section(text: str) -> dict[str, Any]:
    """A mrkdwn section block (text cut to Block Kit's 3 000 characters, never mid-markup)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut_markup(text, SECTION_TEXT)}}


def context_block(text: str) -> dict[str, Any]:
    """A small grey context line."""
    element = {"type": "mrkdwn", "text": cut_markup(text, SECTION_TEXT)}
    return {"type": "context", "elements": [element]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    """A button element."""
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text[:75], "emoji": True},
        "action_id": action_id,
        "value": value[:2000],
    }
    if style:
        element["style"] = style
    return element


def actions(*elements: dict[str, Any], block_id: str | None = None) -> dict[str, Any]:
    """An actions block."""
    block: dict[str, Any] = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block
