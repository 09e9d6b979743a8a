"""`/owner` over real HTTP: answers, matching, overrides, absences, deactivation, sharing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from slack_emulator import payloads
from storage.models import CustomArea, OwnerOverride, UnmatchedQuery
from tests.harness import Harness


def _seed(app: Harness) -> None:
    for user in ("UADMIN", "UALICE", "UBOB"):  # profiles cached: English-locale people
        app.command("/owner", "help", user=user)
    app.command("/role", "assign <@UALICE> pm")
    app.command("/role", "assign <@UBOB> tech-lead")


def _share_value(reply_json: dict[str, Any]) -> str:
    for block in reply_json.get("blocks", []):
        for element in block.get("elements", []) + [block.get("accessory") or {}]:
            if element.get("action_id") == "owner_share":
                return str(element["value"])
    raise AssertionError("no share button")


@pytest.mark.parametrize("topic", ["roadmap", "路线图", "roadmpa", "who owns the roadmap"])
def test_roadmap_in_any_form(app: Harness, topic: str) -> None:
    _seed(app)
    reply = app.command("/owner", topic, user="UBOB")
    assert reply.status == 200 and reply.json["response_type"] == "ephemeral"
    assert "Roadmap" in reply.text and "<@UALICE>" in reply.text
    assert "Contributing" in reply.text and "Tech Lead (<@UBOB>)" in reply.text
    assert _share_value(reply.json) == "roadmap"


def test_why_it_matched(app: Harness) -> None:
    _seed(app)
    assert "路线图 → Roadmap" in app.command("/owner", "路线图").text
    assert "roadmpa ≈ Roadmap" in app.command("/owner", "roadmpa").text
    assert "→" not in app.command("/owner", "roadmap").text


def test_code_review_and_chinese_reply(app: Harness) -> None:
    _seed(app)
    assert "Code Review" in app.command("/owner", "code review").text
    app.command("/owner", "help", user="UCAROL")  # first contact: the profile is fetched
    reply = app.command("/owner", "路线图", user="UCAROL")
    assert "产品路线图 (Roadmap)" in reply.text and "请找 <@UALICE>" in reply.text


def test_nobody_holds_the_role(app: Harness) -> None:
    reply = app.command("/owner", "code review")
    assert "Nobody holds Tech Lead" in reply.text
    assert "/role assign @someone tech-lead" in reply.text


def test_several_matches_are_listed(app: Harness) -> None:
    _seed(app)
    reply = app.command("/owner", "who owns code review and the roadmap")
    assert "Several areas" in reply.text
    assert "Code Review" in reply.text and "Roadmap" in reply.text
    assert "<@UALICE>" in reply.text and "<@UBOB>" in reply.text


def test_no_match_suggests_and_counts_gaps(app: Harness) -> None:
    reply = app.command("/owner", "kubernetes", user="UALICE")
    assert "Nothing matched" in reply.text and "/owner add" in reply.text
    app.command("/owner", "Kubernetes", user="UBOB")
    app.command("/owner", "@here xyzzy", user="UBOB")
    with app.db.begin() as session:
        rows = {r.normalized: r.count for r in session.scalars(select(UnmatchedQuery))}
    assert rows["kubernetes"] == 2
    gaps = app.command("/owner", "gaps")
    assert "asked 2×" in gaps.text and gaps.text.index("ubernetes") < gaps.text.index("xyzzy")
    assert "@here" not in gaps.text and "@\u200bhere" in gaps.text
    assert "Only admins" in app.command("/owner", "gaps", user="UALICE").text


def test_override_wins(app: Harness) -> None:
    _seed(app)
    done = app.command("/owner", "set roadmap <@UBOB|bob>")
    assert "<@UBOB> is now named owner" in done.text
    reply = app.command("/owner", "路线图")
    assert "Ask <@UBOB> (named owner" in reply.text and "Ask <@UALICE>" not in reply.text
    refused = app.command("/owner", "unset roadmap", user="UALICE")
    assert "Only admins" in refused.text
    assert "role holders again" in app.command("/owner", "unset roadmap").text
    with app.db.begin() as session:
        assert session.scalars(select(OwnerOverride)).all() == []
    assert "Ask <@UALICE>" in app.command("/owner", "roadmap").text


def test_away_holder_backup_first(app: Harness) -> None:
    app.clock.set(datetime(2026, 3, 2, 12, tzinfo=UTC))
    _seed(app)
    app.command("/role", "backup pm <@UCAROL>")
    app.command("/role", "away <@UALICE> until 2026-03-06", user="UALICE")
    text = app.command("/owner", "roadmap").text
    assert "Ask <@UCAROL> (backup, Product Manager is away). Holder: <@UALICE> (away" in text
    assert text.index("<@UCAROL>") < text.index("<@UALICE>")
    app.clock.set(datetime(2026, 3, 7, 12, tzinfo=UTC))  # back: the holder is named again
    assert "Ask <@UALICE> (Product Manager)" in app.command("/owner", "roadmap").text


def test_add_area_then_answer(app: Harness) -> None:
    _seed(app)
    added = app.command("/owner", "add data platform tech lead")
    assert "Added the area data platform" in added.text
    assert "<@UBOB>" in app.command("/owner", "data platfrom").text
    dup = app.command("/owner", "add roadmap pm")
    assert "already an area" in dup.text
    assert "Only admins" in app.command("/owner", "add billing pm", user="UALICE").text
    with app.db.begin() as session:
        assert [a.key for a in session.scalars(select(CustomArea))] == ["data-platform"]
    assert "data platform" in app.command("/owner", "list").text


def test_list_groups_every_area(app: Harness) -> None:
    _seed(app)
    for text in ("", "list"):
        reply = app.command("/owner", text)
        assert "Product Manager" in reply.text and "Customer Support" in reply.text
        assert "Roadmap" in reply.text and "After-sales Service" in reply.text
        blocks = reply.json["blocks"]
        assert len(blocks) <= 50
        assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")


def test_share_button_posts_in_channel(app: Harness) -> None:
    _seed(app)
    asked = app.command("/owner", "roadmpa", user="UBOB")
    pressed = app.action("owner_share", _share_value(asked.json), user="UBOB")
    assert pressed.status == 200
    shared, deleted = [r for r in app.slack.responses if r.key == pressed.response_key]
    assert shared.effect == "in_channel" and "delete_original" not in shared.body
    # The private copy is deleted by a post of its own: Slack ignores anything sent with it.
    assert deleted.effect == "deleted" and deleted.ignored == ()
    (message,) = app.slack.messages("C0GENERAL")
    assert "Roadmap" in message["text"] and "<@UALICE>" in message["text"]


def test_deactivated_holder_is_not_named_and_admins_told_once(app: Harness) -> None:
    _seed(app)
    app.slack.set_user("UBOB", deleted=True)
    user = app.slack.add_user("UBOB", "bob", deleted=True)
    app.event(payloads.user_change(user=user))
    reply = app.command("/owner", "code review", user="UALICE")
    assert "<@UBOB>" not in reply.text and "needs a new holder" in reply.text
    app.command("/owner", "code review", user="UALICE")
    dms = [
        c
        for c in app.slack.calls_to("chat.postMessage")
        if c.args["channel"] in ("UADMIN", "DUADMIN")
    ]
    assert len(dms) == 1 and "<@UBOB>" in dms[0].args["text"]


def test_refresh_after_answer_notices_deactivation(app: Harness) -> None:
    _seed(app)
    app.command("/owner", "code review", user="UALICE")  # profiles of the named fetched
    app.slack.set_user("UBOB", deleted=True)
    app.clock.advance(timedelta(days=1))  # cached profile goes stale
    app.command("/owner", "code review", user="UALICE")
    assert "<@UBOB>" not in app.command("/owner", "code review", user="UALICE").text
    assert len(app.slack.calls_to("chat.postMessage")) == 1


@pytest.mark.parametrize(
    "text",
    ["🔥🔥", "'; DROP TABLE x;--", "<!channel>", "x" * 5000, "set roadmap", "set", "add pm"],
)
def test_junk_gets_a_short_answer(app: Harness, text: str) -> None:
    reply = app.command("/owner", text)
    assert reply.status == 200 and reply.json["response_type"] == "ephemeral"
    assert "/owner" in reply.text and "<!channel>" not in reply.text
    assert "went wrong" not in reply.text
    with app.db.begin() as session:
        assert session.scalars(select(UnmatchedQuery)).all() == []
        assert session.scalars(select(OwnerOverride)).all() == []


def test_escaping_of_broadcasts(app: Harness) -> None:
    reply = app.command("/owner", "<!channel> roadmap?")
    assert "<!channel>" not in reply.text
    none = app.command("/owner", "@channel xyzzy")
    assert "@channel" not in none.text and "@\u200bchannel" in none.text


def test_help(app: Harness) -> None:
    assert "/owner list" in app.command("/owner", "help").text


def test_workspace_admins_are_told_without_configured_admins(app: Harness) -> None:
    # No ROLECALL_ADMINS and no product owner: the workspace admin Rolecall knows is told.
    _seed(app)  # UADMIN, a workspace admin in the fake, ran the commands: profile cached
    user = app.slack.add_user("UBOB", "bob", deleted=True)
    app.event(payloads.user_change(user=user))
    app.event(payloads.user_change(user=user))  # Slack may send it again: told once
    dms = [
        c
        for c in app.slack.calls_to("chat.postMessage")
        if c.args["channel"] in ("UADMIN", "DUADMIN")
    ]
    assert len(dms) == 1 and "<@UBOB>" in dms[0].args["text"]


def test_unset_without_an_override_says_so_and_records_nothing(app: Harness) -> None:
    reply = app.command("/owner", "unset roadmap")
    assert "Nobody is set as the owner of Roadmap" in reply.text
    history = app.command("/role", "history").text
    assert "Roadmap" not in history and "roadmap" not in history


def test_deactivated_override_owner_is_not_named_and_the_answer_says_so(app: Harness) -> None:
    _seed(app)
    app.command("/owner", "set roadmap <@UBOB|bob>")
    app.event(payloads.user_change(user=app.slack.add_user("UBOB", "bob", deleted=True)))
    reply = app.command("/owner", "roadmap", user="UALICE")
    assert "<@UBOB>" not in reply.text and "<@UALICE>" in reply.text  # the holders answer
    assert "has left the workspace" in reply.text and "/owner unset" in reply.text


def test_present_holder_is_named_before_an_away_one(app: Harness) -> None:
    _seed(app)  # bob holds tech-lead
    app.command("/role", "assign <@UCAROL|carol> tech-lead")
    app.command("/role", "away <@UBOB|bob> until 2099-01-01")
    reply = app.command("/owner", "code review", user="UALICE")
    assert reply.text.index("<@UCAROL>") < reply.text.index("<@UBOB>")


@pytest.mark.parametrize("question", ["tech lead", "技术负责人", "TECH-LEAD"])
def test_a_role_name_answers_with_its_holders_and_areas(app: Harness, question: str) -> None:
    _seed(app)
    reply = app.command("/owner", question, user="UALICE")
    assert "is a role" in reply.text and "<@UBOB>" in reply.text
    assert "Code Review" in reply.text and "Technical Decisions" in reply.text
    assert "Nothing matched" not in reply.text
    with app.db.begin() as session:
        assert session.scalars(select(UnmatchedQuery)).all() == []


def test_a_role_that_owns_no_area_names_its_holders(app: Harness) -> None:
    app.command("/role", "assign <@UCAROL|carol> project-manager")
    reply = app.command("/owner", "project manager", user="UALICE")
    assert "is a role" in reply.text and "<@UCAROL>" in reply.text


def test_two_holders_are_listed_the_readers_way(app: Harness) -> None:
    _seed(app)
    app.command("/owner", "help", user="UCAROL")  # first contact: a Chinese profile
    app.command("/role", "assign <@UCAROL> pm")
    assert "<@UALICE>、<@UCAROL>" in app.command("/owner", "路线图", user="UCAROL").text
    assert "<@UALICE>, <@UCAROL>" in app.command("/owner", "roadmap", user="UBOB").text
    assert "<@UALICE>、<@UCAROL>" in app.command("/owner", "产品经理", user="UCAROL").text
