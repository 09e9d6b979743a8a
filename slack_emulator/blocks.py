"""What Slack refuses in a message or a view: Block Kit's documented limits, answered as Slack
answers them (`invalid_blocks` with one line per problem and its JSON pointer).

Limits are the Block Kit reference's (docs.slack.dev/reference/block-kit): 50 blocks in a
message, 100 in a modal or Home tab; section text 3 000 characters, a section field 2 000,
header 150, button text 75, context 10 elements, actions 25, 100 options in a select; a
modal's title, submit and close 24, its private_metadata 3 000. Undocumented but real:
`msg_blocks_too_long` when the text of all blocks together passes about 12 000 characters
(slackapi/bolt-js#2509); `msg_too_long` past 40 000 characters of `text`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000  # a message's `text`
BLOCKS_TEXT = 12_000  # every text of a message's blocks together
VIEW_BYTES = 250_000  # views.*: view_too_large
SECTION_TEXT = 3000
FIELD_TEXT = 2000
HEADER_TEXT = 150
BUTTON_TEXT = 75
LABEL_TEXT = 2000
PLACEHOLDER_TEXT = 150
OPTION_TEXT = 75
OPTION_VALUE = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
SECTION_FIELDS = 10
SELECT_OPTIONS = 100
ID_LENGTH = 255  # block_id, action_id, callback_id, external_id
MODAL_TITLE = 24
PRIVATE_METADATA = 3000
_BLOCK_TYPES = frozenset(
    {"section", "header", "divider", "context", "actions", "input", "image", "rich_text"}
    | {"file", "video", "markdown", "table"}
)


@dataclass(frozen=True)
class Refusal:
    """Slack's answer to content it will not show: the error and what it says about it."""

    error: str
    messages: tuple[str, ...] = ()

    def api_fields(self) -> dict[str, Any]:
        """The fields of a Web API error answer, next to "ok": false."""
        fields: dict[str, Any] = {"error": self.error}
        if self.messages:
            if self.error == "invalid_blocks":
                fields["errors"] = list(self.messages)
            fields["response_metadata"] = {"messages": [f"[ERROR] {m}" for m in self.messages]}
        return fields


class _Problems:
    """Problems found so far, each as Slack words it: '<what> [json-pointer:<path>]'."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, what: str, path: str) -> None:
        self.found.append(f"{what} [json-pointer:{path}]")

    def length(self, value: Any, limit: int, path: str, *, minimum: int = 0) -> None:
        if not isinstance(value, str):
            self.add("must be a string", path)
        elif len(value) > limit:
            self.add(f"must be less than {limit + 1} characters", path)
        elif len(value) < minimum:
            self.add(f"must be more than {minimum - 1} characters", path)

    def items(self, value: Any, limit: int, path: str, *, minimum: int = 1) -> list[Any]:
        if not isinstance(value, list):
            self.add("must be an array", path)
            return []
        if len(value) > limit:
            self.add(f"no more than {limit} items allowed", path)
        elif len(value) < minimum:
            self.add(f"must provide at least {minimum} items", path)
        return value

    def text(self, node: Any, limit: int, path: str, *, plain: bool = False) -> None:
        """A text object: plain_text (or mrkdwn where allowed) of 1 to `limit` characters."""
        if not isinstance(node, dict):
            self.add("must provide an object", path)
            return
        allowed = ("plain_text",) if plain else ("plain_text", "mrkdwn")
        if node.get("type") not in allowed:
            self.add(f"must be one of {', '.join(allowed)}", f"{path}/type")
        self.length(node.get("text"), limit, f"{path}/text", minimum=1)

    def identifier(self, node: dict[str, Any], key: str, path: str) -> None:
        if key in node:
            self.length(node[key], ID_LENGTH, f"{path}/{key}")


def _option(p: _Problems, option: Any, path: str) -> None:
    if not isinstance(option, dict):
        p.add("must provide an object", path)
        return
    p.text(option.get("text"), OPTION_TEXT, f"{path}/text")
    p.length(option.get("value"), OPTION_VALUE, f"{path}/value", minimum=1)


def _element(p: _Problems, element: Any, path: str) -> None:
    """An interactive element (button, select, input, …) or an image element."""
    if not isinstance(element, dict):
        p.add("must provide an object", path)
        return
    kind = element.get("type")
    p.identifier(element, "action_id", path)
    if "placeholder" in element:
        p.text(element["placeholder"], PLACEHOLDER_TEXT, f"{path}/placeholder", plain=True)
    if kind == "button":
        p.text(element.get("text"), BUTTON_TEXT, f"{path}/text", plain=True)
        if "value" in element:
            p.length(element["value"], 2000, f"{path}/value")
        if "url" in element:
            p.length(element["url"], 3000, f"{path}/url")
        if element.get("style") not in (None, "primary", "danger"):
            p.add("must be one of primary, danger", f"{path}/style")
    elif kind in ("static_select", "multi_static_select"):
        if "options" in element:
            options = p.items(element["options"], SELECT_OPTIONS, f"{path}/options")
            for i, option in enumerate(options):
                _option(p, option, f"{path}/options/{i}")
        for i, group in enumerate(p.items(element.get("option_groups", []), 100, path, minimum=0)):
            for j, option in enumerate(p.items(group.get("options"), SELECT_OPTIONS, path)):
                _option(p, option, f"{path}/option_groups/{i}/options/{j}")
    elif kind in ("checkboxes", "radio_buttons"):
        for i, option in enumerate(p.items(element.get("options"), 10, f"{path}/options")):
            _option(p, option, f"{path}/options/{i}")
    elif kind == "plain_text_input":
        for key in ("max_length", "min_length"):
            if key in element and not (isinstance(element[key], int) and element[key] <= 3000):
                p.add("must be an integer of at most 3000", f"{path}/{key}")
        if "initial_value" in element:
            p.length(element["initial_value"], int(element.get("max_length") or 3000), path)
    elif kind == "image":
        p.length(element.get("alt_text"), 2000, f"{path}/alt_text", minimum=1)
    elif not isinstance(kind, str) or not kind:
        p.add("missing required field: type", path)


def _block(p: _Problems, block: Any, path: str) -> None:
    if not isinstance(block, dict):
        p.add("must provide an object", path)
        return
    kind = block.get("type")
    if kind not in _BLOCK_TYPES:
        p.add(f"unsupported type: {kind}", f"{path}/type")
        return
    p.identifier(block, "block_id", path)
    if kind == "section":
        if "text" not in block and "fields" not in block:
            p.add("must provide either text or fields", path)
        if "text" in block:
            p.text(block["text"], SECTION_TEXT, f"{path}/text")
        if "fields" in block:
            for i, item in enumerate(p.items(block["fields"], SECTION_FIELDS, f"{path}/fields")):
                p.text(item, FIELD_TEXT, f"{path}/fields/{i}")
        if "accessory" in block:
            _element(p, block["accessory"], f"{path}/accessory")
    elif kind == "header":
        p.text(block.get("text"), HEADER_TEXT, f"{path}/text", plain=True)
    elif kind == "context":
        for i, item in enumerate(p.items(block.get("elements"), CONTEXT_ELEMENTS, path)):
            if isinstance(item, dict) and item.get("type") == "image":
                _element(p, item, f"{path}/elements/{i}")
            else:
                p.text(item, SECTION_TEXT, f"{path}/elements/{i}")
    elif kind == "actions":
        for i, item in enumerate(p.items(block.get("elements"), ACTIONS_ELEMENTS, path)):
            _element(p, item, f"{path}/elements/{i}")
    elif kind == "input":
        p.text(block.get("label"), LABEL_TEXT, f"{path}/label", plain=True)
        if "hint" in block:
            p.text(block["hint"], LABEL_TEXT, f"{path}/hint", plain=True)
        _element(p, block.get("element"), f"{path}/element")
    elif kind == "image":
        p.length(block.get("alt_text"), 2000, f"{path}/alt_text", minimum=1)


def block_problems(blocks: Any, path: str, limit: int) -> list[str]:
    """Every problem Slack reports for `blocks` (at most `limit` of them)."""
    p = _Problems()
    for i, block in enumerate(p.items(blocks, limit, path, minimum=0)):
        _block(p, block, f"{path}/{i}")
    return p.found


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


def blocks_text_length(blocks: Any) -> int:
    """How many characters of text all the blocks hold together."""
    return sum(len(text) for text in _texts(blocks))


def check_message(fields: dict[str, Any]) -> Refusal | None:
    """What Slack says of a message's text and blocks (chat.*, acks, response_url posts)."""
    text, blocks = fields.get("text"), fields.get("blocks")
    if isinstance(blocks, str):
        return Refusal("invalid_blocks_format")  # sent but not JSON
    if not text and not blocks and not fields.get("attachments"):
        return Refusal("no_text")
    if isinstance(text, str) and len(text) > MESSAGE_TEXT:
        return Refusal("msg_too_long")
    if blocks is not None:
        problems = block_problems(blocks, "/blocks", MESSAGE_BLOCKS)
        if problems:
            return Refusal("invalid_blocks", tuple(problems))
        if blocks_text_length(blocks) > BLOCKS_TEXT:
            return Refusal("msg_blocks_too_long")
    return None


def check_view(view: Any) -> Refusal | None:
    """What views.open/push/update/publish say of a view (`invalid_arguments` + messages)."""
    if not isinstance(view, dict):
        return Refusal("invalid_arguments", ("must provide an object [json-pointer:/view]",))
    if len(json.dumps(view)) > VIEW_BYTES:
        return Refusal("view_too_large")
    p = _Problems()
    kind = view.get("type")
    if kind not in ("modal", "home"):
        p.add("must be one of modal, home", "/view/type")
    if kind == "modal":
        p.text(view.get("title"), MODAL_TITLE, "/view/title", plain=True)
        for key in ("submit", "close"):
            if view.get(key) is not None:
                p.text(view[key], MODAL_TITLE, f"/view/{key}", plain=True)
        blocks = view.get("blocks")
        blocks = blocks if isinstance(blocks, list) else []
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        if has_input and view.get("submit") is None:
            p.add("submit is required when an input block is within the blocks array", "/view")
    if "private_metadata" in view:
        p.length(view["private_metadata"], PRIVATE_METADATA, "/view/private_metadata")
    for key in ("callback_id", "external_id"):
        p.identifier(view, key, "/view")
    p.found += block_problems(view.get("blocks"), "/view/blocks", VIEW_BLOCKS)
    return Refusal("invalid_arguments", tuple(p.found)) if p.found else None
