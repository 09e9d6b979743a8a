"""services/routing: whom a role routes to, from the store (holders, backup, absences,
deactivated accounts), on both databases; and `/owner` answers follow the same rule."""

from __future__ import annotations

from datetime import date

from domain.routing import AWAY, NO_HOLDER, VACATED, Routing
from services import owner, roles
from services.routing import route_now, route_role
from storage.db import Database
from tests.services_fixtures import NOW, OTHER, TEAM, Env, catalog, profile

DAY = date(2026, 3, 2)


def test_holders_here_then_the_backup_then_nobody(db: Database) -> None:
    shipped = catalog()
    with db.begin() as s:
        assert route_role(s, TEAM, "tech-lead", DAY) == Routing("tech-lead", why=NO_HOLDER)
        roles.assign(s, TEAM, shipped, "UADMIN", "UTINA", "tech-lead", NOW)
        roles.assign(s, TEAM, shipped, "UADMIN", "UTOM", "tech-lead", NOW)
        roles.set_backup(s, TEAM, shipped, "UADMIN", "tech-lead", "UBEN", NOW)
        assert route_role(s, TEAM, "tech-lead", DAY).people == ("UTINA", "UTOM")
        roles.mark_away(s, TEAM, "UTINA", "UTINA", date(2026, 3, 6), DAY, NOW)
        assert route_role(s, TEAM, "tech-lead", DAY).people == ("UTOM",)
        roles.mark_away(s, TEAM, "UTOM", "UTOM", date(2026, 3, 4), DAY, NOW)
        assert route_now(s, Env(), TEAM, "tech-lead", NOW) == Routing(
            "tech-lead", ("UBEN",), True, AWAY, date(2026, 3, 5)
        )
        assert route_role(s, OTHER, "tech-lead", DAY).nobody  # another workspace's roles
    with db.begin() as s:  # an away backup stands in for nobody; /owner names the holders
        roles.mark_away(s, TEAM, "UBEN", "UBEN", date(2026, 3, 4), DAY, NOW)
        assert route_role(s, TEAM, "tech-lead", DAY).nobody
        answer = owner.answer_area(s, TEAM, shipped, "code-review", DAY)
        assert not answer.backup_first and [p.user_id for p in answer.owners] == ["UTINA", "UTOM"]


def test_deactivated_people_are_never_told(db: Database) -> None:
    shipped = catalog()
    with db.begin() as s:
        roles.assign(s, TEAM, shipped, "UADMIN", "UPAM", "pm", NOW)
        roles.set_backup(s, TEAM, shipped, "UADMIN", "pm", "UBEN", NOW)
    with db.begin() as s:
        profile(s, "UPAM", deleted=True)
    with db.begin() as s:
        assert route_role(s, TEAM, "product-manager", DAY) == Routing(
            "product-manager", ("UBEN",), True, VACATED
        )
        answer = owner.answer_area(s, TEAM, shipped, "roadmap", DAY)
        assert answer.backup_first and answer.why == VACATED and answer.holders == ()
    with db.begin() as s:
        profile(s, "UBEN", deleted=True)
    with db.begin() as s:
        assert route_role(s, TEAM, "product-manager", DAY) == Routing(
            "product-manager", why=VACATED
        )
