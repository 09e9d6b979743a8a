"""Repository behaviour on both databases: transactions stay atomic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.models import Delivery
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
