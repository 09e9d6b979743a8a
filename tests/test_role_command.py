"""`/role` over real HTTP: every subcommand, permissions, mentions, languages, junk."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from storage.models import Absence, RoleAssignment, RoleBackup, RoleEvent
from tests.harness import Harness


def _rows(app: Harness) -> list[tuple[str, str]]:
    with app.db.begin() as session:
        rows = session.scalars(select(RoleAssignment).order_by(RoleAssignment.id)).all()
        return [(r.role_key, r.user_id) for r in rows]


def _events(app: Harness) -> int:
    with app.db.begin() as session:
        return session.scalar(select(func.count()).select_from(RoleEvent)) or 0


def test_assign_both_mention_forms_and_aliases(app: Harness) -> None:
    reply = app.command("/role", "assign <@UALICE|alice> pm")
    assert reply.status == 200 and "<@UALICE> now holds Product Manager" in reply.text
    app.command("/role", "assign <@UBOB> Tech Lead")
    app.command("/role", "assign UCAROL 产品经理")
    assert _rows(app) == [
        ("product-manager", "UALICE"),
        ("tech-lead", "UBOB"),
        ("product-manager", "UCAROL"),
    ]
    again = app.command("/role", "assign <@UALICE> product-manager")
    assert "already holds" in again.text and len(_rows(app)) == 3


def test_list_who_me(app: Harness) -> None:
    app.command("/role", "assign <@UALICE> pm")
    listing = app.command("/role", "list", user="UBOB")
    assert "Product Manager" in listing.text and "<@UALICE>" in listing.text
    assert "Tech Lead" in listing.text and "nobody yet" in listing.text
    who = app.command("/role", "who PM", user="UBOB")
    assert "<@UALICE>" in who.text
    empty = app.command("/role", "who tech-lead", user="UBOB")
    assert "/role assign @someone tech-lead" in empty.text
    assert "Product Manager" in app.command("/role", "me", user="UALICE").text
    assert "no role yet" in app.command("/role", "me", user="UBOB").text


def test_unassign(app: Harness) -> None:
    app.command("/role", "assign <@UALICE> pm")
    reply = app.command("/role", "unassign <@UALICE|alice> pm")
    assert "no longer holds" in reply.text and _rows(app) == []
    assert "does not hold" in app.command("/role", "unassign <@UALICE> pm").text


def test_admin_commands_refuse_non_admins(app: Harness) -> None:
    for text in ("assign <@UBOB> pm", "unassign <@UBOB> pm", "backup pm <@UBOB>"):
        reply = app.command("/role", text, user="UALICE")
        assert reply.status == 200 and "Only admins" in reply.text
    assert _rows(app) == [] and _events(app) == 0


def test_product_owner_holders_are_admins(app: Harness) -> None:
    app.command("/role", "assign <@UALICE> po")
    assert "now holds" in app.command("/role", "assign <@UBOB> pm", user="UALICE").text


def test_backup_away_back_and_history(app: Harness) -> None:
    app.clock.set(datetime(2026, 3, 2, 12, tzinfo=UTC))
    app.command("/role", "assign <@UALICE> pm")
    assert "backup" in app.command("/role", "backup pm <@UBOB>").text
    with app.db.begin() as session:
        backup = session.get(RoleBackup, ("T0001", "product-manager"))
        assert backup is not None and backup.user_id == "UBOB"
    away = app.command("/role", "away <@UALICE> until 2026-03-10", user="UALICE")
    assert "away until 2026-03-10" in away.text
    assert "away until 2026-03-10" in app.command("/role", "who pm").text
    assert "away until" in app.command("/role", "list").text
    past = app.command("/role", "away <@UALICE> until 2026-03-01", user="UALICE")
    assert "in the past" in past.text and "Usage" in past.text
    other = app.command("/role", "away <@UBOB> until 2026-03-10", user="UALICE")
    assert "only yourself" in other.text
    assert "Welcome back" in app.command("/role", "back <@UALICE>", user="UALICE").text
    assert "not marked away" in app.command("/role", "back <@UALICE>").text
    with app.db.begin() as session:
        assert session.scalars(select(Absence)).all() == []
    history = app.command("/role", "history").text
    lines = [line for line in history.splitlines() if line.startswith("•")]
    assert "marked <@UALICE> back" in lines[0] and "assigned <@UALICE>" in lines[-1]
    assert "2026-03-02" in lines[0]
    only_pm = app.command("/role", "history pm").text
    assert "backup" in only_pm and "marked" not in only_pm


def test_admin_marks_someone_else_away(app: Harness) -> None:
    app.clock.set(datetime(2026, 3, 2, 12, tzinfo=UTC))
    reply = app.command("/role", "away UBOB until 2026-03-05")
    assert "<@UBOB> is away until 2026-03-05" in reply.text


def test_chinese_user_gets_chinese(app: Harness) -> None:
    app.command("/role", "help", user="UCAROL")  # first contact: the profile is fetched
    assert "担任" in app.command("/role", "me", user="UCAROL").text
    assert "角色及担任者" in app.command("/role", "list", user="UCAROL").text


@pytest.mark.parametrize(
    "text",
    [
        "frobnicate",
        "assign",
        "assign <@UALICE>",
        "assign nobody pm",
        "assign <@UALICE> astronaut",
        "who",
        "away <@UADMIN> tomorrow",
        "away <@UADMIN> until 2026-02-30",
        "🔥🔥🔥",
        "'; DROP TABLE role_assignments;--",
        "x" * 5000,
    ],
)
def test_bad_input_gets_usage(app: Harness, text: str) -> None:
    reply = app.command("/role", text)
    assert reply.status == 200 and reply.json["response_type"] == "ephemeral"
    assert "/role" in reply.text and "wrong" not in reply.text
    assert _rows(app) == [] and _events(app) == 0


def test_help(app: Harness) -> None:
    reply = app.command("/role", "help")
    assert "/role assign @user" in reply.text and "/role history" in reply.text


def test_the_same_assignment_sent_at_once_leaves_one_row_and_clear_answers(app: Harness) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from storage.models import RoleAssignment

    app.command("/role", "list")  # the admin's profile is cached before the race
    with ThreadPoolExecutor(max_workers=5) as pool:
        replies = list(
            pool.map(
                lambda _: app.command("/role", "assign <@UALICE|alice> pm", settle=False),
                range(5),
            )
        )
    app.settle()
    assert all(r.status == 200 for r in replies)
    assert not any("went wrong" in r.text for r in replies)
    assert sum("now holds" in r.text for r in replies) == 1
    with app.db.begin() as session:
        count = session.scalar(select(func.count()).select_from(RoleAssignment))
    assert count == 1


def test_an_error_about_a_mention_shows_the_person_not_markup(app: Harness) -> None:
    reply = app.command("/role", "who <@UALICE|alice>")
    assert "There is no role called <@UALICE>" in reply.text
    assert "&lt;@" not in reply.text and "|alice" not in reply.text
    broadcast = app.command("/role", "who <!channel>")
    assert "<!channel>" not in broadcast.text


def test_two_holders_and_two_roles_are_listed_the_readers_way(app: Harness) -> None:
    app.command("/role", "help", user="UCAROL")  # first contact: a Chinese profile
    for user in ("UBOB", "UCAROL"):
        app.command("/role", f"assign <@{user}> pm")
    app.command("/role", "assign <@UCAROL> tech-lead")
    assert "<@UBOB>、<@UCAROL>" in app.command("/role", "list", user="UCAROL").text
    assert "<@UBOB>, <@UCAROL>" in app.command("/role", "list", user="UBOB").text
    mine = app.command("/role", "me", user="UCAROL").text
    assert "(`product-manager`)、" in mine or "(`tech-lead`)、" in mine
