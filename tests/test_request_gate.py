"""The request gate: forged, malformed, replayed, oversized and foreign-workspace requests get
nothing — the right status, the store as it was, no Web API call, no response_url post, and
no request body, signature or token in the log."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from sqlalchemy import func, select

from bot.settings import Settings
from handlers.installation import Installation, SingleInstallation, Workspace, installing_workspace
from handlers.request_gate import MAX_BODY, RequestGate
from slack_emulator import APP_ID, BOT_USER_ID, payloads
from storage.db import Database
from storage.models import Base, SeenSignature, Ticket
from storage.replay import prune_signatures, remember_signature
from tests.fake_slack import FakeSlack
from tests.harness import SIGNING_SECRET, Harness, Reply
from tests.issue_fixtures import SUPPORT, card, give_role, ticket, tickets

FORM, JSON = payloads.FORM_CONTENT_TYPE, payloads.JSON_CONTENT_TYPE
MARKER = "BODY-MARKER-7f3a"  # in every forged body: it must never reach a log or a reply


def sign(
    raw: bytes, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """Slack's signature headers over raw bytes."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest.hexdigest()}"}


def post(app: Harness, raw: bytes, content_type: str, headers: dict[str, str]) -> Reply:
    """POST raw bytes to /slack/events with exactly these headers (and Content-Type)."""
    request = urllib.request.Request(
        app.url, data=raw, headers={"Content-Type": content_type, **headers}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return Reply(answer.status, answer.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.read())


def store(app: Harness) -> dict[str, int]:
    """Rows in every table, the replay memory included."""
    with app.db.begin() as session:
        return {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def refusals(app: Harness) -> dict[str, int]:
    """The gate's refusals by kind."""
    return dict(app.server.gate.refused)


class Untouched:
    """Snapshot of everything a refused request must leave alone; `check()` compares."""

    def __init__(self, app: Harness) -> None:
        self.app = app
        self.rows = store(app)
        self.calls = app.slack.calls  # auth.test, from start-up
        self.responses = app.slack.responses

    def check(self) -> None:
        """Nothing stored, nothing sent to the Web API or to a response_url."""
        self.app.settle()
        assert store(self.app) == self.rows
        assert self.app.slack.calls == self.calls
        assert self.app.slack.responses == self.responses


def interactive_body(app: Harness, *, team: str = "T0001") -> str:
    """A button press whose response_url leads to the fake (so any post there is seen)."""
    _, url = app.new_response_url()
    return payloads.block_actions(
        team_id=team,
        user_id="UALICE",
        user_name=MARKER,
        action_id="issue_take",
        value="1",
        response_url=url,
        channel_id="C0GENERAL",
    )


# --- 1. Forged: every unverified request is 401 before anything sees it --------------------
def _forgeries() -> list[tuple[str, Any]]:
    now = int(time.time())  # for shapes only: windows are measured when the test runs

    def signed(**kw: Any) -> Any:
        return lambda raw: sign(raw, **kw)

    def signed_at(offset: int) -> Any:
        return lambda raw: sign(raw, timestamp=int(time.time()) + offset)

    def with_stamp(stamp: str) -> Any:
        return lambda raw: {**sign(raw), "X-Slack-Request-Timestamp": stamp}

    def with_signature(signature: str) -> Any:
        return lambda raw: {**sign(raw), "X-Slack-Signature": signature}

    return [
        ("unsigned", lambda raw: {}),
        ("unsigned", lambda raw: {"X-Slack-Signature": sign(raw)["X-Slack-Signature"]}),
        ("unsigned", lambda raw: {"X-Slack-Request-Timestamp": str(now)}),
        ("unsigned", with_stamp("")),
        ("bad_timestamp", with_stamp("abc")),
        ("bad_timestamp", with_stamp(f"{now}.5")),
        ("bad_timestamp", with_stamp(f"+{now}")),
        ("bad_timestamp", with_stamp(f"-{now}")),
        # Fullwidth digits, which int() would take, as the UTF-8 bytes an attacker sends.
        (
            "bad_timestamp",
            lambda raw: {**sign(raw), "X-Slack-Request-Timestamp": "１７９６".encode()},
        ),
        ("bad_timestamp", with_stamp("9" * 40)),
        ("bad_timestamp", with_stamp(f"{now}, {now}")),  # the header sent twice
        ("stale_timestamp", signed_at(-5 * 60 - 2)),
        ("stale_timestamp", signed_at(5 * 60 + 2)),
        ("stale_timestamp", signed(timestamp=0)),
        ("bad_signature", signed(secret="not-the-secret")),
        ("bad_signature", with_signature("v0=" + "0" * 64)),
        ("bad_signature", with_signature("v1=" + "0" * 64)),
        ("bad_signature", with_signature("v0=zz")),
        ("bad_signature", with_signature("v0=")),
        ("bad_signature", lambda raw: {**sign(raw), "X-Slack-Signature": "v0=" + "A" * 64}),
        ("bad_signature", lambda raw: sign(raw + b"&text=more")),  # signed another body
    ]


FORGERIES = _forgeries()


@pytest.mark.parametrize(
    ("kind", "headers_for"), FORGERIES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(FORGERIES)]
)
def test_a_forged_request_is_401_and_nothing_leaves(
    app: Harness, kind: str, headers_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    raw = interactive_body(app).encode()
    untouched = Untouched(app)
    headers = headers_for(raw)
    reply = post(app, raw, FORM, headers)
    assert reply.status == 401 and reply.json == {"error": kind}
    untouched.check()  # above all: no "Something went wrong" posted to the body's response_url
    assert refusals(app) == {kind: 1}
    assert MARKER not in caplog.text and MARKER not in reply.raw.decode()
    signature = headers.get("X-Slack-Signature", "")
    assert signature[3:] == "" or signature[3:] not in caplog.text


def test_a_tampered_body_is_refused_even_with_a_valid_signature_of_the_original(
    app: Harness,
) -> None:
    raw = interactive_body(app).encode()
    headers = sign(raw)
    untouched = Untouched(app)
    reply = post(app, raw.replace(b"issue_take", b"issue_close"), FORM, headers)
    assert reply.status == 401
    untouched.check()


# --- 2. Malformed: a signed body Slack would never send is 400, never a traceback -----------
def _payload(value: Any) -> bytes:
    return urlencode({"payload": value if isinstance(value, str) else json.dumps(value)}).encode()


def _interactive(**fields: Any) -> bytes:
    base: dict[str, Any] = {"type": "block_actions", "team": {"id": "T0001"}}
    base.update(user={"id": "UALICE"}, actions=[{"action_id": "issue_take", "value": "1"}])
    return _payload({**base, **fields})


MALFORMED: list[tuple[str, bytes, str]] = [
    ("not UTF-8", b"command=%2Frolecall&text=\xff\xfe&team_id=T0001&user_id=UALICE", FORM),
    ("not UTF-8 JSON", b'{"type": "event_callback", "x": "\xff"}', JSON),
    ("payload={bad", b"payload={bad", FORM),
    ("payload=[]", b"payload=[]", FORM),
    ("payload=null", b"payload=null", FORM),
    ("payload=1", b"payload=1", FORM),
    ("payload string", _payload('"block_actions"'), FORM),
    ("JSON as a form", json.dumps({"type": "event_callback", "event": {}}).encode(), FORM),
    ("a form as JSON", b"command=%2Frolecall&text=help", JSON),
    ("JSON list", b"[]", JSON),
    ("JSON, bad", b'{"type": ', JSON),
    (
        "view: null",
        _payload({"type": "view_submission", "team": {"id": "T0001"}, "view": None}),
        FORM,
    ),
    (
        "view without state",
        _payload(
            {
                "type": "view_submission",
                "team": {"id": "T0001"},
                "view": {"callback_id": "issue_file"},
            }
        ),
        FORM,
    ),
    ("view as text", _interactive(view="V123"), FORM),
    ("no actions", _interactive(actions=[]), FORM),
    ("actions as text", _interactive(actions="issue_take"), FORM),
    ("an action not an object", _interactive(actions=[1]), FORM),
    ("an action without id", _interactive(actions=[{"value": "1"}]), FORM),
    ("team as a number", _interactive(team=5), FORM),
    ("message as a list", _interactive(message=[]), FORM),
    ("authorizations as text", _interactive(authorizations="T0001"), FORM),
    ("no type", _payload({"team": {"id": "T0001"}}), FORM),
    ("event missing", json.dumps({"type": "event_callback", "team_id": "T0001"}).encode(), JSON),
    ("event as text", json.dumps({"type": "event_callback", "event": "x"}).encode(), JSON),
    ("challenge missing", json.dumps({"type": "url_verification"}).encode(), JSON),
    ("empty form", b"", FORM),
    ("no command", b"text=help&team_id=T0001&user_id=UALICE", FORM),
    ("not a command", b"command=rolecall&text=help&team_id=T0001&user_id=UALICE", FORM),
    ("plain text", b"hello", "text/plain"),
]


@pytest.mark.parametrize(("name", "raw", "content_type"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_signed_body_is_400_and_changes_nothing(
    app: Harness, name: str, raw: bytes, content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    untouched = Untouched(app)
    reply = post(app, raw, content_type, sign(raw))
    assert reply.status == 400 and reply.json == {"error": "malformed_body"}, name
    untouched.check()
    assert refusals(app) == {"malformed_body": 1}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text


def test_the_word_payload_in_a_command_reaches_the_command(app: Harness) -> None:
    # Bolt reads any body containing "payload" as interactivity; the gate spells it around.
    reply = app.command("/rolecall", "help payload")
    assert reply.status == 200 and "Rolecall" in reply.text


# --- 3. Replays: a signature works once, on every replica ----------------------------------
def test_a_replayed_request_is_409_and_files_nothing_twice(desk: Harness) -> None:
    _, url = desk.new_response_url()
    body = payloads.slash_command(
        team_id="T0001",
        user_id="UALICE",
        user_name="alice",
        command="/issue",
        text="export crashes",
        response_url=url,
    ).encode()
    headers = sign(body)
    first = post(desk, body, FORM, headers)
    desk.settle()
    assert first.status == 200 and "Filed #1" in first.text
    untouched = Untouched(desk)
    again = post(desk, body, FORM, headers)
    assert again.status == 409 and again.json == {"error": "replay"}
    untouched.check()
    assert len(tickets(desk)) == 1 and refusals(desk) == {"replay": 1}


@pytest.fixture
def replica(db: Database, slack: FakeSlack, settings: Settings) -> Iterator[Harness]:
    """A second process serving the same workspace from the same store."""
    harness = Harness(settings, db, slack).start()
    yield harness
    harness.stop()


def test_a_request_replayed_to_another_replica_is_refused_there(
    app: Harness, replica: Harness
) -> None:
    body = _rolecall_help(app)
    headers = sign(body)
    assert post(app, body, FORM, headers).status == 200
    assert post(replica, body, FORM, headers).status == 409
    assert refusals(replica) == {"replay": 1}


def _rolecall_help(app: Harness) -> bytes:
    _, url = app.new_response_url()
    return payloads.slash_command(
        team_id="T0001",
        user_id="UADMIN",
        user_name="admin",
        command="/rolecall",
        text="help",
        response_url=url,
    ).encode()


def test_signatures_are_remembered_until_they_expire_then_pruned(db: Database) -> None:
    now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    with db.begin() as session:
        assert remember_signature(session, "a" * 64, now + timedelta(minutes=5))
        assert not remember_signature(session, "a" * 64, now + timedelta(minutes=5))
        assert remember_signature(session, "b" * 64, now - timedelta(seconds=1))
    with db.begin() as session:
        assert not remember_signature(session, "a" * 64, now + timedelta(minutes=5))
        assert prune_signatures(session, now) == 1  # only the expired one
    with db.begin() as session:
        assert [row.digest for row in session.scalars(select(SeenSignature))] == ["a" * 64]


def test_the_gate_prunes_expired_signatures_as_it_serves(app: Harness) -> None:
    with app.db.begin() as session:
        remember_signature(session, "c" * 64, datetime.now(UTC) - timedelta(minutes=1))
    body = _rolecall_help(app)
    assert post(app, body, FORM, sign(body)).status == 200
    with app.db.begin() as session:
        digests = list(session.scalars(select(SeenSignature.digest)))
    assert "c" * 64 not in digests and len(digests) == 1  # the request just served


# --- 4. Size: over the limit is 413 before the body is read --------------------------------
def _raw_exchange(app: Harness, head: bytes, body: bytes = b"") -> bytes:
    with socket.create_connection(("127.0.0.1", app.server.port), timeout=10) as sock:
        sock.sendall(head + body)
        return sock.recv(200)


def test_a_declared_length_over_the_limit_is_413_without_sending_the_body(app: Harness) -> None:
    untouched = Untouched(app)
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: rolecall\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: %d\r\n\r\n" % (MAX_BODY + 1)
    )
    answer = _raw_exchange(app, head)  # not one byte of the body was sent
    assert answer.startswith(b"HTTP/1.1 413 ")
    untouched.check()


def test_a_chunked_body_growing_past_the_limit_is_413(app: Harness) -> None:
    untouched = Untouched(app)
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: rolecall\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    piece = b"a" * (MAX_BODY // 4)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(4)) + b"1\r\na\r\n"
    assert _raw_exchange(app, head, chunks).startswith(b"HTTP/1.1 413 ")
    untouched.check()


def test_a_body_at_the_limit_is_served(app: Harness) -> None:
    _, url = app.new_response_url()
    fields = {
        "command": "/rolecall",
        "team_id": "T0001",
        "user_id": "UADMIN",
        "response_url": url,
        "trigger_id": payloads.new_trigger_id(),
        "text": "",
    }
    fields["text"] = "x" * (MAX_BODY - len(urlencode(fields)))
    body = urlencode(fields).encode()
    assert len(body) == MAX_BODY
    reply = post(app, body, FORM, sign(body))
    assert reply.status == 200 and "too long" in reply.text


class _Unreadable(io.BytesIO):
    def read(self, size: int | None = -1) -> bytes:
        raise AssertionError("the gate read a body it should have refused unread")


def _call_gate(app: Harness, environ: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """Call the gate as any WSGI server would (waitress refuses these before the gate)."""
    gate = RequestGate(
        app.bolt,
        signing_secret=SIGNING_SECRET,
        installations=app.deps.installations,
        db=app.db,
        max_body=1000,
    )
    answered: list[tuple[str, dict[str, str]]] = []
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", **environ}
    b"".join(gate(environ, lambda status, headers: answered.append((status, dict(headers)))))
    return answered[0]


def test_the_gate_caps_a_body_of_unknown_length_on_any_server(app: Harness) -> None:
    untouched = Untouched(app)
    status, headers = _call_gate(app, {"wsgi.input": io.BytesIO(b"a" * 1001)})
    assert status.startswith("413") and headers["Connection"] == "close"
    status, _ = _call_gate(app, {"wsgi.input": _Unreadable(), "CONTENT_LENGTH": "1001"})
    assert status.startswith("413")
    for length in ("abc", "-1", "1e3", "１２"):
        status, _ = _call_gate(app, {"wsgi.input": _Unreadable(), "CONTENT_LENGTH": length})
        assert status.startswith("400"), length
    untouched.check()


# --- 5. One token, one workspace -----------------------------------------------------------
def _foreign_requests(app: Harness) -> list[tuple[str, bytes, str]]:
    """Signed, well-formed requests that belong to another workspace (T0002)."""
    _, url = app.new_response_url()
    reaction = payloads.reaction_added(
        user_id="UALICE", reaction="ticket", channel_id="C0GENERAL", message_ts="1.2",
        item_user="UBOB",
    )  # fmt: skip
    misrouted = json.loads(payloads.event_callback(team_id="T0001", event=reaction))
    misrouted["authorizations"][0]["team_id"] = "T0002"  # the installing team decides
    modal = _view_submission_payload("T0001", installed="T0002")
    grid = payloads.slash_command(
        team_id="T0001", user_id="UALICE", user_name="alice", command="/rolecall",
        text="help", response_url=url,
    ) + "&enterprise_id=E0OTHER"  # fmt: skip
    return [
        ("slash command", payloads.slash_command(
            team_id="T0002", user_id="UALICE", user_name="alice", command="/issue",
            text="their problem", response_url=url,
        ).encode(), FORM),  # fmt: skip
        ("button", interactive_body(app, team="T0002").encode(), FORM),
        ("reaction naming our channel",
         payloads.event_callback(team_id="T0002", event=reaction).encode(), JSON),
        ("event installed elsewhere", json.dumps(misrouted).encode(), JSON),
        ("modal installed elsewhere", urlencode({"payload": json.dumps(modal)}).encode(), FORM),
        ("another enterprise", grid.encode(), FORM),
    ]  # fmt: skip


def _view_submission_payload(team: str, *, installed: str | None = None) -> dict[str, Any]:
    """A view_submission's payload; `installed` sets `view.app_installed_team_id`."""
    form = payloads.view_submission(
        team_id=team,
        user_id="UPARTNER" if installed else "UALICE",
        user_name="someone",
        callback_id="issue_file",
        values={
            "summary": {"value": {"type": "plain_text_input", "value": "Partner sees 500s"}},
            "severity": {"value": {"type": "static_select", "selected_option": {"value": "high"}}},
            "category": {"value": {"type": "static_select", "selected_option": {"value": "bug"}}},
        },
    )
    payload: dict[str, Any] = json.loads(dict(parse_qsl(form))["payload"])
    if installed:
        payload["view"]["app_installed_team_id"] = installed
    return payload


def test_requests_from_another_workspace_are_403_with_nothing_done(
    desk: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    requests = _foreign_requests(desk)
    untouched = Untouched(desk)
    for name, raw, content_type in requests:
        reply = post(desk, raw, content_type, sign(raw))
        assert reply.status == 403 and reply.json == {"error": "foreign_workspace"}, name
    untouched.check()  # no card in T0001's channel, no users.info, no history read
    assert refusals(desk) == {"foreign_workspace": len(requests)}
    assert "xoxb-test" not in caplog.text


def test_url_verification_needs_no_workspace_but_a_signature(app: Harness) -> None:
    body = json.dumps({"token": "x", "challenge": "c-1", "type": "url_verification"}).encode()
    assert post(app, body, JSON, sign(body)).json == {"challenge": "c-1"}
    assert post(app, body, JSON, {}).status == 401


def test_slack_ssl_check_needs_no_workspace_but_a_signature(app: Harness) -> None:
    body = b"ssl_check=1&token=verification-token-placeholder"
    assert post(app, body, FORM, sign(body)).status == 200
    assert post(app, body, FORM, {}).status == 401


@pytest.fixture
def other_slack() -> Iterator[FakeSlack]:
    """The fake Slack of a second workspace, T0002."""
    fake = FakeSlack(team_id="T0002").start()
    fake.add_user("UZED", "zed")
    fake.add_channel("C0SUPPORT", "support")
    yield fake
    fake.stop()


@pytest.fixture
def other_desk(db: Database, other_slack: FakeSlack, settings: Settings) -> Iterator[Harness]:
    """Rolecall started with T0002's token, on the same store as `desk`."""
    harness = Harness(
        settings.model_copy(
            update={"slack_api_url": other_slack.api_url, "support_channel": "C0SUPPORT"}
        ),
        db,
        other_slack,
    )
    yield harness.start()
    harness.stop()


def test_two_workspaces_sharing_a_store_number_and_see_only_their_own(
    desk: Harness, other_desk: Harness
) -> None:
    assert (
        "Filed #1" in desk.command("/issue", "customer: Secret Corp; private", user="UALICE").text
    )
    assert "Filed #1" in other_desk.command("/issue", "their own", user="UZED", team="T0002").text
    assert "#2" in desk.command("/issue", "second", user="UBOB").text
    assert "no ticket #2" in other_desk.command("/issue", "show 2", user="UZED", team="T0002").text
    listed = other_desk.command("/issue", "list all", user="UZED", team="T0002").text
    assert "their own" in listed and "Secret" not in listed
    assert [t.summary for t in tickets(other_desk, team="T0002")] == ["their own"]
    assert ticket(desk, 1).customer == "Secret Corp"
    # Each card went to its own workspace's Slack, with that workspace's token.
    assert len(desk.slack.messages(SUPPORT)) == 2 and len(other_desk.slack.messages(SUPPORT)) == 1
    assert refusals(desk) == refusals(other_desk) == {}


# --- 6. Slack Connect: the installing workspace, not the clicker's -------------------------
PARTNER = "TPARTNER"


def _partner_click(desk: Harness, *, authorizations: bool) -> bytes:
    """ "Take" pressed on #1's card by someone of a partner organisation, shaped as Slack sends
    it from a Slack Connect channel: `team` and `user.team_id` are the partner's."""
    _, url = desk.new_response_url()
    message = card(desk, 1)
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": "UPARTNER", "username": "pat", "name": "pat", "team_id": PARTNER},
        "api_app_id": APP_ID,
        "token": payloads.VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": SUPPORT,
            "is_ephemeral": False,
        },
        "trigger_id": payloads.new_trigger_id(),
        "team": {"id": PARTNER, "domain": "partner-org"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": SUPPORT, "name": "support"},
        "message": message,
        "state": {"values": {}},
        "response_url": url,
        "actions": [
            {
                "type": "button",
                "action_id": "issue_take",
                "block_id": "issue_actions_1",
                "text": {"type": "plain_text", "text": "Take", "emoji": True},
                "value": "1",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    if authorizations:
        payload["authorizations"] = [
            {
                "enterprise_id": None,
                "team_id": "T0001",
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ]
    else:
        assert message["team"] == "T0001" and message["app_id"] == APP_ID  # the app's card
    return urlencode({"payload": json.dumps(payload)}).encode()


@pytest.mark.parametrize("authorizations", [True, False], ids=["authorizations", "card-team"])
def test_take_from_a_slack_connect_partner_works_on_the_card(
    desk: Harness, authorizations: bool
) -> None:
    desk.slack.add_user("UPARTNER", "pat")
    give_role(desk, "UPARTNER", "customer-support")  # an agent, whoever may take tickets
    desk.command("/issue", "export crashes", user="UALICE")
    raw = _partner_click(desk, authorizations=authorizations)
    reply = post(desk, raw, FORM, sign(raw))
    desk.settle()
    assert reply.status == 200
    assert ticket(desk, 1).assignee_id == "UPARTNER"
    assert "<@UPARTNER>" in json.dumps(card(desk, 1))
    with desk.db.begin() as session:
        assert session.scalar(select(func.count()).where(Ticket.team_id == PARTNER)) == 0


def test_a_slack_connect_partner_files_through_the_modal_into_the_installing_workspace(
    desk: Harness,
) -> None:
    # The modal was opened in a shared channel by a partner: `team` is theirs, the view says
    # where the app is installed.
    desk.slack.add_user("UPARTNER", "pat")
    payload = _view_submission_payload(PARTNER, installed="T0001")
    raw = urlencode({"payload": json.dumps(payload)}).encode()
    reply = post(desk, raw, FORM, sign(raw))
    desk.settle()
    assert reply.status == 200 and reply.json["response_action"] == "update"
    assert [(t.summary, t.reporter_id) for t in tickets(desk)] == [
        ("Partner sees 500s", "UPARTNER")
    ]
    assert tickets(desk, team=PARTNER) == []
    assert "Partner sees 500s" in json.dumps(card(desk, 1))


# --- 7. Whose request is it: the rules themselves ------------------------------------------
OURS = Installation(
    team_id="T0001", enterprise_id=None, is_enterprise_install=False, bot_user_id="UB", bot_id="B"
)
ORG = Installation(
    team_id=None, enterprise_id="E0001", is_enterprise_install=True, bot_user_id="UB", bot_id="B"
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Events API in a Slack Connect channel (bolt-js#935): the top-level team is the
        # connected workspace; authorizations[0] is ours.
        (
            {
                "team_id": "T_connected",
                "enterprise_id": "E_org",
                "authorizations": [{"enterprise_id": None, "team_id": "T0001"}],
                "event": {"team": "T0001"},
            },
            Workspace("T0001", None),
        ),
        # A modal submitted from a partner org (bolt-js#1614), itself in an Enterprise Grid.
        (
            {
                "team": {"id": "TP"},
                "enterprise": {"id": "EP"},
                "view": {"app_installed_team_id": "T0001"},
            },
            Workspace("T0001"),
        ),
        (
            {"team_id": "T0001", "enterprise_id": "E1", "view": {"app_installed_team_id": "T0001"}},
            Workspace("T0001", "E1"),
        ),
        # A click on the app's own card: the card's team, whatever the clicker's.
        (
            {
                "api_app_id": "A1",
                "team": {"id": "TP"},
                "message": {"app_id": "A1", "team": "T0001"},
            },
            Workspace("T0001"),
        ),
        # ...but not on another app's message.
        (
            {
                "api_app_id": "A1",
                "team": {"id": "TP"},
                "message": {"app_id": "A2", "team": "T0001"},
            },
            Workspace("TP"),
        ),
        ({"team_id": "T0001", "enterprise_id": "E1"}, Workspace("T0001", "E1")),
        ({"team": {"id": "T0001", "enterprise_id": "E1"}}, Workspace("T0001", "E1")),
        ({"team": None, "user": {"id": "U1", "team_id": "T0001"}}, Workspace("T0001")),
        ({"team": ""}, Workspace(None)),
    ],
)
def test_the_installing_workspace_of_a_request(body: dict[str, Any], expected: Workspace) -> None:
    assert installing_workspace(body) == expected


def test_an_installation_serves_its_own_workspace_or_org_only() -> None:
    assert OURS.serves(Workspace("T0001")) and not OURS.serves(Workspace("T0002"))
    assert not OURS.serves(Workspace(None)) and not OURS.serves(Workspace("T0001", "E9"))
    assert ORG.serves(Workspace("T0042", "E0001")) and ORG.serves(Workspace(None, "E0001"))
    assert not ORG.serves(Workspace("T0042", None)) and not ORG.serves(Workspace("T1", "E2"))
    assert SingleInstallation(OURS).find(Workspace("T0002")) is None
    assert "xoxb" not in repr(Installation("T1", None, False, None, None, token="xoxb-secret"))
