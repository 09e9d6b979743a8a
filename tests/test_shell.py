"""`rolecall shell` as a person uses it: typed lines in, what the bot would post out."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.settings import Settings, load_settings
from bot.shell import Session, _open_session, run_shell
from console import commands as shell_commands

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a fresh SQLite file, nothing from the environment that matters."""
    return load_settings(database_url=f"sqlite:///{tmp_path / 'shell.db'}", admins=())


def shell(settings: Settings, *lines: str, as_user: str = "admin") -> str:
    """Run the shell on `lines` (not a terminal) and return everything it printed."""
    out = io.StringIO()
    assert (
        run_shell(settings, as_user=as_user, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out)
        == 0
    )
    return out.getvalue()


def test_rolecall_help_is_printed(settings: Settings) -> None:
    out = shell(settings, "/rolecall help")
    assert "> /rolecall help" in out
    assert "[only you see] *Rolecall* knows" in out
    assert "`/owner <topic>`" in out


def test_config_round_trip_shows_the_channel_by_name(settings: Settings) -> None:
    out = shell(settings, "/rolecall config support_channel #support", "/rolecall config")
    assert "Saved: `support_channel` = #support." in out
    assert "`support_channel` = #support _(set here)_" in out


def test_non_admin_is_refused(settings: Settings) -> None:
    out = shell(settings, "as alice", "/rolecall config")
    assert "You are now @alice." in out
    assert "Only admins" in out


def test_start_user_from_as_option_and_locale_switch(settings: Settings) -> None:
    out = shell(settings, "/rolecall config", "locale bob zh-CN", "/rolecall config", as_user="bob")
    assert "you are @bob" in out
    assert "Only admins" in out and "只有管理员" in out


def test_junk_gets_help_not_a_traceback(settings: Settings) -> None:
    out = shell(
        settings, "frobnicate now", "press", "press 7", "submit a=b", "clock soon", "react x 9"
    )
    assert "Unknown command 'frobnicate'" in out
    assert "There is no button 7" in out
    assert "No modal is open" in out
    assert "clock takes" in out
    assert "No message '9'" in out
    assert "Traceback" not in out and "error:" not in out


def test_clock_moves(settings: Settings) -> None:
    out = shell(settings, "clock 2026-12-01T09:00", "clock +2h", "tick")
    assert "Clock: 2026-12-01T11:00+00:00" in out
    assert "tick at 2026-12-01T11:00+00:00" in out


@pytest.fixture
def session(settings: Settings) -> Iterator[tuple[Session, io.StringIO]]:
    """A shell session whose app also has a demo command with a button and a modal."""
    out = io.StringIO()
    s, emulator = _open_session(settings, out)
    seen: dict[str, Any] = {}
    app = s.app

    @app.command("/demo")
    def demo(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        if command["text"] == "modal":
            ack()
            client.views_open(trigger_id=command["trigger_id"], view=MODAL)
            return
        button = {
            "type": "button",
            "text": {"type": "plain_text", "text": "Share in channel"},
            "action_id": "demo_share",
            "value": "v1",
        }
        ack(
            text="x",
            blocks=[
                {"type": "section", "text": {"type": "mrkdwn", "text": f"Hi {command['text']}"}},
                {"type": "actions", "elements": [button]},
            ],
        )

    @app.action("demo_share")
    def share(ack: Ack, respond: Respond, body: dict[str, Any]) -> None:
        ack()
        respond(
            response_type="in_channel",
            text=f"shared {body['actions'][0]['value']} by <@{body['user']['id']}>",
        )

    @app.view("demo_modal")
    def submitted(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        seen["values"] = view["state"]["values"]
        ack()

    s.seen = seen  # type: ignore[attr-defined]
    yield s, out
    s.deps.background.shutdown(wait=True)
    emulator.stop()


MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "demo_modal",
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
            "block_id": "who",
            "label": {"type": "plain_text", "text": "Customer contact"},
            "element": {"type": "users_select", "action_id": "user"},
        },
    ],
}


def test_press_a_button_posts_in_channel(session: tuple[Session, io.StringIO]) -> None:
    s, out = session
    shell_commands.handle(s, "/demo @alice")
    shell_commands.handle(s, "press 1")
    text = out.getvalue()
    assert "[only you see] Hi @alice\n  [1] Share in channel" in text
    assert "[#general, message 1] shared v1 by @admin" in text
    assert s.emulator.messages("CGENERAL")[0]["text"] == "shared v1 by <@UADMIN>"


def test_modal_round_trip(session: tuple[Session, io.StringIO]) -> None:
    s, out = session
    shell_commands.handle(s, "/demo modal")
    assert "[modal: File a customer issue]" in out.getvalue()
    assert "[summary.text: plain_text_input]" in out.getvalue()
    with pytest.raises(shell_commands.ShellError, match="Customer contact is required"):
        shell_commands.handle(s, "submit summary=Export crashes")
    shell_commands.handle(s, "submit summary=Export crashes; customer contact=@bob")
    assert s.seen["values"] == {  # type: ignore[attr-defined]
        "summary": {"text": {"type": "plain_text_input", "value": "Export crashes"}},
        "who": {"user": {"type": "users_select", "selected_user": "UBOB"}},
    }
    assert "closed" in out.getvalue() and not s.modals


def test_role_assign_then_owner_names_alice_and_shares(settings: Settings) -> None:
    out = shell(settings, "/role assign @alice pm", "/owner 路线图", "press 1")
    owner_answer = out.split("> /owner 路线图")[1].split("> press 1")[0]
    assert "@alice" in owner_answer
    shared = out.split("> press 1")[1]
    assert "[#general" in shared and "@alice" in shared


def test_issue_is_filed(settings: Settings) -> None:
    out = shell(settings, "/rolecall config support_channel #support", "/issue export crashes")
    assert "Traceback" not in out and "no listener" not in out
    assert "export crashes" in out.split("> /issue export crashes")[1]


def test_issue_modal_card_button_and_first_response_flag(settings: Settings) -> None:
    out = shell(
        settings,
        "/rolecall config support_channel #support",
        "/issue",
        "submit summary=Export crashes; customer=ACME; severity=high",
        "press 1",
        "clock +5h",
        "tick",
        "/issue list",
    )
    filed = out.split("> submit")[1].split("> press 1")[0]
    assert "Filed #1 Export crashes" in filed
    assert "[#support, message 1] *#1 Export crashes*" in filed and "ACME" in filed
    taken = out.split("> press 1")[1].split("> clock")[0]
    assert "[updated message in #support, message 1]" in taken
    assert "[thread in #support" in taken and "assigned it to @admin" in taken
    flagged = out.split("> tick")[1].split("> /issue list")[0]
    assert "#1 Export crashes is still new after 5h" in flagged
    assert "*#1 Export crashes* · high · new · @admin" in out.split("> /issue list")[1]


def test_cli_shell_reads_piped_stdin(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ROLECALL_"))}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "shell", "--as", "admin"],
        cwd=tmp_path,
        env=env,
        input="/rolecall help\n/owner 路线图\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Rolecall shell")
    assert "> /rolecall help\n[only you see] *Rolecall*" in done.stdout
    assert "> /owner 路线图" in done.stdout and "Traceback" not in done.stdout + done.stderr
    assert (tmp_path / "rolecall.db").exists()


def test_a_second_session_knows_the_people_of_the_first(settings: Settings) -> None:
    shell(settings, "/role assign @alice pm", "locale alice zh-CN")
    again = shell(settings, "/role who pm", "as alice", "/role me")
    assert "@alice" in again.split("> /role who pm")[1] and "@UALICE" not in again
    assert "你担任：产品经理" in again.split("> /role me")[1]


def test_a_commands_answer_is_not_replaced_and_refusals_are_shown(
    session: tuple[Session, io.StringIO],
) -> None:
    s, out = session

    @s.app.command("/later")
    def later(ack: Ack, respond: Respond, command: dict[str, Any]) -> None:
        if command["text"] == "big":
            section = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
            ack(text="too much", blocks=[section] * 51)
            return
        ack(text="Working…")
        respond(text="Done", replace_original=True)

    shell_commands.handle(s, "/later")
    text = out.getvalue()
    assert "[only you see] Working…" in text
    assert "[only you see, a new message (Slack never replaces a command's answer)] Done" in text
    shell_commands.handle(s, "/later big")
    assert "[Slack refused the answer: invalid_blocks]" in out.getvalue()
    assert "no more than 50 items allowed [json-pointer:/blocks]" in out.getvalue()
    s.emulator.rejections.clear()


def test_a_post_slack_refuses_is_shown_as_refused(settings: Settings) -> None:
    out = shell(settings, "/rolecall config support_channel #support", "/issue printer jams")
    assert "[#support, message 1]" in out  # the card
    assert "[Slack refused" not in out


def test_home_opens_your_app_home_in_your_language(settings: Settings) -> None:
    out = shell(
        settings, "help", "home", "/role assign @alice pm", "as alice", "locale alice zh-CN", "home"
    )
    assert "  home  " in out.split("> help")[1].split("> home")[0]
    first = out.split("> home")[1].split("> /role")[0]
    assert "[App Home of you] == Rolecall ==" in first and "*Who holds which role*" in first
    assert "*Product Manager* (`product-manager`): _nobody yet_" in first
    again = out.split("> home")[2]
    assert "[App Home of you]" in again and "*产品经理* (`product-manager`): @alice" in again


def test_a_form_shows_its_prefilled_values_and_an_empty_answer_keeps_them(
    settings: Settings,
) -> None:
    out = shell(
        settings,
        "/rolecall config support_channel #support",
        "say #general Export crashes on Safari",
        "shortcut log_customer_issue 1",
        "submit summary=; customer=ACME",
    )
    form = out.split("> shortcut")[1].split("> submit")[0]
    assert "Summary*  [summary.value: plain_text_input]\n      prefilled: Export crashes" in form
    assert "prefilled: normal" in form and "prefilled: bug" in form
    filed = out.split("> submit")[1]
    assert "Filed #1 Export crashes on Safari" in filed
    assert (
        "[thread in #general, message 2] Filed as ticket #1 by @admin; updates follow in the "
        "support channel." in filed
    )


def test_a_chinese_form_shows_its_prefilled_values(settings: Settings) -> None:
    out = shell(
        settings,
        "locale admin zh-CN",
        "/rolecall config language zh",  # the thread reply speaks the workspace's language
        "say #general 导出时崩溃",
        "shortcut log_customer_issue 1",
        "submit 摘要=",
    )
    form = out.split("> shortcut")[1].split("> submit")[0]
    assert "prefilled: 导出时崩溃" in form and "prefilled: 普通" in form
    filed = out.split("> submit")[1]
    assert "已登记 #1 导出时崩溃" in filed
    assert "@admin 已将此登记为工单 #1。" in filed
