"""Block Kit made readable in a terminal, for `rolecall shell`: pure functions, no I/O."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

BOT_NAME = "rolecall"
_ENTITY = re.compile(r"<([^<>]*)>")
INPUT_VALUE_KEYS = {
    "plain_text_input": "value",
    "number_input": "value",
    "email_text_input": "value",
    "url_text_input": "value",
    "static_select": "selected_option",
    "radio_buttons": "selected_option",
    "multi_static_select": "selected_options",
    "checkboxes": "selected_options",
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
}


@dataclass(frozen=True)
class Names:
    """Shell names of Slack IDs, so `<@UALICE>` reads `@alice` and `<#CSUPPORT>` `#support`."""

    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)

    def user(self, user_id: str, label: str = "") -> str:
        """`@name` of a user ID (the bot included)."""
        if user_id == "UBOT":
            return "@" + BOT_NAME
        return "@" + (self.users.get(user_id) or label or user_id)

    def channel(self, channel_id: str, label: str = "") -> str:
        """`#name` of a channel ID."""
        return "#" + (self.channels.get(channel_id) or label or channel_id)


@dataclass(frozen=True)
class Button:
    """A pressable button as printed: its number and what a press sends."""

    number: int
    text: str
    action_id: str
    value: str
    block_id: str
    url: str | None = None


@dataclass(frozen=True)
class Field:
    """One input of a modal, as `submit` addresses it."""

    block_id: str
    action_id: str
    type: str
    label: str
    optional: bool
    element: dict[str, Any]


@dataclass
class Rendered:
    """Lines to print and the buttons among them, numbered from the `start` given."""

    start: int = 1
    lines: list[str] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)


def _entity(inner: str, names: Names) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return names.user(target[1:], label)
    if target.startswith("#"):
        return names.channel(target[1:], label)
    if target.startswith("!"):
        special = target[1:].split("^")[0]
        if special in ("here", "channel", "everyone"):
            return "@" + special
        return label or "@" + special  # dates and user groups carry a readable fallback
    if ":" not in target and "/" not in target:
        return f"<{inner}>"  # not an entity Slack knows: show it as typed
    return f"{label} ({target})" if label and label != target else target


def unescape(text: str, names: Names) -> str:
    """Slack mrkdwn as a person reads it: mentions, channels, links, then `&lt;` and friends."""
    return html.unescape(_ENTITY.sub(lambda m: _entity(m.group(1), names), text))


def _text(obj: Any, names: Names) -> str:
    """The words of a text object (plain_text or mrkdwn) or of a bare string."""
    if isinstance(obj, str):
        return unescape(obj, names)
    if not isinstance(obj, dict):
        return ""
    raw = str(obj.get("text") or "")
    return unescape(raw, names) if obj.get("type") == "mrkdwn" else html.unescape(raw)


def _element(element: dict[str, Any], block_id: str, out: Rendered, names: Names) -> str:
    """An interactive element inline; buttons get the next number."""
    kind = element.get("type", "")
    if kind == "button":
        number = out.start + len(out.buttons)
        button = Button(
            number=number,
            text=_text(element.get("text"), names),
            action_id=str(element.get("action_id", "")),
            value=str(element.get("value", "")),
            block_id=block_id,
            url=element.get("url"),
        )
        out.buttons.append(button)
        style = {"danger": "!", "primary": "*"}.get(str(element.get("style")), "")
        return f"[{number}] {button.text}{style}"
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    if kind in ("mrkdwn", "plain_text"):
        return _text(element, names)
    placeholder = _text(element.get("placeholder"), names)
    return f"<{kind}{': ' + placeholder if placeholder else ''}>"


def _rich_text(node: Any, names: Names) -> str:
    if isinstance(node, list):
        return "".join(_rich_text(child, names) for child in node)
    if not isinstance(node, dict):
        return ""
    kind = node.get("type")
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "user":
        return names.user(str(node.get("user_id", "")))
    if kind == "channel":
        return names.channel(str(node.get("channel_id", "")))
    if kind in ("link", "emoji"):
        return str(node.get("text") or node.get("url") or f":{node.get('name', '')}:")
    text = _rich_text(node.get("elements", []), names)
    return text + "\n" if kind in ("rich_text_section", "rich_text_preformatted") else text


def _block(block: dict[str, Any], out: Rendered, names: Names) -> None:
    kind, block_id = block.get("type"), str(block.get("block_id", ""))
    add = out.lines.extend
    if kind == "header":
        add([f"== {_text(block.get('text'), names)} =="])
    elif kind == "divider":
        add(["---"])
    elif kind == "section":
        text = _text(block.get("text"), names)
        accessory = block.get("accessory")
        if accessory:
            text += ("  " if text else "") + _element(accessory, block_id, out, names)
        add(text.splitlines() if text else [])
        add(f"  {_text(f, names)}" for f in block.get("fields") or [])
    elif kind == "context":
        add(["› " + "  ".join(_element(e, block_id, out, names) for e in block["elements"])])
    elif kind == "actions":
        add(["  ".join(_element(e, block_id, out, names) for e in block.get("elements", []))])
    elif kind == "input":
        add(_input_lines(_field(block), names))
    elif kind == "image":
        add([f"[image: {block.get('alt_text', '')}]"])
    elif kind == "rich_text":
        add(_rich_text(block.get("elements", []), names).rstrip("\n").splitlines())
    else:
        add([f"[{kind} block]"])


def render_blocks(blocks: list[dict[str, Any]], names: Names, start: int = 1) -> Rendered:
    """Blocks as lines; buttons numbered from `start` in reading order."""
    out = Rendered(start)
    for block in blocks:
        _block(block, out, names)
    return out


def render_message(message: Mapping[str, Any], names: Names, start: int = 1) -> Rendered:
    """A message: its blocks when it has some (the text is then only a fallback), else text."""
    blocks = message.get("blocks")
    out = render_blocks(blocks, names, start) if blocks else Rendered(start)
    if not blocks and message.get("text"):
        out.lines.extend(unescape(str(message["text"]), names).splitlines())
    for attachment in message.get("attachments") or []:
        inner = render_message(attachment, names, start + len(out.buttons))
        out.lines.extend("| " + line for line in inner.lines)
        out.buttons.extend(inner.buttons)
    return out


def _field(block: dict[str, Any]) -> Field:
    element = block.get("element") or {}
    return Field(
        block_id=str(block.get("block_id", "")),
        action_id=str(element.get("action_id", "")),
        type=str(element.get("type", "")),
        label=str((block.get("label") or {}).get("text", "")),
        optional=bool(block.get("optional")),
        element=element,
    )


def modal_fields(view: Mapping[str, Any]) -> list[Field]:
    """The input blocks of a modal, in order."""
    return [_field(b) for b in view.get("blocks") or [] if b.get("type") == "input"]


def option_text(option: Mapping[str, Any]) -> str:
    """The label of a select or checkbox option."""
    return html.unescape(str((option.get("text") or {}).get("text", "")))


def element_options(element: Mapping[str, Any]) -> list[dict[str, Any]]:
    """An element's options, option groups flattened."""
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def prefilled(element: Mapping[str, Any], names: Names) -> str:
    """What an input shows before anyone types (its `initial_*`), as a person reads it."""
    shown: list[str] = []
    for key, value in element.items():
        if not key.startswith("initial_") or value in (None, "", []):
            continue
        values = value if isinstance(value, list) else [value]
        for one in values:
            if key.startswith("initial_option"):
                shown.append(option_text(one))
            elif key.startswith("initial_user"):
                shown.append(names.user(str(one)))
            elif key.startswith(("initial_conversation", "initial_channel")):
                shown.append(names.channel(str(one)))
            elif isinstance(one, dict):  # a rich_text_input's rich text
                shown.append(_rich_text(one.get("elements", []), names).rstrip("\n"))
            else:
                shown.append(str(one))
    return ", ".join(shown)


def _input_lines(item: Field, names: Names) -> list[str]:
    need = "" if item.optional else "*"
    line = f"  {item.label}{need}  [{item.block_id}.{item.action_id}: {item.type}]"
    options = [option_text(o) for o in element_options(item.element)]
    line += f" one of: {', '.join(options)}" if options else ""
    first, *rest = prefilled(item.element, names).splitlines() or [""]
    if not first and not rest:
        return [line]
    return [line, f"    prefilled: {first}", *(f"    | {more}" for more in rest)]


def render_view(view: Mapping[str, Any], names: Names, start: int = 1) -> Rendered:
    """A modal or home tab: its blocks, inputs listed with block.action IDs and type."""
    out = render_blocks(list(view.get("blocks") or []), names, start)
    if view.get("type") == "modal":
        submit = _text(view.get("submit"), names)
        close = _text(view.get("close"), names) or "Cancel"
        hint = f"submit field=value; …  ({submit})" if submit else ""
        out.lines.append("  ".join(part for part in (hint, f"cancel ({close})") if part))
    return out


def view_title(view: Mapping[str, Any]) -> str:
    """The title of a modal."""
    return html.unescape(str((view.get("title") or {}).get("text", "")))


def match_option(options: list[dict[str, Any]], wanted: str) -> dict[str, Any] | None:
    """The option whose value or label is `wanted` (case-insensitive)."""
    key = wanted.strip().casefold()
    for option in options:
        if key in (str(option.get("value", "")).casefold(), option_text(option).casefold()):
            return option
    return None


def field_state(item: Field, raw: str | None, resolve: Callable[[str, str], str]) -> dict[str, Any]:
    """One input's `state.values` entry from typed text (`resolve(kind, name)` gives an ID).

    No text or an empty one (`field=`) keeps what the input was prefilled with, as an
    input left alone does in Slack. Raises ValueError with a readable message when the
    text fits no option.
    """
    state: dict[str, Any] = {"type": item.type}
    key = INPUT_VALUE_KEYS.get(item.type, "value")
    element = item.element
    if raw is None or not raw.strip():  # untouched: Slack submits the initial value
        initial = {k: v for k, v in element.items() if k.startswith("initial_")}
        state[key] = next(iter(initial.values()), [] if key.endswith("s") else None)
        return state
    parts = [p.strip() for p in raw.split(",") if p.strip()] if key.endswith("s") else [raw]
    picked: list[Any] = []
    for part in parts:
        if "option" in key:
            found = match_option(element_options(element), part)
            if found is None:
                choices = ", ".join(option_text(o) for o in element_options(element))
                raise ValueError(f"{item.label}: {part!r} is not one of {choices}")
            picked.append(found)
        elif key.endswith(("user", "users")):
            picked.append(resolve("user", part))
        elif key.endswith(("conversation", "conversations", "channel", "channels")):
            picked.append(resolve("channel", part))
        else:
            picked.append(part.strip() or None)
    state[key] = picked if key.endswith("s") else (picked[0] if picked else None)
    return state
