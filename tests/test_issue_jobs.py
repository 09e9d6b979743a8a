"""The first-response flag: a ticket still `new` past its severity's target is flagged once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.scheduler import run_due
from services import deliveries as outbox
from storage.db import Database
from tests.fake_slack import FakeSlack
from tests.harness import Harness, visible_text
from tests.issue_fixtures import SUPPORT, give_role, ticket

FILED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
JOB = "flag_first_responses"


def flags(app: Harness) -> list[str]:
    """The flag messages in the support channel."""
    return [visible_text(m) for m in app.slack.messages(SUPPORT) if "first-response" in m["text"]]


def tick(app: Harness, at: datetime) -> int:
    """Run the scheduled work at an instant, as `rolecall tick --at` does."""
    done = run_due(app.d, app.bolt.client, at)
    app.settle()
    return done[JOB]


def test_flagged_once_past_the_target_and_not_before(desk: Harness) -> None:
    desk.clock.set(FILED)
    desk.command("/issue", "[urgent] customer: ACME; export crashes <!channel>", user="UALICE")
    desk.command("/issue", "[low] typo on the pricing page", user="UALICE")
    assert tick(desk, FILED + timedelta(minutes=59)) == 0
    assert tick(desk, FILED + timedelta(hours=1)) == 1
    assert tick(desk, FILED + timedelta(hours=2)) == 0  # flagged once, not twice
    shown = flags(desk)
    assert len(shown) == 1 and "#1" in shown[0] and "1h" in shown[0]
    assert "<!channel>" not in shown[0]
    assert ticket(desk, 1).flagged_at == FILED + timedelta(hours=1)
    assert tick(desk, FILED + timedelta(hours=72)) == 1  # the low one, at its own target
    assert len(flags(desk)) == 2


def test_a_ticket_answered_in_time_is_never_flagged(desk: Harness) -> None:
    desk.clock.set(FILED)
    desk.command("/issue", "[high] slow search", user="UALICE")
    give_role(desk, "UBOB", "customer-support")
    desk.command("/issue", "status 1 analyzing", user="UBOB")
    assert tick(desk, FILED + timedelta(days=5)) == 0 and flags(desk) == []


def test_targets_follow_the_workspace_config(desk: Harness) -> None:
    desk.clock.set(FILED)
    desk.command("/rolecall", "config first_response urgent=10m,high=1h,normal=2h,low=3h")
    desk.command("/issue", "normal thing", user="UALICE")
    assert tick(desk, FILED + timedelta(hours=1, minutes=59)) == 0
    assert tick(desk, FILED + timedelta(hours=2)) == 1


def test_a_flag_slack_fails_for_a_while_is_sent_by_the_outbox_once(desk: Harness) -> None:
    desk.clock.set(FILED)
    desk.command("/issue", "[urgent] down", user="UALICE")
    desk.slack.fail_next("chat.postMessage", status=503, times=2)  # retried with backoff
    assert tick(desk, FILED + timedelta(hours=1)) == 1
    assert len(flags(desk)) == 1
    assert tick(desk, FILED + timedelta(hours=1, minutes=1)) == 0
    assert len(flags(desk)) == 1


def test_rolecall_tick_at_flags_from_the_command_line(
    tmp_path: Path,
    slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"sqlite:///{tmp_path / 'tick.db'}"
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "ROLECALL_DATABASE_URL": url,
        "ROLECALL_SLACK_API_URL": slack.api_url,
        "ROLECALL_SUPPORT_CHANNEL": SUPPORT,
    }.items():
        monkeypatch.setenv(name, value)
    db = Database(url)
    db.upgrade()
    from services.tickets import NewTicket, file_ticket

    with db.begin() as session:
        file_ticket(session, "T0001", "UALICE", NewTicket("down", "urgent", "bug"), FILED)
    db.dispose()
    at = (FILED + timedelta(hours=2)).isoformat()
    assert main(["tick", "--at", at]) == 0 and main(["tick", "--at", at]) == 0
    assert f"{JOB}: 1" in capsys.readouterr().out
    posted = [m for m in slack.messages(SUPPORT) if "first-response" in m["text"]]
    assert len(posted) == 1


def _seed(app: Harness, team: str, severity: str, count: int, at: datetime) -> None:
    """Many tickets at once, straight through the service (not one HTTP request each)."""
    from services.tickets import NewTicket, file_ticket

    with app.db.begin() as session:
        for n in range(count):
            file_ticket(session, team, "UALICE", NewTicket(f"seeded {n}", severity, "bug"), at)


def test_other_workspaces_young_backlog_never_hides_an_overdue_ticket(desk: Harness) -> None:
    _seed(desk, "T0002", "low", 500, FILED - timedelta(hours=1))  # older, but not yet due
    desk.clock.set(FILED)
    desk.command("/issue", "[urgent] export crashes", user="UALICE")
    assert tick(desk, FILED + timedelta(hours=1)) == 1
    assert ticket(desk, 1).flagged_at is not None
    assert ticket(desk, 1, team="T0002").flagged_at is None


def test_more_than_a_page_of_due_tickets_are_all_flagged_in_one_run(desk: Harness) -> None:
    _seed(desk, "T0002", "urgent", 501, FILED - timedelta(hours=2))
    _seed(desk, "T0001", "urgent", 1, FILED)
    assert tick(desk, FILED + timedelta(hours=1)) == 502
    assert tick(desk, FILED + timedelta(hours=1, minutes=1)) == 0


def test_each_workspace_keeps_its_own_target_among_shorter_ones(desk: Harness) -> None:
    from services.config import change_config

    with desk.db.begin() as session:
        change_config(session, "T0002", "first_response", "urgent=1h,high=4h,normal=2h,low=3h")
    _seed(desk, "T0001", "normal", 1, FILED)  # the default: 24h
    _seed(desk, "T0002", "normal", 1, FILED)  # its own: 2h
    assert tick(desk, FILED + timedelta(hours=2)) == 1
    assert ticket(desk, 1, team="T0002").flagged_at is not None
    assert ticket(desk, 1).flagged_at is None
    assert tick(desk, FILED + timedelta(hours=24)) == 1


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived"])
def test_a_permanent_slack_error_is_not_retried(desk: Harness, error: str) -> None:
    desk.clock.set(FILED)
    desk.command("/issue", "[urgent] down", user="UALICE")
    desk.slack.refuse_next("chat.postMessage", error)
    before = len(desk.slack.calls_to("chat.postMessage"))
    assert tick(desk, FILED + timedelta(hours=1)) == 1  # enqueued with its claim
    assert ticket(desk, 1).flagged_at == FILED + timedelta(hours=1)  # the claim is kept
    assert tick(desk, FILED + timedelta(hours=1, minutes=1)) == 0
    assert len(desk.slack.calls_to("chat.postMessage")) == before + 1  # tried once only
    assert flags(desk) == []
    with desk.db.begin() as session:
        [failed] = outbox.failures(session, "T0001")
    assert (failed.kind, failed.reason) == ("ticket_flag", error)


def test_no_support_channel_flags_nothing_until_one_is_set(app: Harness) -> None:
    app.clock.set(FILED)
    app.command("/issue", "help", user="UCAROL")  # first contact: her zh-CN locale is learnt
    app.command("/issue", "[urgent] export crashes", user="UALICE")
    app.command("/issue", "[紧急] 导出崩溃", user="UCAROL")
    assert tick(app, FILED + timedelta(hours=2)) == 0  # nowhere to post: nothing is claimed
    assert ticket(app, 1).flagged_at is None and ticket(app, 2).flagged_at is None
    app.command("/rolecall", "config support_channel <#C0SUPPORT|support>", user="UADMIN")
    assert tick(app, FILED + timedelta(hours=3)) == 2
    shown = [visible_text(m) for m in app.slack.messages(SUPPORT) if ":warning:" in m["text"]]
    first, second = sorted(shown, key=lambda text: "#2" in text)  # sent in either order
    assert "#1 export crashes is still new after 3h" in first
    assert (
        "#2 导出崩溃 is still new after 3h" in second
    )  # the channel's language, not the summary's
    assert ticket(app, 1).flagged_at == FILED + timedelta(hours=3)
    assert tick(app, FILED + timedelta(hours=4)) == 0  # once
