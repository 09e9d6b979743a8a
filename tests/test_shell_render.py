"""Block Kit as the shell prints it: pure rendering, numbered buttons, modal inputs."""

from __future__ import annotations

from typing import Any

import pytest

from console.render import (
    Names,
    field_state,
    modal_fields,
    render_blocks,
    render_message,
    render_view,
    unescape,
)

NAMES = Names(users={"UALICE": "alice"}, channels={"CSUPPORT": "support"})


def test_entities_read_as_names_and_html_entities_are_unescaped() -> None:
    text = "<@UALICE> &amp; <@UBOB|bob> in <#CSUPPORT> &lt;3 <!here> <https://x.test|docs>"
    assert unescape(text, NAMES) == "@alice & @bob in #support <3 @here docs (https://x.test)"
    assert unescape("`/owner <topic>`", NAMES) == "`/owner <topic>`"
    assert unescape("<!date^1700000000^{date}|Nov 14>", NAMES) == "Nov 14"


def test_sections_fields_context_header_divider() -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Owners"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Roadmap* → <@UALICE>"}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Role* pm"}]},
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "matched &quot;路线图&quot;"}]},
    ]
    out = render_blocks(blocks, NAMES)
    assert out.lines == [
        "== Owners ==",
        "*Roadmap* → @alice",
        "  *Role* pm",
        "---",
        '› matched "路线图"',
    ]
    assert out.buttons == []


def test_buttons_are_numbered_in_reading_order_from_start() -> None:
    def button(text: str, action: str) -> dict[str, Any]:
        return {
            "type": "button",
            "text": {"type": "plain_text", "text": text},
            "action_id": action,
            "value": action + "-v",
        }

    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "block_id": "s",
            "text": {"type": "mrkdwn", "text": "hi"},
            "accessory": button("Why", "why"),
        },
        {
            "type": "actions",
            "block_id": "a",
            "elements": [button("Share in channel", "share"), button("Dismiss", "dismiss")],
        },
    ]
    out = render_blocks(blocks, NAMES, start=4)
    assert [(b.number, b.text, b.action_id, b.value, b.block_id) for b in out.buttons] == [
        (4, "Why", "why", "why-v", "s"),
        (5, "Share in channel", "share", "share-v", "a"),
        (6, "Dismiss", "dismiss", "dismiss-v", "a"),
    ]
    assert out.lines == ["hi  [4] Why", "[5] Share in channel  [6] Dismiss"]


def test_message_without_blocks_shows_its_text() -> None:
    out = render_message({"text": "Saved: <#CSUPPORT>.\nDone"}, NAMES)
    assert out.lines == ["Saved: #support.", "Done"]


MODAL: dict[str, Any] = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "File a customer issue"},
    "submit": {"type": "plain_text", "text": "File"},
    "blocks": [
        {
            "type": "input",
            "block_id": "summary",
            "label": {"type": "plain_text", "text": "Summary"},
            "element": {"type": "plain_text_input", "action_id": "text"},
        },
        {
            "type": "input",
            "block_id": "severity",
            "label": {"type": "plain_text", "text": "Severity"},
            "element": {
                "type": "static_select",
                "action_id": "pick",
                "options": [
                    {"text": {"type": "plain_text", "text": "High"}, "value": "high"},
                    {"text": {"type": "plain_text", "text": "Low"}, "value": "low"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "who",
            "optional": True,
            "label": {"type": "plain_text", "text": "Customer contact"},
            "element": {"type": "users_select", "action_id": "user"},
        },
        {
            "type": "input",
            "block_id": "due",
            "optional": True,
            "label": {"type": "plain_text", "text": "Due"},
            "element": {"type": "datepicker", "action_id": "date", "initial_date": "2026-12-01"},
        },
        {
            "type": "input",
            "block_id": "tags",
            "optional": True,
            "label": {"type": "plain_text", "text": "Tags"},
            "element": {
                "type": "checkboxes",
                "action_id": "boxes",
                "options": [
                    {"text": {"type": "plain_text", "text": "Billing"}, "value": "billing"},
                    {"text": {"type": "plain_text", "text": "Export"}, "value": "export"},
                ],
            },
        },
    ],
}


def test_modal_lists_its_inputs_with_ids_types_and_options() -> None:
    out = render_view(MODAL, NAMES)
    assert out.lines[0] == "  Summary*  [summary.text: plain_text_input]"
    assert out.lines[1] == "  Severity*  [severity.pick: static_select] one of: High, Low"
    assert "[who.user: users_select]" in out.lines[2]
    assert out.lines[-1].startswith("submit field=value")


def test_field_state_by_element_type() -> None:
    fields = {f.block_id: f for f in modal_fields(MODAL)}

    def resolve(kind: str, name: str) -> str:
        return {"user": "U", "channel": "C"}[kind] + name.lstrip("@#").upper()

    assert field_state(fields["summary"], "Export crashes", resolve) == {
        "type": "plain_text_input",
        "value": "Export crashes",
    }
    picked = field_state(fields["severity"], "HIGH", resolve)["selected_option"]
    assert picked["value"] == "high"
    assert field_state(fields["who"], "@alice", resolve)["selected_user"] == "UALICE"
    assert field_state(fields["due"], None, resolve)["selected_date"] == "2026-12-01"
    tags = field_state(fields["tags"], "export, Billing", resolve)["selected_options"]
    assert [t["value"] for t in tags] == ["export", "billing"]
    assert field_state(fields["tags"], None, resolve)["selected_options"] == []
    with pytest.raises(ValueError, match="not one of High, Low"):
        field_state(fields["severity"], "meh", resolve)


PREFILLED: dict[str, Any] = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Weekly update"},
    "blocks": [
        {
            "type": "input",
            "block_id": "done",
            "label": {"type": "plain_text", "text": "Done this week"},
            "element": {
                "type": "plain_text_input",
                "action_id": "text",
                "multiline": True,
                "initial_value": "Shipped export\nFixed login",
            },
        },
        {
            "type": "input",
            "block_id": "severity",
            "label": {"type": "plain_text", "text": "Severity"},
            "element": {
                "type": "static_select",
                "action_id": "pick",
                "options": MODAL["blocks"][1]["element"]["options"],
                "initial_option": MODAL["blocks"][1]["element"]["options"][1],
            },
        },
        {
            "type": "input",
            "block_id": "who",
            "label": {"type": "plain_text", "text": "Contact"},
            "element": {"type": "users_select", "action_id": "user", "initial_user": "UALICE"},
        },
        {
            "type": "input",
            "block_id": "where",
            "optional": True,
            "label": {"type": "plain_text", "text": "Channels"},
            "element": {
                "type": "multi_channels_select",
                "action_id": "pick",
                "initial_channels": ["CSUPPORT", "CGENERAL"],
            },
        },
        {
            "type": "input",
            "block_id": "tags",
            "optional": True,
            "label": {"type": "plain_text", "text": "Tags"},
            "element": {
                "type": "checkboxes",
                "action_id": "boxes",
                "options": MODAL["blocks"][4]["element"]["options"],
                "initial_options": MODAL["blocks"][4]["element"]["options"],
            },
        },
    ],
}


def test_a_modal_shows_what_its_inputs_are_prefilled_with() -> None:
    lines = render_view(PREFILLED, NAMES).lines
    assert lines[:3] == [
        "  Done this week*  [done.text: plain_text_input]",
        "    prefilled: Shipped export",
        "    | Fixed login",
    ]
    assert lines[4] == "    prefilled: Low"
    assert lines[6] == "    prefilled: @alice"
    assert lines[8] == "    prefilled: #support, #CGENERAL"
    assert lines[10] == "    prefilled: Billing, Export"
    due = render_view(MODAL, NAMES).lines
    assert due[due.index("  Due  [due.date: datepicker]") + 1] == "    prefilled: 2026-12-01"
    assert "prefilled" not in " ".join(render_view(MODAL, NAMES).lines[:3])


def test_an_empty_answer_keeps_the_prefilled_value() -> None:
    fields = {f.block_id: f for f in modal_fields(PREFILLED)}

    def resolve(kind: str, name: str) -> str:
        return {"user": "U", "channel": "C"}[kind] + name.lstrip("@#").upper()

    for typed in (None, "", "  "):
        done = field_state(fields["done"], typed, resolve)
        assert done["value"] == "Shipped export\nFixed login"
        assert field_state(fields["severity"], typed, resolve)["selected_option"]["value"] == "low"
        assert field_state(fields["who"], typed, resolve)["selected_user"] == "UALICE"
        assert field_state(fields["where"], typed, resolve)["selected_channels"] == [
            "CSUPPORT",
            "CGENERAL",
        ]
    assert field_state(fields["done"], "Only this", resolve)["value"] == "Only this"
    assert field_state(fields["who"], "@bob", resolve)["selected_user"] == "UBOB"
