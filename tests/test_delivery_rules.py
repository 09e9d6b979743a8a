"""The pure delivery rules: what a failure means, backoff, token buckets, the pacer's pauses."""

from __future__ import annotations

import random

import pytest

from domain.delivery import (
    BACKOFF_CAP,
    DM,
    SCHEDULE,
    SCHEDULE_LEAD,
    Limit,
    TokenBucket,
    Verdict,
    backoff,
    carries,
    classify,
    metadata,
    retry_after,
    sending_method,
)
from handlers.delivery import Pacer


@pytest.mark.parametrize(
    ("status", "error", "verdict"),
    [
        (429, "ratelimited", Verdict.RATE_LIMITED),
        (200, "ratelimited", Verdict.RATE_LIMITED),
        (500, None, Verdict.AMBIGUOUS),
        (503, None, Verdict.AMBIGUOUS),
        (None, None, Verdict.AMBIGUOUS),  # a timeout: Slack may have posted
        (200, "internal_error", Verdict.AMBIGUOUS),
        (200, "service_unavailable", Verdict.RETRY),
        (200, "channel_not_found", Verdict.PERMANENT),
        (200, "not_in_channel", Verdict.PERMANENT),
        (200, "is_archived", Verdict.PERMANENT),
        (200, "account_inactive", Verdict.PERMANENT),
        (200, "invalid_auth", Verdict.PERMANENT),
        (200, "invalid_blocks", Verdict.PERMANENT),
        (200, "msg_too_long", Verdict.PERMANENT),
        (200, "some_new_error", Verdict.PERMANENT),  # unknown: no loop, an admin can retry
        (404, None, Verdict.PERMANENT),
        (408, None, Verdict.RETRY),
    ],
)
def test_a_failure_is_classified(status: int | None, error: str | None, verdict: Verdict) -> None:
    assert classify(status, error) is verdict


def test_backoff_grows_is_capped_and_jittered() -> None:
    rng = random.Random(1)
    first = [backoff(1, rng) for _ in range(50)]
    assert all(0.5 <= wait <= 1.0 for wait in first) and len(set(first)) > 1
    assert all(4 <= backoff(4, rng) <= 8 for _ in range(50))
    assert all(BACKOFF_CAP / 2 <= backoff(30, rng) <= BACKOFF_CAP for _ in range(50))


def test_retry_after_reads_the_header_or_falls_back() -> None:
    assert retry_after("30") == 30 and retry_after(None) == 1 and retry_after("soon") == 1


def test_a_message_carries_its_delivery_key() -> None:
    assert carries({"metadata": metadata("card:1")}, "card:1")
    assert not carries({"metadata": metadata("card:1")}, "card:2")
    assert not carries({"text": "no metadata"}, "card:1")


def test_a_token_bucket_allows_its_burst_then_its_rate() -> None:
    bucket = TokenBucket(Limit(rate=2.0, burst=3))
    for _ in range(3):
        assert bucket.wait(0.0) == 0
        bucket.take(0.0)
    assert bucket.wait(0.0) == pytest.approx(0.5)
    assert bucket.wait(0.5) == 0
    assert bucket.wait(-10.0) == 0  # a clock set back adds no tokens and takes none


def test_a_pause_stops_one_workspace_and_method_only() -> None:
    pacer = Pacer()
    pacer.pause("T1", "chat.postMessage", until=30.0)
    assert pacer.reserve("T1", "chat.postMessage", "C1", 0.0) == pytest.approx(30.0)
    assert pacer.reserve("T1", "chat.update", "C1", 0.0) == 0  # another method goes on
    assert pacer.reserve("T2", "chat.postMessage", "C1", 0.0) == 0  # another workspace too
    assert pacer.reserve("T1", "chat.postMessage", "C1", 30.0) == 0


def test_posting_is_paced_per_channel_and_per_workspace() -> None:
    pacer = Pacer(margin=1.0)
    granted = [pacer.reserve("T1", "chat.postMessage", "C1", 0.0) == 0 for _ in range(8)]
    assert granted.count(True) == 5  # the channel's burst
    others = [pacer.reserve("T1", "chat.postMessage", f"C{n}", 0.0) == 0 for n in range(2, 40)]
    assert others.count(True) == 20  # the workspace's burst of 25, less the 5 above


def test_a_scheduled_dm_too_near_its_time_is_sent_as_a_plain_dm() -> None:
    ahead = {"post_at": 1_000 + SCHEDULE_LEAD}
    assert sending_method(SCHEDULE, ahead, 1_000) == SCHEDULE
    assert sending_method(SCHEDULE, ahead, 1_001) == DM  # under the lead: posted directly
    assert sending_method(SCHEDULE, {**ahead, "direct": True}, 0) == DM  # Slack said past
    assert sending_method(DM, ahead, 0) == DM
