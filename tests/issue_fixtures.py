"""Helpers for the support-queue tests: a harness with a support channel, payloads, lookups."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_emulator import payloads
from storage.models import RoleAssignment, Ticket, TicketEvent
from tests.harness import Harness, Reply, visible_text

SUPPORT = "C0SUPPORT"
FORM = "application/x-www-form-urlencoded"


def give_role(app: Harness, user_id: str, role: str, team: str = "T0001") -> None:
    """Make someone a role holder, straight in the store."""
    with app.db.begin() as session:
        session.add(
            RoleAssignment(
                team_id=team,
                role_key=role,
                user_id=user_id,
                assigned_by="UADMIN",
                assigned_at=datetime.now(UTC),
            )
        )


def ticket(app: Harness, number: int, team: str = "T0001") -> Ticket:
    """A ticket as stored."""
    with app.db.begin() as session:
        found = session.query(Ticket).filter_by(team_id=team, number=number).one()
        session.expunge(found)
        return found


def tickets(app: Harness, team: str = "T0001") -> list[Ticket]:
    """Every ticket of a workspace, by number."""
    with app.db.begin() as session:
        found = session.query(Ticket).filter_by(team_id=team).order_by(Ticket.number).all()
        session.expunge_all()
        return found


def events(app: Harness, number: int) -> list[tuple[str, str]]:
    """(action, actor) of a ticket's history."""
    tk = ticket(app, number)
    with app.db.begin() as session:
        rows = session.query(TicketEvent).filter_by(ticket_id=tk.id).order_by(TicketEvent.id)
        return [(e.action, e.actor_id) for e in rows]


def card(app: Harness, number: int) -> dict[str, Any]:
    """The card message of a ticket in the support channel."""
    for message in app.slack.messages(SUPPORT):
        ids = [b.get("block_id") for b in message.get("blocks") or []]
        if f"issue_card_{number}" in ids:
            return message
    raise AssertionError(f"no card for #{number}")


def cards(app: Harness) -> list[dict[str, Any]]:
    """Every card in the support channel."""
    return [m for m in app.slack.messages(SUPPORT) if m.get("thread_ts", m["ts"]) == m["ts"]]


def thread(app: Harness, channel: str, ts: str) -> list[str]:
    """The texts of the replies in a thread."""
    return [
        visible_text(m)
        for m in app.slack.messages(channel)
        if m.get("thread_ts") == ts and m["ts"] != ts
    ]


def dms(app: Harness, user_id: str) -> list[str]:
    """The texts of the bot's DMs to someone."""
    return [visible_text(m) for m in app.slack.messages(f"D{user_id}")]


def buttons(message: dict[str, Any]) -> list[str]:
    """The action_ids of a message's buttons."""
    return [
        e["action_id"]
        for b in message.get("blocks") or []
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def press(app: Harness, action_id: str, number: int, user: str = "UALICE", **kw: Any) -> Reply:
    """Press a card button."""
    return app.action(
        action_id, str(number), user=user, message=card(app, number), channel=SUPPORT, **kw
    )


def submit(
    app: Harness,
    callback_id: str,
    values: dict[str, str],
    *,
    user: str = "UALICE",
    view: dict[str, Any] | None = None,
    view_id: str | None = None,
    metadata: str | None = None,
    team: str = "T0001",
) -> Reply:
    """Submit a modal with text/option values by block id."""
    state = {
        block: {"value": {"type": "plain_text_input", "value": value}}
        if block not in ("severity", "category")
        else {"value": {"type": "static_select", "selected_option": {"value": value}}}
        for block, value in values.items()
    }
    body = payloads.view_submission(
        team_id=team,
        user_id=user,
        user_name=user.lower(),
        callback_id=callback_id,
        values=state,
        view=view,
        view_id=view_id,
        private_metadata=metadata,
    )
    reply = app.post(body, FORM)
    app.settle()
    return reply


def react(app: Harness, channel: str, ts: str, who: str, **kw: Any) -> Reply:
    """Someone adds :ticket: to a message."""
    event = payloads.reaction_added(
        user_id=who, reaction="ticket", channel_id=channel, message_ts=ts, item_user="UALICE"
    )
    return app.event(event, **kw)
