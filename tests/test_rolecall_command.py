"""`/rolecall`: help in both languages and per-workspace config, over real HTTP."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import WorkspaceSetting
from tests.harness import Harness


def test_help_lists_every_command(app: Harness) -> None:
    reply = app.command("/rolecall", "")
    assert reply.status == 200
    assert reply.json["response_type"] == "ephemeral"
    for command in ("/owner", "/role", "/issue", "/standup", "/rolecall config"):
        assert command in reply.text


def test_help_in_chinese_for_a_chinese_locale(app: Harness) -> None:
    app.command("/rolecall", "help", user="UCAROL")  # first contact: profile fetched after ack
    reply = app.command("/rolecall", "help", user="UCAROL")
    assert "了解产品团队的角色" in reply.text


def test_config_shows_defaults_and_saves_a_channel(app: Harness) -> None:
    shown = app.command("/rolecall", "config")
    assert "support_channel" in shown.text and "not set" in shown.text
    saved = app.command("/rolecall", "config support_channel <#C0SUPPORT|support>")
    assert "Saved" in saved.text and "<#C0SUPPORT>" in saved.text
    with app.db.begin() as session:
        rows = session.scalars(select(WorkspaceSetting)).all()
        assert [(r.team_id, r.key, r.value) for r in rows] == [
            ("T0001", "support_channel", "C0SUPPORT")
        ]
    assert "set here" in app.command("/rolecall", "config").text


def test_config_reset_and_bad_values(app: Harness) -> None:
    app.command("/rolecall", "config default_tz Asia/Shanghai")
    bad = app.command("/rolecall", "config default_tz Mars/Olympus")
    assert bad.status == 200 and "Mars/Olympus" in bad.text and "Usage" in bad.text
    unknown = app.command("/rolecall", "config colour blue")
    assert "no setting called" in unknown.text
    reset = app.command("/rolecall", "config default_tz reset")
    assert "back to its default" in reset.text and "UTC" in reset.text


def test_config_is_admin_only(app: Harness) -> None:
    reply = app.command("/rolecall", "config support_channel #x", user="UALICE")
    assert reply.status == 200
    assert "Only admins" in reply.text
    with app.db.begin() as session:
        assert session.scalars(select(WorkspaceSetting)).all() == []


def test_config_values_are_per_workspace(app: Harness) -> None:
    app.command("/rolecall", "config holidays cn")
    other = app.command("/rolecall", "config", team="T0002")
    assert "CN" not in other.text
    assert "CN" in app.command("/rolecall", "config").text


def test_config_says_where_each_value_comes_from(app: Harness) -> None:
    app.settings.support_channel = "C0SUPPORT"
    app.settings.model_fields_set.add("support_channel")  # as if set in the environment
    app.command("/rolecall", "config default_tz Asia/Shanghai")
    shown = app.command("/rolecall", "config").text
    assert "`support_channel` = <#C0SUPPORT> _(from the environment)_" in shown
    assert "`default_tz` = Asia/Shanghai _(set here)_" in shown
    assert "`holidays` = not set _(default)_" in shown


def test_holiday_calendar_must_exist(app: Harness) -> None:
    refused = app.command("/rolecall", "config holidays XX")
    assert "holiday calendar" in refused.text
    assert "Saved" in app.command("/rolecall", "config holidays de").text
