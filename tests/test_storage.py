"""Repository behaviour on both databases: transactions stay atomic."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import func, insert, select

from storage.db import MIGRATIONS, Database
from storage.models import Delivery, Ticket, TicketEvent
from storage.workspace import claim, set_workspace_setting, workspace_settings

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class Boom(Exception):
    pass


def _deliveries(db: Database) -> int:
    with db.begin() as session:
        return int(session.scalar(select(func.count()).select_from(Delivery)) or 0)


def test_a_claim_is_rolled_back_with_its_transaction(db: Database) -> None:
    with pytest.raises(Boom), db.begin() as session:
        assert claim(session, "T1", "flag:1", NOW)
        raise Boom
    assert _deliveries(db) == 0
    with db.begin() as session:
        assert claim(session, "T1", "flag:1", NOW)


def test_a_claim_is_taken_once(db: Database) -> None:
    with db.begin() as session:
        assert claim(session, "T1", "flag:1", NOW)
        assert not claim(session, "T1", "flag:1", NOW)  # the transaction stays usable
        set_workspace_setting(session, "T1", "holidays", "CN")
    with db.begin() as session:
        assert not claim(session, "T1", "flag:1", NOW)
        assert claim(session, "T2", "flag:1", NOW)  # keys are per workspace
        assert workspace_settings(session, "T1") == {"holidays": "CN"}
    assert _deliveries(db) == 2


def test_writes_before_a_savepoint_roll_back_too(db: Database) -> None:
    with pytest.raises(Boom), db.begin() as session:
        set_workspace_setting(session, "T1", "holidays", "CN")
        claim(session, "T1", "flag:2", NOW)
        raise Boom
    with db.begin() as session:
        assert workspace_settings(session, "T1") == {}
    assert _deliveries(db) == 0


def test_v0007_keeps_whom_earlier_escalations_went_to(tmp_path: Path) -> None:
    """Tickets escalated before the card named the recipients get them from their event."""
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    at = datetime(2026, 3, 2, tzinfo=UTC)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
        ticket = {
            "team_id": "T1",
            "summary": "s",
            "description": "",
            "severity": "high",
            "category": "bug",
            "status": "analyzing",
            "reporter_id": "UALICE",
            "created_at": at,
            "updated_at": at,
        }
        for number in (1, 2):
            connection.execute(
                insert(Ticket).values(number=number, escalated_by="UDAN", escalated_at=at, **ticket)
            )
        events = [
            (1, {"to": ["UTESS"], "note": "first"}),
            (1, {"to": ["UCAROL"], "backup": True, "why": "away", "note": "again"}),
            (2, {"note": "from before routing"}),
        ]
        for ticket_id, detail in events:
            connection.execute(
                insert(TicketEvent).values(
                    team_id="T1",
                    ticket_id=ticket_id,
                    action="escalate",
                    actor_id="UDAN",
                    detail=detail,
                    at=at,
                )
            )
    db.upgrade()
    with db.begin() as session:
        found = {t.number: t.escalated_to for t in session.scalars(select(Ticket))}
    assert found == {1: {"to": ["UCAROL"], "backup": True, "why": "away"}, 2: None}
    db.dispose()
