"""The ticket card's buttons and modals: take (also at once), analyzing, escalate, resolve,
close, reopen — each updating the card in place and telling its thread."""

from __future__ import annotations

import json
import threading

from tests.harness import Harness, visible_text
from tests.issue_fixtures import (
    SUPPORT,
    buttons,
    card,
    cards,
    dms,
    events,
    give_role,
    press,
    submit,
    thread,
    ticket,
)


def test_take_and_analyzing_buttons(desk: Harness) -> None:
    give_role(desk, "UBOB", "customer-support")
    desk.command("/issue", "export crashes", user="UALICE")
    assert press(desk, "issue_take", 1, user="UBOB").status == 200
    assert ticket(desk, 1).assignee_id == "UBOB"
    assert "issue_take" not in buttons(card(desk, 1))
    press(desk, "issue_analyze", 1, user="UBOB")
    assert ticket(desk, 1).status == "analyzing"
    assert buttons(card(desk, 1)) == ["issue_escalate", "issue_resolve"]
    assert len(thread(desk, SUPPORT, card(desk, 1)["ts"])) == 2
    assert any("analyzing" in text for text in dms(desk, "UALICE"))


def test_two_reps_taking_at_once_leave_exactly_one_assignee(desk: Harness) -> None:
    give_role(desk, "UBOB", "customer-support")
    give_role(desk, "UCAROL", "customer-support")
    desk.command("/issue", "export crashes", user="UALICE")
    message = card(desk, 1)
    replies: dict[str, object] = {}

    def take(user: str) -> None:
        replies[user] = desk.action(
            "issue_take", "1", user=user, message=message, channel=SUPPORT, settle=False
        )

    racers = [threading.Thread(target=take, args=(u,)) for u in ("UBOB", "UCAROL", "UADMIN")]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    desk.settle()
    winner = ticket(desk, 1).assignee_id
    assert winner in ("UBOB", "UCAROL", "UADMIN")
    assert [a for a, _ in events(desk, 1)].count("assign") == 1
    assert f"<@{winner}>" in visible_text(card(desk, 1))
    refusals = [r.body for r in desk.slack.responses if "already taken" in json.dumps(r.body)]
    assert len(refusals) == 2


def test_resolve_button_opens_the_modal_and_both_parts_are_required(desk: Harness) -> None:
    give_role(desk, "UBOB", "customer-support")
    ts = desk.slack.post_user_message("C0GENERAL", "UALICE", "cannot log in")
    desk.command("/issue", "cannot log in", user="UALICE")
    press(desk, "issue_resolve", 1, user="UBOB")
    view = desk.slack.views[-1]
    assert view["callback_id"] == "issue_resolve_modal" and view["private_metadata"].endswith('"1"')
    half = submit(
        desk,
        "issue_resolve_modal",
        {"root_cause": "expired cert", "solution": " "},
        view=view,
        user="UBOB",
    )
    assert half.json["response_action"] == "errors" and "solution" in half.json["errors"]
    assert ticket(desk, 1).status == "new"
    done = submit(
        desk,
        "issue_resolve_modal",
        {"root_cause": "expired cert", "solution": "renewed it"},
        view=view,
        user="UBOB",
    )
    assert done.status == 200 and done.raw.strip() in (b"", b"{}")
    stored = ticket(desk, 1)
    assert (stored.status, stored.root_cause, stored.solution) == (
        "resolved",
        "expired cert",
        "renewed it",
    )
    assert buttons(card(desk, 1)) == ["issue_close", "issue_reopen"]
    again = submit(
        desk, "issue_resolve_modal", {"root_cause": "x", "solution": "y"}, view=view, user="UBOB"
    )
    assert "already resolved" in json.dumps(again.json)
    assert ts  # the message was not filed from chat: nothing posted back there
    assert thread(desk, "C0GENERAL", ts) == []


def test_close_and_reopen_buttons_with_permissions(desk: Harness) -> None:
    desk.command("/issue", "export crashes", user="UALICE")
    desk.command("/issue", "resolve 1 root cause: a; solution: b", user="UADMIN")
    press(desk, "issue_close", 1, user="UBOB")
    assert "not allowed to close #1" in json.dumps(desk.responses())
    assert ticket(desk, 1).status == "resolved"
    press(desk, "issue_close", 1, user="UALICE")
    assert ticket(desk, 1).status == "closed" and buttons(card(desk, 1)) == ["issue_reopen"]
    press(desk, "issue_reopen", 1, user="UADMIN")
    assert ticket(desk, 1).status == "analyzing"
    assert len(cards(desk)) == 1


def test_escalation_packet_modal_goes_to_the_tech_lead_with_the_thread_link(
    desk: Harness,
) -> None:
    desk.command("/issue", "data loss on export", user="UALICE")
    desk.slack.add_user("UDAN", "dan")
    give_role(desk, "UDAN", "customer-support")
    refused = desk.command("/issue", "escalate 1", user="UDAN")
    assert "Nobody holds the Tech Lead role" in refused.text
    give_role(desk, "UBOB", "tech-lead")
    press(desk, "issue_escalate", 1, user="UDAN")
    view = desk.slack.views[-1]
    assert view["callback_id"] == "issue_escalate_modal"
    packet = {"impact": "3 customers lose rows", "steps": "export > 10k rows", "tried": "retry"}
    submit(desk, "issue_escalate_modal", packet, view=view, user="UDAN")
    told = dms(desk, "UBOB")
    assert len(told) == 1
    for part in ("3 customers lose rows", "export &gt; 10k rows", "retry", "archives/C0SUPPORT"):
        assert part in told[0]
    assert ticket(desk, 1).escalated_by == "UDAN"
    assert "escalated" in visible_text(card(desk, 1))
    desk.command("/issue", "escalate 1", user="UDAN")  # command without a note: the modal
    assert desk.slack.views[-1]["callback_id"] == "issue_escalate_modal"


def test_buttons_refuse_other_workspaces_and_bad_values(desk: Harness) -> None:
    desk.command("/issue", "export crashes", user="UALICE")
    # A card the app posted in another workspace (a click on this workspace's own card from
    # a partner organisation is Slack Connect: test_request_gate.py).
    elsewhere = card(desk, 1) | {"team": "T0002"}
    reply = desk.action(
        "issue_take", "1", user="UBOB", team="T0002", channel=SUPPORT, message=elsewhere
    )
    assert reply.status == 403 and desk.responses(reply.response_key) == []
    bad = desk.action("issue_take", "one", user="UBOB", channel=SUPPORT, message=card(desk, 1))
    assert bad.status == 200
    assert ticket(desk, 1).assignee_id is None
