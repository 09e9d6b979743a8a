"""Bulk data for the benchmarks: custom areas, role assignments across workspaces, tickets."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from domain.catalog import Catalog
from storage.db import Database
from storage.models import CustomArea, RoleAssignment, UserProfile

WORKSPACES = 200
ASSIGNMENTS = 10_000
CUSTOM_AREAS = 200


def seed_all(
    db: Database, catalog: Catalog, *, team: str, admin: str, tickets: int
) -> dict[str, int]:
    """Seed everything; returns row counts by kind."""
    now = datetime.now(UTC)
    roles = list(catalog.roles)
    assignments = _assignments(team, admin, roles, now)
    with db.begin() as session:
        session.execute(insert(CustomArea), _custom_areas(team, admin, roles, now))
        session.execute(insert(RoleAssignment), assignments)
        # Holders were seen before (cached profiles), as in a workspace in daily use.
        people = {(r["team_id"], r["user_id"]) for r in assignments} | {(team, admin)}
        session.execute(insert(UserProfile), [_profile(t, u, now) for t, u in sorted(people)])
    counts = {"custom_areas": CUSTOM_AREAS, "assignments": ASSIGNMENTS, "workspaces": WORKSPACES}
    counts["tickets"] = _seed_tickets(db, team, admin, tickets, now)
    return counts


def _profile(team_id: str, user_id: str, now: datetime) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "user_id": user_id,
        "name": user_id.lower(),
        "tz": "UTC",
        "locale": "en-US",
        "is_admin": user_id.startswith("UBENCH"),
        "is_bot": False,
        "deleted": False,
        "fetched_at": now,
    }


def _custom_areas(team: str, admin: str, roles: list[str], now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "team_id": team,
            "key": f"custom-area-{i}",
            "name": f"Custom area {i}",
            "role_key": roles[i % 6],
            "aliases": [f"custom topic {i}", f"自定义领域{i}"],
            "created_by": admin,
            "created_at": now,
        }
        for i in range(CUSTOM_AREAS)
    ]


def _assignments(team: str, admin: str, roles: list[str], now: datetime) -> list[dict[str, Any]]:
    teams = [team] + [f"T{n:05d}" for n in range(1, WORKSPACES)]
    per_team = ASSIGNMENTS // WORKSPACES
    rows = []
    for team_id in teams:
        pairs = itertools.islice(itertools.product(range(8), roles), per_team)
        for n, (person, role) in enumerate(pairs):
            rows.append(
                {
                    "team_id": team_id,
                    "role_key": role,
                    "user_id": f"U{person:03d}{n:04d}",
                    "assigned_by": admin,
                    "assigned_at": now - timedelta(minutes=n),
                }
            )
    return rows


def _seed_tickets(db: Database, team: str, admin: str, count: int, now: datetime) -> int:
    """Tickets, once the ticket tables exist (the support queue); 0 otherwise."""
    try:
        from bench.seed_tickets import seed_tickets
    except ImportError:
        return 0
    return seed_tickets(db, team, admin, count, now)
