"""Pure support-queue rules: transitions, parsing, first-response targets, cause ranking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.config import parse_first_response
from domain.errors import Conflict, UsageError
from domain.tickets import (
    STATUSES,
    TRANSITIONS,
    cause_key,
    first_response_due,
    is_overdue,
    next_status,
    parse_filing,
    parse_number,
    parse_resolution,
    rank_categories,
    rank_causes,
    summary_of,
)

TARGETS = parse_first_response("urgent=1h,high=4h,normal=24h,low=72h")


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        ("new", "analyze", "analyzing"),
        ("new", "resolve", "resolved"),
        ("analyzing", "resolve", "resolved"),
        ("resolved", "close", "closed"),
        ("resolved", "reopen", "analyzing"),
        ("closed", "reopen", "analyzing"),
        ("new", "escalate", "new"),
        ("analyzing", "assign", "analyzing"),
    ],
)
def test_allowed_transitions(status: str, action: str, expected: str) -> None:
    assert next_status(status, action, 1) == expected


@pytest.mark.parametrize(
    ("status", "action", "reason"),
    [
        ("new", "close", "issue.refused.close_unresolved"),
        ("analyzing", "close", "issue.refused.close_unresolved"),
        ("resolved", "resolve", "issue.refused.already_resolved"),
        ("closed", "close", "issue.refused.already_closed"),
        ("new", "reopen", "issue.refused.still_open"),
        ("analyzing", "analyze", "issue.refused.already_analyzing"),
        ("closed", "resolve", "issue.refused.finished"),
        ("resolved", "escalate", "issue.refused.finished"),
        ("closed", "assign", "issue.refused.finished"),
    ],
)
def test_refused_transitions_say_why(status: str, action: str, reason: str) -> None:
    with pytest.raises(Conflict) as refused:
        next_status(status, action, 7)
    assert refused.value.key == reason and refused.value.params["number"] == 7


def test_every_action_and_status_has_an_answer() -> None:
    for action in TRANSITIONS:
        for status in STATUSES:
            try:
                assert next_status(status, action, 1) in STATUSES
            except Conflict as refused:
                assert refused.key.startswith("issue.refused.")


def test_filing_with_tags_and_customer() -> None:
    filing = parse_filing("[urgent] customer: ACME; export crashes")
    assert (filing.severity, filing.customer, filing.summary) == (
        "urgent",
        "ACME",
        "export crashes",
    )
    assert filing.category == "bug"
    both = parse_filing("[Feedback] [low] 客户：阿里；导出太慢")
    assert (both.category, both.severity, both.customer, both.summary) == (
        "feedback",
        "low",
        "阿里",
        "导出太慢",
    )
    plain = parse_filing("  Login page is blank <!channel>  ")
    assert plain.summary == "Login page is blank <!channel>" and plain.severity == "normal"


@pytest.mark.parametrize("text", ["", "[urgent]", "customer: ACME;", "[bogus] x"])
def test_bad_filings(text: str) -> None:
    with pytest.raises(UsageError):
        parse_filing(text)


def test_resolution_in_both_languages_and_widths() -> None:
    assert parse_resolution("root cause: cache TTL; solution: lower it") == (
        "cache TTL",
        "lower it",
    )
    assert parse_resolution("根本原因：缓存过期；解决方案：缩短时间") == ("缓存过期", "缩短时间")
    assert parse_resolution("solution: restart; Root Cause: leak") == ("leak", "restart")
    assert parse_resolution("root cause: a: b; solution: c;") == ("a: b", "c")


@pytest.mark.parametrize(
    "text", ["", "root cause: x", "solution: y", "root cause: ; solution: y", "fixed it"]
)
def test_resolution_needs_both_parts(text: str) -> None:
    with pytest.raises(UsageError) as refused:
        parse_resolution(text)
    assert refused.value.key == "issue.resolve.both_required"


def test_numbers() -> None:
    assert parse_number("#12") == 12 and parse_number("3") == 3
    for bad in ("", "#", "x", "-1", "0", "99999999999"):
        with pytest.raises(UsageError):
            parse_number(bad)


def test_first_response_due_per_severity() -> None:
    filed = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert first_response_due(filed, "urgent", TARGETS) == filed + timedelta(hours=1)
    assert first_response_due(filed, "low", TARGETS) == filed + timedelta(hours=72)
    assert not is_overdue(filed, "high", TARGETS, filed + timedelta(hours=3, minutes=59))
    assert is_overdue(filed, "high", TARGETS, filed + timedelta(hours=4))


def test_causes_are_grouped_loosely_and_ranked() -> None:
    ranked = rank_causes(["Cache TTL", "cache  ttl.", "DNS", "", "cache-TTL", "DNS", "Quota"])
    assert ranked == [("Cache TTL", 3), ("DNS", 2), ("Quota", 1)]
    assert cause_key("Cache-TTL!") == "cache ttl"
    assert rank_categories(["bug", "question", "bug"]) == [("bug", 2), ("question", 1)]


def test_summary_of_a_message() -> None:
    assert summary_of("\n\n  first line \nsecond") == "first line"
    long = summary_of("x" * 500)
    assert len(long) == 150 and long.endswith("…")
