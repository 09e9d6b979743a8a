"""services/roles: assignments, backups, absences and history, and the workspace catalogue."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import Conflict, NotFound, UsageError
from services import roles
from storage.areas import add_custom_area
from storage.db import Database
from tests.services_fixtures import NOW, OTHER, TEAM, Env, catalog

DAY = date(2026, 3, 2)


def test_assign_by_any_name_then_the_directory_shows_holders_backup_and_absence(
    db: Database,
) -> None:
    shipped = catalog()
    with db.begin() as s:
        assert roles.assign(s, TEAM, shipped, "UADMIN", "UALICE", "产品经理", NOW).key == (
            "product-manager"
        )
        roles.set_backup(s, TEAM, shipped, "UADMIN", "pm", "UBOB", NOW)
        roles.mark_away(s, TEAM, "UALICE", "UALICE", date(2026, 3, 6), DAY, NOW)
    with db.begin() as s:
        (view,) = roles.directory(s, TEAM, shipped, DAY, only=[shipped.roles["product-manager"]])
        assert (view.holders, view.backup, view.away) == (
            ("UALICE",),
            "UBOB",
            {"UALICE": date(2026, 3, 6)},
        )
        assert [r.key for r in roles.roles_held(s, TEAM, shipped, "UALICE")] == ["product-manager"]
        assert [r.key for r in roles.backup_for(s, TEAM, shipped, "UBOB")] == ["product-manager"]
        assert roles.roles_held(s, OTHER, shipped, "UALICE") == []
        assert [e.action for e in roles.history(s, TEAM, None)] == ["away", "backup", "assign"]


def test_refusals_name_what_is_wrong(db: Database) -> None:
    shipped = catalog()
    with db.begin() as s:
        roles.assign(s, TEAM, shipped, "UADMIN", "UALICE", "pm", NOW)
        with pytest.raises(Conflict):
            roles.assign(s, TEAM, shipped, "UADMIN", "UALICE", "pm", NOW)
        with pytest.raises(NotFound) as unknown:
            roles.assign(s, TEAM, shipped, "UADMIN", "UALICE", "astronaut", NOW)
        assert "`product-manager`" in unknown.value.params["roles"]
        with pytest.raises(NotFound):
            roles.unassign(s, TEAM, shipped, "UADMIN", "UBOB", "pm", NOW)
        with pytest.raises(UsageError):
            roles.mark_away(s, TEAM, "UALICE", "UALICE", date(2026, 3, 1), DAY, NOW)
        with pytest.raises(Conflict):
            roles.mark_back(s, TEAM, "UALICE", "UALICE", NOW)
        roles.unassign(s, TEAM, shipped, "UADMIN", "UALICE", "pm", NOW)
        assert roles.roles_held(s, TEAM, shipped, "UALICE") == []


def test_today_is_the_workspace_time_zones_date(db: Database) -> None:
    late = NOW.replace(hour=20)  # 20:00 UTC is already tomorrow in Shanghai
    with db.begin() as s:
        assert roles.today(s, Env(), TEAM, late) == date(2026, 3, 2)
        assert roles.today(s, Env(default_tz="Asia/Shanghai"), TEAM, late) == date(2026, 3, 3)


def test_the_workspace_catalogue_has_its_own_areas_and_follows_new_ones(db: Database) -> None:
    shipped = catalog()
    with db.begin() as s:
        assert roles.workspace_catalog(s, TEAM, shipped) is shipped
        add_custom_area(s, TEAM, "data-platform", "Data Platform", "tech-lead", "UADMIN", NOW)
    with db.begin() as s:
        mine = roles.workspace_catalog(s, TEAM, shipped)
        assert mine.areas["data-platform"].owner == "tech-lead"
        assert roles.workspace_catalog(s, TEAM, shipped) is mine  # unchanged rows: reused
        assert "data-platform" not in roles.workspace_catalog(s, OTHER, shipped).areas
        add_custom_area(s, TEAM, "billing", "Billing", "marketing", "UADMIN", NOW)
    with db.begin() as s:
        assert {"data-platform", "billing"} <= set(roles.workspace_catalog(s, TEAM, shipped).areas)
        # Another catalogue object (a later app) never sees this one's cached workspaces.
        assert "billing" in roles.workspace_catalog(s, TEAM, catalog()).areas
        assert "billing" not in catalog().workspaces
