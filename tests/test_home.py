"""App Home: published when opened, showing the role directory."""

from __future__ import annotations

from slack_emulator import payloads
from tests.harness import Harness, visible_text


def test_home_shows_who_holds_which_role(app: Harness) -> None:
    app.command("/role", "assign <@UALICE|alice> pm")
    app.command("/role", "away <@UALICE|alice> until 2099-01-01")
    reply = app.event(payloads.app_home_opened(user_id="UBOB"))
    assert reply.status == 200
    published = app.slack.calls_to("views.publish")
    assert [c.args["user_id"] for c in published] == ["UBOB"]
    view = app.slack.home_view("UBOB")
    assert view is not None
    text = visible_text(view)
    assert "Product Manager" in text and "<@UALICE>" in text and "2099-01-01" in text


def test_home_in_chinese_for_a_chinese_locale(app: Harness) -> None:
    app.command("/role", "list", user="UCAROL")  # caches carol's profile (zh-CN)
    app.event(payloads.app_home_opened(user_id="UCAROL"))
    view = app.slack.home_view("UCAROL")
    assert view is not None and "角色与担任者" in visible_text(view)


def test_messages_tab_does_not_publish(app: Harness) -> None:
    app.event(payloads.app_home_opened(user_id="UBOB") | {"tab": "messages"})
    assert app.slack.calls_to("views.publish") == []


def test_home_lists_my_open_tickets_only(app: Harness) -> None:
    app.command("/issue", "customer: ACME; export crashes", user="UBOB")
    app.command("/issue", "login page is slow", user="UALICE")
    app.command("/issue", "typo on pricing page", user="UBOB")
    app.command("/issue", "resolve 3 root cause: copy; solution: fixed the text", user="UADMIN")
    app.command("/issue", "close 3", user="UBOB")  # the reporter closes it
    app.event(payloads.app_home_opened(user_id="UBOB"))
    view = app.slack.home_view("UBOB")
    assert view is not None
    text = visible_text(view)
    assert "Your open tickets" in text and "export crashes" in text
    assert "login page" not in text and "typo on pricing" not in text


def test_home_says_when_there_are_no_tickets(app: Harness) -> None:
    app.event(payloads.app_home_opened(user_id="UALICE"))
    view = app.slack.home_view("UALICE")
    assert view is not None and "You have no open tickets" in visible_text(view)
