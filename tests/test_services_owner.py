"""services/owner: `/owner` answers from the store: holders, backups, overrides, new areas, gaps."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import Conflict, NotFound, UsageError
from services import owner, roles
from storage.db import Database
from tests.services_fixtures import NOW, OTHER, TEAM, catalog, profile

DAY = date(2026, 3, 2)


def test_a_topic_is_answered_with_the_owning_roles_holders(db: Database) -> None:
    shipped = catalog()
    with db.begin() as s:
        roles.assign(s, TEAM, shipped, "UADMIN", "UALICE", "pm", NOW)
    with db.begin() as s:
        answer = owner.answer_topic(s, TEAM, shipped, "路线图", DAY, NOW)
        (roadmap,) = answer.answers
        assert (roadmap.area.key, roadmap.role.key) == ("roadmap", "product-manager")
        assert [p.user_id for p in roadmap.owners] == ["UALICE"]
        assert owner.answer_topic(s, OTHER, shipped, "roadmap", DAY, NOW).answers[0].owners == ()


def test_an_away_holder_puts_the_backup_first(db: Database) -> None:
    shipped = catalog()
    with db.begin() as s:
        roles.assign(s, TEAM, shipped, "UADMIN", "UALICE", "pm", NOW)
        roles.set_backup(s, TEAM, shipped, "UADMIN", "pm", "UBOB", NOW)
        roles.mark_away(s, TEAM, "UALICE", "UALICE", date(2026, 3, 6), DAY, NOW)
    with db.begin() as s:
        answer = owner.answer_area(s, TEAM, shipped, "roadmap", DAY)
    assert answer.backup_first
    assert [p.user_id for p in answer.owners][0] == "UBOB"


def test_a_person_override_wins_and_unset_returns_to_the_role(db: Database) -> None:
    shipped = catalog()
    with db.begin() as s:
        roles.assign(s, TEAM, shipped, "UADMIN", "UALICE", "pm", NOW)
        assert owner.set_owner(s, TEAM, shipped, "UADMIN", "roadmap", "UCAROL", NOW).key == (
            "roadmap"
        )
    with db.begin() as s:
        answer = owner.answer_area(s, TEAM, shipped, "roadmap", DAY)
        assert answer.override and [p.user_id for p in answer.owners] == ["UCAROL"]
        owner.set_owner(s, TEAM, shipped, "UADMIN", "roadmap", None, NOW)
    with db.begin() as s:
        assert [p.user_id for p in owner.answer_area(s, TEAM, shipped, "roadmap", DAY).owners] == [
            "UALICE"
        ]
        with pytest.raises(NotFound):
            owner.set_owner(s, TEAM, shipped, "UADMIN", "roadmap", None, NOW)


def test_a_deactivated_holder_is_not_named_and_is_reported_vacant(db: Database) -> None:
    shipped = catalog()
    with db.begin() as s:
        roles.assign(s, TEAM, shipped, "UADMIN", "UALICE", "pm", NOW)
        profile(s, "UALICE", deleted=True)
    with db.begin() as s:
        answer = owner.answer_area(s, TEAM, shipped, "roadmap", DAY)
    assert answer.owners == ()
    assert owner.vacancies([answer]) == {("product-manager", "UALICE")}


def test_an_added_area_is_answered_and_leaves_the_gaps(db: Database) -> None:
    shipped = catalog()
    with db.begin() as s:
        assert owner.answer_topic(s, TEAM, shipped, "data platform", DAY, NOW).answers == ()
        owner.answer_topic(s, TEAM, shipped, "Data Platform", DAY, NOW)
        assert [(g.normalized, g.count) for g in owner.gaps(s, TEAM)] == [("data platform", 2)]
        area, role = owner.add_area(s, TEAM, shipped, "UADMIN", "Data Platform", "tl", NOW)
        assert (area.key, role.key) == ("data-platform", "tech-lead")
    with db.begin() as s:
        (answer,) = owner.answer_topic(s, TEAM, shipped, "data platform", DAY, NOW).answers
        assert answer.area.key == "data-platform"
        assert owner.gaps(s, TEAM) == []
        assert "data-platform" in {a.area.key for a in owner.list_areas(s, TEAM, shipped, DAY)}
        with pytest.raises(Conflict):
            owner.add_area(s, TEAM, shipped, "UADMIN", "roadmap", "pm", NOW)


def test_junk_and_unknown_topics_are_refused(db: Database) -> None:
    shipped = catalog()
    with db.begin() as s:
        with pytest.raises(UsageError):
            owner.answer_topic(s, TEAM, shipped, "???", DAY, NOW)
        with pytest.raises(NotFound):
            owner.answer_area(s, TEAM, shipped, "no-such-area", DAY)
        with pytest.raises(NotFound):
            owner.set_owner(s, TEAM, shipped, "UADMIN", "xylophone tuning", "UBOB", NOW)
