"""IDs and text are checked where they come in, the same on SQLite and PostgreSQL: an ID
longer than the store's columns, a NUL or other control character, text past its limit —
each gets a usage message (or a form error beside its field) and nothing is stored."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from domain.errors import UsageError
from domain.parsing import ID_LIMIT, check_text, has_control, is_user, parse_channel, parse_user
from domain.tickets import TEXT_LIMITS, check_fields, description_of
from handlers.issue_blocks import escalate_modal, file_modal, resolve_modal
from handlers.view_meta import sealed_view
from services.tickets import DEDUPE_LIMIT
from storage.models import Base, RoleAssignment
from tests.harness import SIGNING_SECRET, Harness
from tests.issue_fixtures import give_role, react, submit, ticket, tickets

LONG_USER = "<@U" + "X" * 200 + ">"
LONG_CHANNEL = "<#C" + "X" * 200 + ">"


def _rows(app: Harness) -> dict[str, int]:
    with app.db.begin() as session:
        return {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
            if table.name not in ("user_profiles", "unmatched_queries", "seen_signatures")
        }


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [
        ("/role", f"assign {LONG_USER} pm", "could not read"),
        ("/role", f"backup pm {LONG_USER}", "could not read"),
        ("/role", f"away {LONG_USER} until 2099-01-01", "could not read"),
        ("/owner", f"set roadmap {LONG_USER}", "Usage"),
        ("/rolecall", f"config admins {LONG_USER}", "mention people"),
        ("/rolecall", f"config support_channel {LONG_CHANNEL}", "name a channel"),
        ("/issue", f"assign 1 {LONG_USER}", "could not read"),
        ("/issue", "export\x00crashes", "control character"),
        ("/issue", "customer: AC\x00ME; export crashes", "control character"),
        ("/issue", "export \x1b[31mcrashes", "control character"),
        ("/issue", "customer: " + "A" * 151 + "; export crashes", "customer name is too long"),
        ("/issue", "x" * 301, "summary is too long"),
        ("/issue", "resolve 1 root cause: nul\x00; solution: y", "control character"),
        ("/owner", "add R\x00D lab pm", "control character"),
        ("/owner", "add " + "lab " * 30 + "pm", "topic name is too long"),
        ("/role", "away me until 2099-01-01\x00", "control character"),
        ("/rolecall", "config default_tz Europe/Berlin\x00", "control character"),
    ],
)
def test_bad_ids_and_text_get_the_usage_and_store_nothing(
    desk: Harness, command: str, text: str, expected: str
) -> None:
    desk.command("/issue", "printer on fire", user="UALICE")
    before = _rows(desk)
    reply = desk.command(command, text, user="UADMIN")
    assert reply.status == 200 and expected in reply.text, reply.text
    assert "Something went wrong" not in reply.text
    assert _rows(desk) == before
    assert ticket(desk, 1).assignee_id is None and ticket(desk, 1).status == "new"


def test_an_id_as_long_as_the_column_is_stored_on_both_databases(app: Harness) -> None:
    longest = "U" + "A" * (ID_LIMIT - 1)
    app.slack.add_user(longest, "longest")  # Slack knows them: only the ID's length is tested
    assert "Product Manager" in app.command("/role", f"assign <@{longest}> pm").text
    with app.db.begin() as session:
        holder = session.scalars(select(RoleAssignment.user_id)).one()
    assert holder == longest
    too_long = app.command("/role", f"assign <@{longest}A> pm")
    assert "could not read" in too_long.text


def test_text_at_its_limits_is_stored_whole(desk: Harness) -> None:
    summary = "s" * TEXT_LIMITS["summary"]
    customer = "c" * TEXT_LIMITS["customer"]
    reply = desk.command("/issue", f"customer: {customer}; {summary}", user="UALICE")
    assert "Filed #1" in reply.text
    assert (ticket(desk, 1).summary, ticket(desk, 1).customer) == (summary, customer)
    lines = "first line\n\tindented\r\nlast"  # line breaks and tabs are text, not control
    assert "Filed #2" in desk.command("/issue", lines, user="UALICE").text


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("summary", "export\x00crashes", "control character"),
        ("summary", "broken \ud800 half", "control character"),  # half a surrogate pair
        ("customer", "C" * 151, "too long (151 characters; at most 150)"),
        ("description", "steps\x00", "control character"),
        ("description", "d" * 40_001, "too long"),
    ],
)
def test_a_bad_field_in_the_form_is_shown_beside_it(
    desk: Harness, field: str, value: str, expected: str
) -> None:
    values = {"summary": "export crashes", field: value}
    view = file_modal("en", "{}")
    reply = submit(desk, "issue_file", values, user="UALICE", view=view)
    assert reply.status == 200 and reply.json["response_action"] == "errors"
    assert list(reply.json["errors"]) == [field] and expected in reply.json["errors"][field]
    assert tickets(desk) == []


def test_resolve_and_escalate_forms_refuse_bad_text_beside_the_field(desk: Harness) -> None:
    give_role(desk, "UBOB", "tech-lead")
    desk.command("/issue", "printer on fire", user="UALICE")
    before = _rows(desk)
    view = sealed_view(SIGNING_SECRET, "T0001", "UADMIN", resolve_modal("en", ticket(desk, 1)))
    values = {"root_cause": "r" * 3001, "solution": "new toner"}
    reply = submit(desk, "issue_resolve_modal", values, user="UADMIN", view=view)
    assert list(reply.json["errors"]) == ["root_cause"]
    assert "root cause is too long" in reply.json["errors"]["root_cause"]
    view = sealed_view(SIGNING_SECRET, "T0001", "UADMIN", escalate_modal("en", ticket(desk, 1)))
    packet = {"impact": "big", "steps": "a\x00b", "tried": "retry"}
    reply = submit(desk, "issue_escalate_modal", packet, user="UADMIN", view=view)
    assert list(reply.json["errors"]) == ["steps"]
    assert _rows(desk) == before and ticket(desk, 1).escalated_at is None


def test_a_forged_message_reference_files_nothing(desk: Harness) -> None:
    meta = json.dumps({"source": {"channel": "C" + "X" * 100, "ts": "1700000000.000100"}})
    view = file_modal("en", meta)
    reply = submit(desk, "issue_file", {"summary": "x"}, user="UALICE", view=view)
    assert reply.status == 200 and reply.json["response_action"] == "errors"
    assert tickets(desk) == []


def test_a_message_with_control_characters_is_filed_without_them(desk: Harness) -> None:
    ts = desk.slack.post_user_message("C0GENERAL", "UALICE", "export\x00 crashes\x07\nsince 9am")
    react(desk, "C0GENERAL", ts, "UBOB")
    (filed,) = tickets(desk)
    assert (filed.summary, filed.description) == ("export crashes", "export crashes\nsince 9am")


# --- the checks themselves ----------------------------------------------------------------


def test_ids_fit_the_columns_that_store_them() -> None:
    tables = Base.metadata.tables
    ids = [("role_assignments", "user_id"), ("tickets", "reporter_id")]
    ids += [("tickets", "assignee_id"), ("tickets", "source_channel")]
    ids += [("owner_overrides", "user_id"), ("absences", "user_id")]
    for table, column in ids:
        assert getattr(tables[table].c[column].type, "length", 0) >= ID_LIMIT, (table, column)
    assert getattr(tables["tickets"].c["dedupe_key"].type, "length", 0) == DEDUPE_LIMIT


def test_user_and_channel_ids() -> None:
    assert parse_user("<@U0123ABC|bob>") == "U0123ABC" and parse_user("W0123ABC") == "W0123ABC"
    assert is_user("U" + "A" * (ID_LIMIT - 1)) and not is_user("U" + "A" * ID_LIMIT)
    assert parse_channel("<#C0123|general>") == "C0123" and parse_channel("G0123") == "G0123"
    for bad in ("<@u0123>", "<@U0123\x00>", "<@X0123>", "U1", LONG_USER, "<@U01 23>"):
        with pytest.raises(UsageError):
            parse_user(bad)
    with pytest.raises(UsageError) as raised:
        parse_user(LONG_USER)
    assert len(raised.value.params["text"]) <= 40  # the echo is cut, not the whole token
    for bad in (LONG_CHANNEL, "<#c0123>", "#general", "D"):
        with pytest.raises(UsageError):
            parse_channel(bad)


def test_control_characters() -> None:
    assert not has_control("tabs\tand\nlines\r\n, emoji 👩‍💻, 中文, zero\u200bwidth")
    for bad in ("\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800"):
        assert has_control(f"a{bad}b"), repr(bad)
    assert description_of("a\x00b\x1b[0m\nc") == "ab[0m\nc"
    assert len(description_of("x" * 50_000)) == TEXT_LIMITS["description"]
    with pytest.raises(UsageError) as raised:
        check_text("x" * 11, usage=None, limit=10)
    assert raised.value.params == {"length": 11, "limit": 10}


def test_ticket_fields_name_the_field_that_is_wrong() -> None:
    check_fields(summary="s" * 300, customer=None, description="")
    with pytest.raises(UsageError) as raised:
        check_fields(summary="fine", solution="s" * 3001)
    assert raised.value.key == "issue.too_long.solution"
    assert raised.value.params["field"] == "solution"
    with pytest.raises(UsageError) as raised:
        check_fields(customer="A\x00")
    assert (raised.value.key, raised.value.params["field"]) == (
        "error.control_character",
        "customer",
    )
