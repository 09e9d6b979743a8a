"""A modal's private_metadata is the app's own: forged or altered metadata is not trusted."""

from __future__ import annotations

import json

from handlers.issue_blocks import file_modal, resolve_modal
from handlers.view_meta import own_permalink, seal, sealed_view, unseal
from tests.harness import SIGNING_SECRET, Harness
from tests.issue_fixtures import card, give_role, submit, ticket, tickets

EVIL = "https://evil.example/x|Click me> <!channel"


def _forged_source(permalink: str) -> str:
    source = {"channel": "C0GENERAL", "ts": "1700000000.000100", "permalink": permalink}
    return json.dumps({"source": source})


def test_a_forged_source_with_a_foreign_link_files_nothing(desk: Harness) -> None:
    view = file_modal("en", _forged_source(EVIL))
    reply = submit(desk, "issue_file", {"summary": "export crashes"}, user="UALICE", view=view)
    assert reply.json["response_action"] == "errors"
    assert "not opened by me for you" in reply.json["errors"]["summary"]
    assert tickets(desk) == []
    assert "evil.example" not in json.dumps(desk.slack.calls_to("chat.postMessage"))


def test_a_forged_source_is_refused_in_chinese_too(desk: Harness) -> None:
    desk.command("/issue", "help", user="UCAROL")  # first contact: her profile is learnt
    view = file_modal("zh", _forged_source(EVIL))
    reply = submit(desk, "issue_file", {"summary": "导出崩溃"}, user="UCAROL", view=view)
    assert reply.json["response_action"] == "errors" and tickets(desk) == []
    assert "此表单不是我为你打开的" in reply.json["errors"]["summary"]


def test_metadata_signed_for_someone_else_is_not_trusted(desk: Harness) -> None:
    view = sealed_view(SIGNING_SECRET, "T0001", "UBOB", file_modal("en", _forged_source(EVIL)))
    reply = submit(desk, "issue_file", {"summary": "export crashes"}, user="UALICE", view=view)
    assert reply.json["response_action"] == "errors" and tickets(desk) == []


def test_a_signed_source_keeps_only_a_permalink_of_the_workspace(desk: Harness) -> None:
    # Even signed (e.g. a link Slack itself returned), a foreign link never reaches a card.
    view = sealed_view(SIGNING_SECRET, "T0001", "UALICE", file_modal("en", _forged_source(EVIL)))
    reply = submit(desk, "issue_file", {"summary": "export crashes"}, user="UALICE", view=view)
    assert reply.json["response_action"] == "update"
    assert ticket(desk, 1).source_permalink is None
    assert "evil.example" not in json.dumps(card(desk, 1))


def test_a_forged_ticket_number_in_the_resolve_form_changes_nothing(desk: Harness) -> None:
    give_role(desk, "UBOB", "customer-support")
    desk.command("/issue", "cannot log in", user="UALICE")
    reply = submit(
        desk,
        "issue_resolve_modal",
        {"root_cause": "x", "solution": "y"},
        view=resolve_modal("en", ticket(desk, 1)),  # "1", unsigned
        user="UBOB",
    )
    assert reply.status == 200
    assert ticket(desk, 1).status == "new"


def test_seal_round_trip_and_tamper() -> None:
    meta = seal("s", "cb", "T1", "U1", "hello")
    assert unseal("s", "cb", "T1", "U1", meta) == "hello"
    assert unseal("s", "cb", "T1", "U2", meta) is None
    assert unseal("s", "other", "T1", "U1", meta) is None
    assert unseal("other", "cb", "T1", "U1", meta) is None
    assert unseal("s", "cb", "T1", "U1", meta.replace("hello", "hellp")) is None
    assert unseal("s", "cb", "T1", "U1", "hello") is None


def test_own_permalink() -> None:
    own = "https://acme.slack.com/"
    good = "https://acme.slack.com/archives/C1/p1700000000000100"
    assert own_permalink(good, own) == good
    assert own_permalink(EVIL, own) is None
    assert own_permalink("https://evil.example/archives/C1/p1", own) is None
    assert own_permalink("http://acme.slack.com/archives/C1/p1", own) is None
    assert own_permalink("https://acme.slack.com.evil.example/x", own) is None
    assert own_permalink("https://x@acme.slack.com/archives", own) is None
    assert own_permalink(good, None) is None
