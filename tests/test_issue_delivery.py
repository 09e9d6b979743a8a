"""Deliveries stand alone: one failed Web API call (the card, a thread, a DM) never cancels
the others, a card that is gone is posted afresh, and a reaction Slack will not let us read
is explained to the person who reacted."""

from __future__ import annotations

from tests.harness import Harness, visible_text
from tests.issue_fixtures import (
    SUPPORT,
    card,
    cards,
    dms,
    give_role,
    react,
    thread,
    ticket,
    tickets,
)


def test_escalation_reaches_the_tech_lead_when_the_card_update_fails(desk: Harness) -> None:
    desk.command("/issue", "export crashes", user="UALICE")
    give_role(desk, "UBOB", "tech-lead")
    desk.slack.fail_next("chat.update", status=500, times=3)  # every retry of the client too
    done = desk.command("/issue", "escalate 1 customers are blocked", user="UADMIN")
    assert "<@UBOB>" in done.text
    told = dms(desk, "UBOB")
    assert len(told) == 1 and "customers are blocked" in told[0]
    assert len(cards(desk)) == 1  # an outage is not a missing card: no second card
    assert any("escalated" in line for line in thread(desk, SUPPORT, card(desk, 1)["ts"]))


def test_a_deleted_card_is_posted_afresh_and_the_reporter_still_told(desk: Harness) -> None:
    give_role(desk, "UBOB", "customer-support")
    desk.command("/issue", "export crashes", user="UALICE")
    old = card(desk, 1)["ts"]
    desk.bolt.client.chat_delete(channel=SUPPORT, ts=old)
    assert "analysed" in desk.command("/issue", "status 1 analyzing", user="UBOB").text
    told = dms(desk, "UALICE")
    assert len(told) == 1 and "analyzing" in told[0]
    fresh = card(desk, 1)
    assert fresh["ts"] != old and "analyzing" in visible_text(fresh)
    stored = ticket(desk, 1)
    assert (stored.card_channel, stored.card_ts) == (SUPPORT, fresh["ts"])
    assert len(thread(desk, SUPPORT, fresh["ts"])) == 1  # the change's line, on the new card
    desk.command("/issue", "take 1", user="UBOB")
    assert card(desk, 1)["ts"] == fresh["ts"] and len(cards(desk)) == 1  # updated, not reposted


def test_a_card_whose_channel_is_gone_is_reposted_and_the_source_hears(desk: Harness) -> None:
    ts = desk.slack.post_user_message("C0GENERAL", "UALICE", "login loops")
    react(desk, "C0GENERAL", ts, "UBOB")
    give_role(desk, "UBOB", "customer-support")
    old = card(desk, 1)["ts"]
    desk.slack.refuse_next("chat.update", "channel_not_found")
    desk.command("/issue", "resolve 1 root cause: stale cache; solution: purge", user="UBOB")
    fresh = cards(desk)[-1]  # the old one stays in the emulator; Slack would say it is gone
    assert fresh["ts"] != old and ticket(desk, 1).card_ts == fresh["ts"]
    assert "resolved" in visible_text(fresh)
    replies = thread(desk, "C0GENERAL", ts)
    assert len(replies) == 2 and "purge" in replies[1]  # filed, then resolved


def test_the_thread_reply_failing_still_posts_the_card(desk: Harness) -> None:
    ts = desk.slack.post_user_message("C0GENERAL", "UALICE", "billing page is down")
    desk.slack.refuse_next("chat.postMessage", "not_in_channel")  # the reply in the thread
    react(desk, "C0GENERAL", ts, "UBOB")
    assert len(tickets(desk)) == 1 and thread(desk, "C0GENERAL", ts) == []
    assert "billing page is down" in visible_text(card(desk, 1))
    assert ticket(desk, 1).card_ts == card(desk, 1)["ts"]


def test_feedback_dms_go_on_after_one_fails(desk: Harness) -> None:
    give_role(desk, "UBOB", "product-manager")
    give_role(desk, "UCAROL", "product-manager")
    desk.slack.refuse_next("chat.postMessage", "account_inactive", channel="UBOB")
    desk.command("/issue", "[feature-request] wants CSV import", user="UALICE")
    assert (len(dms(desk, "UBOB")), len(dms(desk, "UCAROL"))) == (0, 1)
    assert len(cards(desk)) == 1


def test_a_reaction_on_a_deleted_message_is_explained_to_the_reactor(desk: Harness) -> None:
    ts = desk.slack.post_user_message("C0GENERAL", "UALICE", "soon gone")
    react(desk, "C0GENERAL", f"{ts}9", "UBOB")  # a message that is not there (deleted)
    assert tickets(desk) == []
    told = dms(desk, "UBOB")
    assert len(told) == 1 and "could not read that message" in told[0]
    react(desk, "C0GENERAL", ts, "UBOB")  # the real one still files
    assert len(tickets(desk)) == 1


def test_a_reaction_slack_will_not_show_is_explained_in_the_reactors_language(
    desk: Harness,
) -> None:
    desk.slack.refuse_next("conversations.history", "not_in_channel")
    react(desk, "C0PRIVATE", "1700000000.000100", "UCAROL")
    assert tickets(desk) == []
    told = dms(desk, "UCAROL")
    assert len(told) == 1 and "无法读取" in told[0]
    assert desk.slack.calls_to("conversations.replies") == []
