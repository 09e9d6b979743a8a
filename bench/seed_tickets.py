"""100 000 tickets in one workspace, for the `/issue` benchmarks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from storage.db import Database
from storage.models import Ticket, TicketCounter

STATUSES = ("new", "analyzing", "resolved", "closed", "closed", "closed")
SEVERITIES = ("low", "normal", "normal", "high", "urgent")
CATEGORIES = ("bug", "question", "feedback", "feature-request")
CHUNK = 5_000


def _ticket(team: str, admin: str, number: int, now: datetime) -> dict[str, Any]:
    status = STATUSES[number % len(STATUSES)]
    created = now - timedelta(minutes=number)
    solved = status in ("resolved", "closed")
    return {
        "team_id": team,
        "number": number,
        "dedupe_key": None,
        "summary": f"Customer {number % 997} cannot export report {number}",
        "description": "Steps: open the report, press export, wait. " * 3,
        "customer": f"Customer {number % 997}",
        "severity": SEVERITIES[number % len(SEVERITIES)],
        "category": CATEGORIES[number % len(CATEGORIES)],
        "status": status,
        "reporter_id": admin,
        "assignee_id": admin if status != "new" else None,
        "root_cause": f"cause {number % 40}" if solved else None,
        "solution": "patched the exporter" if solved else None,
        "created_at": created,
        "updated_at": created,
        "resolved_at": created if solved else None,
        "closed_at": created if status == "closed" else None,
    }


def seed_tickets(db: Database, team: str, admin: str, count: int, now: datetime) -> int:
    """Insert `count` tickets numbered 1..count and set the workspace's counter."""
    for start in range(1, count + 1, CHUNK):
        rows = [_ticket(team, admin, n, now) for n in range(start, min(start + CHUNK, count + 1))]
        with db.begin() as session:
            session.execute(insert(Ticket), rows)
    with db.begin() as session:
        session.execute(insert(TicketCounter).values(team_id=team, last_number=count))
    return count
