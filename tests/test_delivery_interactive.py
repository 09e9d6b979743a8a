"""Interactive work never waits behind bulk delivery: the app's client does not sleep
through a long Retry-After, so a modal opens in time during a 429 period on posting."""

from __future__ import annotations

import time

import pytest
from slack_sdk.errors import SlackApiError

from bot.settings import Settings
from bot.slack_client import make_client
from tests.fake_slack import FakeSlack
from tests.harness import Harness


def test_a_modal_opens_within_3s_during_a_long_429_period_on_posting(desk: Harness) -> None:
    desk.slack.rate_limit_for("chat.postMessage", 120, retry_after=30)
    for n in range(10):  # ten cards stuck behind the rate limit
        desk.command("/issue", f"export crashes {n}", user="UALICE", settle=False)
    started = time.monotonic()
    reply = desk.command("/issue", "", user="UALICE", settle=False)
    desk.deps.background.settle()  # everything after the acks, the views.open included
    assert reply.status == 200
    assert time.monotonic() - started < 3  # Slack's trigger_id lives 3 s
    assert len(desk.slack.calls_to("views.open")) == 1
    assert desk.slack.views[-1]["callback_id"]


def test_the_apps_client_fails_fast_on_a_long_retry_after(
    slack: FakeSlack, settings: Settings
) -> None:
    slack.fail_next("views.publish", status=429, retry_after=30)
    started = time.monotonic()
    with pytest.raises(SlackApiError):
        make_client(settings).views_publish(user_id="UBOB", view={"type": "home", "blocks": []})
    assert time.monotonic() - started < 1


def test_the_apps_client_still_waits_out_a_short_retry_after(
    slack: FakeSlack, settings: Settings
) -> None:
    slack.fail_next("users.info", status=429, retry_after=1)
    assert make_client(settings).users_info(user="UBOB")["user"]["id"] == "UBOB"
    assert len(slack.calls_to("users.info")) == 2
