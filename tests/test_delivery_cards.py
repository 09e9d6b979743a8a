"""The ticket card on the outbox (the first call site's path, end to end from the store):
posted once whatever Slack does, its ts recorded with the delivery, updates coalesced into
the latest state after the post, thread lines in order, a card that is gone posted afresh."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.settings import Settings
from bot.slack_client import make_delivery_client
from handlers.delivery import Dispatcher
from handlers.issue_outbox import card_kinds
from services import deliveries as outbox
from services import ticket_queries as queries
from services import tickets
from storage.db import Database
from tests.fake_slack import FakeSlack, FakeTime
from tests.harness import visible_text
from tests.issue_fixtures import SUPPORT

TEAM = "T0001"


@pytest.fixture
def clock(slack: FakeSlack) -> FakeTime:
    """Time shared by the dispatcher and the fake."""
    time = FakeTime()
    slack.clock = time.seconds
    return time


@pytest.fixture
def sender(db: Database, settings: Settings, clock: FakeTime) -> Iterator[Dispatcher]:
    """A dispatcher that knows the ticket card, with a support channel configured."""
    desk = settings.model_copy(update={"support_channel": SUPPORT})
    client = make_delivery_client(desk, timeout=0.5)
    found = Dispatcher(db, client, kinds=card_kinds(desk), timer=clock)
    yield found
    found.stop()


def file(db: Database, clock: FakeTime, summary: str) -> int:
    """File a ticket and enqueue its card in the same transaction; returns its ID."""
    with db.begin() as session:
        filed = tickets.NewTicket(summary=summary, severity="normal", category="bug")
        ticket, _ = tickets.file_ticket(session, TEAM, "UALICE", filed, clock.now())
        session.flush()
        outbox.card_post(session, TEAM, ticket.id, SUPPORT, clock.now())
        return ticket.id


def card_of(slack: FakeSlack, number: int) -> list[dict[str, object]]:
    """Every top-level message that is the card of ticket `number`."""
    return [
        m
        for m in slack.messages(SUPPORT)
        if f"issue_card_{number}" in [b.get("block_id") for b in m.get("blocks") or []]
    ]


def test_ten_tickets_filed_during_a_429_period_each_get_one_card_afterwards(
    db: Database, slack: FakeSlack, clock: FakeTime, sender: Dispatcher
) -> None:
    slack.rate_limit_for("chat.postMessage", 30)
    ids = [file(db, clock, f"export crashes {n}") for n in range(10)]
    assert sender.drain(deadline=600) == 0
    assert clock.slept >= 30
    with db.begin() as session:
        for number, ticket_id in enumerate(ids, start=1):
            [card] = card_of(slack, number)
            ticket = queries.ticket_by_id(session, ticket_id)
            assert ticket is not None
            assert (ticket.card_channel, ticket.card_ts) == (SUPPORT, card["ts"])


def test_changes_coalesce_into_one_update_with_the_latest_state_after_the_post(
    db: Database, slack: FakeSlack, clock: FakeTime, sender: Dispatcher
) -> None:
    slack.fail_after_posting("chat.postMessage")  # the card's answer is lost: adopted
    ticket_id = file(db, clock, "login loops")
    with db.begin() as session:
        tickets.take(session, TEAM, 1, "UBOB", clock.now(), lambda: True)
        outbox.card_update(session, TEAM, ticket_id, "take", clock.now())
        outbox.card_line(session, TEAM, ticket_id, "take", "<@UBOB> took it", clock.now())
        tickets.analyze(session, TEAM, 1, "UBOB", clock.now(), lambda: True)
        outbox.card_update(session, TEAM, ticket_id, "analyze", clock.now())
        outbox.card_line(session, TEAM, ticket_id, "analyze", "analyzing now", clock.now())
    assert sender.drain(deadline=600) == 0
    [card] = card_of(slack, 1)
    assert "UBOB" in visible_text(card) and "nalyzing" in visible_text(card)
    assert len(slack.calls_to("chat.update")) == 1  # two changes, one update
    replies = [
        m["text"]
        for m in slack.messages(SUPPORT)
        if m.get("thread_ts") == card["ts"] and m["ts"] != card["ts"]
    ]
    assert replies == ["<@UBOB> took it", "analyzing now"]


def test_a_card_that_is_gone_is_posted_afresh_and_recorded(
    db: Database, slack: FakeSlack, clock: FakeTime, sender: Dispatcher
) -> None:
    ticket_id = file(db, clock, "billing page is down")
    sender.drain()
    [old] = card_of(slack, 1)
    slack.refuse_next("chat.update", "message_not_found")
    with db.begin() as session:
        tickets.take(session, TEAM, 1, "UBOB", clock.now(), lambda: True)
        outbox.card_update(session, TEAM, ticket_id, "take", clock.now())
    assert sender.drain() == 0
    fresh = card_of(slack, 1)[-1]
    assert fresh["ts"] != old["ts"] and "UBOB" in visible_text(fresh)
    with db.begin() as session:
        ticket = queries.ticket_by_id(session, ticket_id)
        assert ticket is not None and ticket.card_ts == fresh["ts"]
