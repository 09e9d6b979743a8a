"""Junk typed into any command: a short message with usage, HTTP 200, nothing stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.models import Base
from tests.harness import Harness

JUNK = [
    " ",
    "x" * 5000,
    "🙂🙃🔥",
    "'; DROP TABLE role_assignments;--",
    "<!channel> <!here> @everyone",
    "\u0000\u200b",
    "assign",
    "help me please <@UALICE|alice> <#C0GENERAL>",
]
# /issue files any non-empty text as a summary, exactly as typed: its junk handling is in
# the support-queue tests. Every other command must leave the store as it was.
COMMANDS = ["/owner", "/role", "/rolecall", "/standup", "/progress"]


def _row_counts(app: Harness) -> dict[str, int]:
    with app.db.begin() as session:
        return {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
            if table.name not in ("user_profiles", "unmatched_queries", "seen_signatures")
        }


@pytest.mark.parametrize("command", COMMANDS)
def test_junk_is_answered_briefly_and_changes_nothing(app: Harness, command: str) -> None:
    before = _row_counts(app)
    for text in JUNK:
        reply = app.command(command, text, user="UALICE")
        assert reply.status == 200, (command, text[:40])
        shown = reply.text
        assert shown.strip(), (command, text[:40])
        assert "Traceback" not in shown and "Error" not in shown
        assert "<!channel>" not in shown and "<!here>" not in shown
        assert len(shown) < 4000
    assert _row_counts(app) == before
    # Nothing posted anywhere on the junk's behalf.
    assert not any(c.method.startswith("chat.") for c in app.slack.calls)


def test_long_text_gets_the_usage(app: Harness) -> None:
    reply = app.command("/role", "assign " + "x" * 5000)
    assert "too long" in reply.text and "Usage" in reply.text
