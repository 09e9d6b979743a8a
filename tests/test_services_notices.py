"""services/notices: each admin is told once that a deactivated holder left a role vacant."""

from __future__ import annotations

from services import notices, roles
from storage.db import Database
from tests.services_fixtures import NOW, TEAM, Env, catalog, profile


def test_each_admin_is_chosen_once(db: Database) -> None:
    shipped = catalog()
    with db.begin() as s:
        roles.assign(s, TEAM, shipped, "UADMIN", "UPO", "product-owner", NOW)
        roles.assign(s, TEAM, shipped, "UADMIN", "UALICE", "pm", NOW)
        profile(s, "UWSADMIN", admin=True, locale="zh-CN")
        assert notices.admin_role_holders(s, TEAM) == ["UPO"]
        assert notices.roles_held(s, TEAM, "UALICE") == ["product-manager"]
    with db.begin() as s:
        first = notices.vacancy_notices(s, Env(), TEAM, "product-manager", "UALICE", NOW)
    assert {n.admin_id for n in first} == {"UOPS", "UPO", "UWSADMIN"}
    assert {n.admin_id: n.locale for n in first}["UWSADMIN"] == "zh-CN"
    with db.begin() as s:  # a notice that Slack refuses is a failed delivery, not chosen again
        assert notices.vacancy_notices(s, Env(), TEAM, "product-manager", "UALICE", NOW) == []


def test_the_person_who_left_is_not_told(db: Database) -> None:
    with db.begin() as s:
        chosen = notices.vacancy_notices(
            s, Env(admins=("UOPS", "UALICE")), TEAM, "pm", "UALICE", NOW
        )
    assert [n.admin_id for n in chosen] == ["UOPS"]
