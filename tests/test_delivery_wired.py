"""The outbox wired into the app: everything a change sends goes through it, driven over
HTTP against the fake Web API (the dispatcher's time is the app's clock: a Retry-After or
a backoff moves it instead of sleeping)."""

from __future__ import annotations

import threading
import time

from tests.harness import Harness, visible_text
from tests.issue_fixtures import SUPPORT, card, cards, give_role, thread


def card_count(desk: Harness, number: int) -> int:
    """How many top-level messages are the card of ticket `number`."""
    return sum(
        1
        for m in cards(desk)
        if f"issue_card_{number}" in [b.get("block_id") for b in m.get("blocks") or []]
    )


def test_ten_tickets_filed_during_a_429_period_each_get_one_card_afterwards(
    desk: Harness,
) -> None:
    desk.slack.rate_limit_for("chat.postMessage", 30)
    for n in range(10):
        desk.command("/issue", f"export crashes {n}", user="UALICE", settle=False)
    desk.settle()
    assert [card_count(desk, n) for n in range(1, 11)] == [1] * 10
    assert desk.slack.rate_limited > 0  # the period was met, and waited out


def test_ten_percent_5xx_loses_and_doubles_no_card(desk: Harness) -> None:
    desk.slack.fail_randomly("chat.postMessage", 0.1, status=500, seed=7)
    for n in range(20):
        desk.command("/issue", f"login loops {n}", user="UALICE", settle=False)
    desk.settle()
    assert [card_count(desk, n) for n in range(1, 21)] == [1] * 20


def test_a_permanent_error_is_listed_and_retried_after_the_fix(desk: Harness) -> None:
    desk.slack.refuse_next("chat.postMessage", "not_in_channel", channel=SUPPORT)
    desk.command("/issue", "billing page is down", user="UALICE")
    assert cards(desk) == []
    calls = len(desk.slack.calls_to("chat.postMessage"))
    desk.settle()
    assert len(desk.slack.calls_to("chat.postMessage")) == calls  # not retried by itself
    listed = desk.command("/rolecall", "deliveries", user="UADMIN")
    assert "invite it" in listed.text and "not_in_channel" in listed.text
    zh = desk.command("/rolecall", "deliveries", user="UALICE")
    assert "billing" not in zh.text and "not_in_channel" not in zh.text  # admins only
    retried = desk.command("/rolecall", "deliveries retry all", user="UADMIN")
    assert "1 message" in retried.text
    assert card_count(desk, 1) == 1
    assert "Every message was delivered" in desk.command("/rolecall", "deliveries").text


def test_a_modal_opens_within_3_s_while_cards_wait_out_a_429_period(desk: Harness) -> None:
    for n in range(10):
        desk.command("/issue", f"export crashes {n}", user="UALICE", settle=False)
    desk.slack.rate_limit_for("chat.postMessage", 30)
    assert desk.deps.dispatcher is not None
    sending = threading.Thread(target=desk.deps.dispatcher.drain, kwargs={"deadline": 600})
    sending.start()
    started = time.monotonic()
    desk.command("/issue", "", user="UALICE", settle=False)
    desk.deps.background.settle()
    assert time.monotonic() - started < 3
    assert desk.slack.views and desk.slack.views[-1]["callback_id"] == "issue_file"
    sending.join()
    desk.settle()
    assert [card_count(desk, n) for n in range(1, 11)] == [1] * 10


def test_one_cards_updates_apply_in_order_and_show_the_latest_state(desk: Harness) -> None:
    give_role(desk, "UBOB", "customer-support")
    desk.command("/issue", "data loss on export", user="UALICE", settle=False)
    desk.deps.background.settle()
    message = {"ts": "0", "blocks": []}  # the card is not posted yet: the buttons still work
    for action in ("issue_take", "issue_analyze"):
        desk.action(action, "1", user="UBOB", message=message, channel=SUPPORT, settle=False)
    desk.settle()
    assert card_count(desk, 1) == 1
    shown = card(desk, 1)
    assert "analyzing" in visible_text(shown) and "UBOB" in visible_text(shown)
    assert len(desk.slack.calls_to("chat.update")) <= 2  # pending updates coalesce
    lines = thread(desk, SUPPORT, shown["ts"])
    assert len(lines) == 2 and "assigned" in lines[0] and "analysis" in lines[1]
