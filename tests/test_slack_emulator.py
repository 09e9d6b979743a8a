"""The Slack emulator answers slack_sdk like Slack does; the payload builders match real payloads.

Samples in tests/payloads are adapted from Slack's reference payloads (docs.slack.dev: slash
commands, reaction_added) and bolt-python's tests/scenario_tests (block_actions,
view_submission, shortcuts), for a workspace outside Enterprise Grid.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from slack_emulator import ApiCall, ResponsePost, SlackEmulator, payloads
from tests.fake_slack import FakeSlack

SAMPLES = Path(__file__).parent / "payloads"
SECRET = "emulator-test-secret"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A started FakeSlack with two people and a channel."""
    with FakeSlack(team_id="T0001") as emulator:
        emulator.add_user("UALICE", "alice", tz="Europe/Paris", locale="fr-FR", is_admin=True)
        emulator.add_user("UBOB", "bob")
        emulator.add_channel("C0GENERAL", "general")
        yield emulator


def client_for(emulator: SlackEmulator) -> WebClient:
    """A WebClient configured the way Rolecall's is, pointed at the emulator."""
    return WebClient(
        base_url=emulator.api_url,
        token="xoxb-test",
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


# --- Web API ---------------------------------------------------------------------------------
def test_post_update_then_history_shows_updated_text(fake: FakeSlack) -> None:
    client = client_for(fake)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*first*"}}]
    posted = client.chat_postMessage(channel="C0GENERAL", text="first", blocks=blocks)
    ts = posted["ts"]
    assert posted["channel"] == "C0GENERAL"
    assert posted["message"]["blocks"] == blocks  # form-encoded JSON string decoded

    client.chat_update(channel="C0GENERAL", ts=ts, text="second")
    history = client.conversations_history(channel="C0GENERAL", latest=ts, inclusive=True, limit=1)

    [message] = history["messages"]
    assert (message["ts"], message["text"], message["bot_id"]) == (ts, "second", "BBOT")
    assert fake.messages("C0GENERAL")[0]["text"] == "second"
    assert [c.token for c in fake.calls] == ["xoxb-test"] * 3


def test_timestamps_increase_and_threads_are_replies(fake: FakeSlack) -> None:
    client = client_for(fake)
    root = fake.post_user_message("C0GENERAL", "UALICE", "who owns billing?")
    reply = client.chat_postMessage(channel="C0GENERAL", text="bob does", thread_ts=root)["ts"]
    later = client.chat_postMessage(channel="C0GENERAL", text="top level")["ts"]
    assert float(root) < float(reply) < float(later)

    thread = client.conversations_replies(channel="C0GENERAL", ts=root)["messages"]
    assert [m["text"] for m in thread] == ["who owns billing?", "bob does"]
    assert thread[0]["reply_count"] == 1
    history = client.conversations_history(channel="C0GENERAL")["messages"]
    assert [m["text"] for m in history] == ["top level", "who owns billing?"]  # newest first
    link = client.chat_getPermalink(channel="C0GENERAL", message_ts=root)["permalink"]
    assert link == f"https://emulator.slack.test/archives/C0GENERAL/p{root.replace('.', '')}"


def test_update_of_unknown_message_fails_like_slack(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as error:
        client_for(fake).chat_update(channel="C0GENERAL", ts="1.000001", text="x")
    assert error.value.response["error"] == "message_not_found"


def test_users_info_returns_locale_and_tz(fake: FakeSlack) -> None:
    client = client_for(fake)
    user = client.users_info(user="UALICE", include_locale=True)["user"]
    assert (user["locale"], user["tz"], user["is_admin"]) == ("fr-FR", "Europe/Paris", True)
    assert user["tz_offset"] in (3600, 7200)
    assert user["profile"]["display_name"] == "alice"
    assert "locale" not in client.users_info(user="UALICE")["user"]  # only when asked for

    fake.set_user("UBOB", deleted=True, display_name="Robert")
    bob = client.users_info(user="UBOB")["user"]
    assert bob["deleted"] is True
    assert bob["profile"]["display_name"] == "Robert"
    with pytest.raises(SlackApiError) as error:
        client.users_info(user="UNOBODY")
    assert error.value.response["error"] == "user_not_found"


def test_dm_and_ephemeral_messages(fake: FakeSlack) -> None:
    client = client_for(fake)
    dm = client.conversations_open(users="UBOB")["channel"]["id"]
    assert dm == "DUBOB"
    assert client.chat_postMessage(channel="UBOB", text="hi")["channel"] == dm
    client.chat_postEphemeral(channel="C0GENERAL", user="UALICE", text="only you")
    assert [m["text"] for m in fake.messages(dm)] == ["hi"]
    assert [(m["channel"], m["text"]) for m in fake.ephemeral_messages("UALICE")] == [
        ("C0GENERAL", "only you")
    ]


def test_views_are_stored(fake: FakeSlack) -> None:
    client = client_for(fake)
    modal = {
        "type": "modal",
        "callback_id": "ask",
        "title": {"type": "plain_text", "text": "Ask"},
        "blocks": [],
    }
    opened = client.views_open(trigger_id=payloads.new_trigger_id(), view=modal)["view"]
    assert opened["id"].startswith("V") and opened["hash"]
    assert fake.views[0]["callback_id"] == "ask"

    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    with pytest.raises(SlackApiError) as error:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)
    assert error.value.response["error"] == "hash_conflict"

    home = {"type": "home", "blocks": []}
    first = client.views_publish(user_id="UALICE", view=home)["view"]
    second = client.views_publish(user_id="UALICE", view=home)["view"]
    assert first["id"] == second["id"]
    assert fake.home_view("UALICE") == second


def test_reactions_and_unknown_method(fake: FakeSlack) -> None:
    client = client_for(fake)
    ts = fake.post_user_message("C0GENERAL", "UALICE", "done")
    with pytest.raises(SlackApiError) as refused:  # Rolecall's manifest does not ask for it
        client.reactions_add(channel="C0GENERAL", timestamp=ts, name="white_check_mark")
    assert refused.value.response["error"] == "missing_scope"
    assert refused.value.response["needed"] == "reactions:write"
    fake.scopes.add("reactions:write")
    client.reactions_add(channel="C0GENERAL", timestamp=ts, name="white_check_mark")
    assert fake.messages("C0GENERAL")[0]["reactions"][0]["name"] == "white_check_mark"
    with pytest.raises(SlackApiError) as error:
        client.api_call("nonexistent.method")
    assert error.value.response["error"] == "unknown_method"
    assert client.auth_test()["user_id"] == "UBOT"
    assert fake.errors == []


def test_query_args_and_token_arg_are_accepted(fake: FakeSlack) -> None:
    url = f"{fake.api_url}users.info?user=UBOB&token=xoxb-query"
    with urllib.request.urlopen(url, timeout=5) as answer:
        assert json.load(answer)["user"]["name"] == "bob"
    assert fake.calls[-1] == ApiCall(
        "users.info", {"user": "UBOB", "token": "xoxb-query"}, "xoxb-query"
    )


# --- failure injection -------------------------------------------------------------------------
def test_rate_limited_call_is_retried_after_retry_after(fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    client_for(fake).chat_postMessage(channel="C0GENERAL", text="eventually")
    assert time.monotonic() - started >= 1  # the client honoured Retry-After
    assert len(fake.calls_to("chat.postMessage")) == 2
    assert len(fake.failed_calls) == 1
    assert [m["text"] for m in fake.messages("C0GENERAL")] == ["eventually"]


def test_server_error_is_retried(fake: FakeSlack) -> None:
    fake.fail_next("users.info", status=503)
    user = client_for(fake).users_info(user="UBOB")["user"]
    assert user["id"] == "UBOB"
    assert len(fake.calls_to("users.info")) == 2


def test_server_error_without_retry_handler_surfaces(fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", status=500, times=2)
    plain = WebClient(base_url=fake.api_url, token="xoxb-test")  # no 5xx retries
    for _ in range(2):
        with pytest.raises(SlackApiError):
            plain.chat_postMessage(channel="C0GENERAL", text="never")
    assert fake.messages("C0GENERAL") == []
    plain.chat_postMessage(channel="C0GENERAL", text="now")  # the injected failures are used up
    assert len(fake.calls_to("chat.postMessage")) == 3


def test_wait_for_times_out_with_assertion_error(fake: FakeSlack) -> None:
    with pytest.raises(AssertionError):
        fake.wait_for(lambda: False, timeout=0.05)


# --- response_url and hooks --------------------------------------------------------------------
def test_response_url_posts_are_recorded() -> None:
    seen: list[ResponsePost] = []
    with SlackEmulator(on_response=seen.append) as emulator:
        body = {"response_type": "ephemeral", "text": "Saved", "replace_original": False}
        answer = WebhookClient(emulator.response_url("k")).send_dict(body)
        assert (answer.status_code, answer.body) == (200, "ok")
        assert emulator.responses == [ResponsePost("k", body)] == seen


def test_on_call_hook_sees_each_call() -> None:
    seen: list[ApiCall] = []
    with SlackEmulator(on_call=seen.append) as emulator:
        emulator.add_channel("C1", "one")
        client_for(emulator).chat_postMessage(channel="C1", text="hello")
    assert [(c.method, c.args["text"], c.token) for c in seen] == [
        ("chat.postMessage", "hello", "xoxb-test")
    ]


# --- inbound payload builders ------------------------------------------------------------------
def _decode(body: str) -> dict[str, Any]:
    """A request body as the dict Bolt sees: JSON, form fields, or the JSON in `payload`."""
    if body.startswith("{"):
        return dict(json.loads(body))
    form = dict(parse_qsl(body, keep_blank_values=True))
    return dict(json.loads(form["payload"])) if "payload" in form else dict(form)


MESSAGE = {"type": "message", "user": "UALICE", "ts": "1700000000.000100", "text": "hi"}
USER: dict[str, Any] = {"team_id": "T0001", "user_id": "UALICE", "user_name": "alice"}
# Each builder, keyed by the real sample it must match, given a response_url.
BUILDERS: dict[str, Callable[[str], str]] = {
    "slash_command.json": lambda url: payloads.slash_command(
        **USER, command="/owner", text="billing", response_url=url
    ),
    "block_actions.json": lambda url: payloads.block_actions(
        **USER,
        action_id="claim",
        value="42",
        response_url=url,
        channel_id="C0GENERAL",
        message=MESSAGE,
    ),
    "view_submission.json": lambda url: payloads.view_submission(
        **USER,
        callback_id="ask",
        values={"q": {"text": {"type": "plain_text_input", "value": "why?"}}},
    ),
    "message_action.json": lambda url: payloads.message_shortcut(
        **USER, callback_id="route", channel_id="C0GENERAL", message=MESSAGE, response_url=url
    ),
    "reaction_added_event.json": lambda url: payloads.event_callback(
        team_id="T0001",
        event=payloads.reaction_added(
            user_id="UBOB",
            reaction="eyes",
            channel_id="C0GENERAL",
            message_ts=MESSAGE["ts"],
            item_user="UALICE",
        ),
    ),
}
# Nested objects the builders make (not `message`, which the caller passes in).
NESTED = ("user", "team", "container", "channel", "view", "event")


@pytest.mark.parametrize("sample_name", sorted(BUILDERS))
def test_builder_has_the_keys_of_the_real_payload(sample_name: str) -> None:
    sample = json.loads((SAMPLES / sample_name).read_text())
    built = _decode(BUILDERS[sample_name]("http://127.0.0.1:9/respond/k"))
    assert set(sample) <= set(built)
    for key in NESTED:
        if isinstance(sample.get(key), dict):
            assert set(sample[key]) <= set(built[key]), key
    for key in ("actions", "authorizations"):
        if key in sample:
            assert set(sample[key][0]) <= set(built[key][0]), key


def test_trigger_ids_are_fresh() -> None:
    build = BUILDERS["message_action.json"]
    assert len({_decode(build("http://x/respond/k"))["trigger_id"] for _ in range(3)}) == 3


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("token=t&command=%2Fowner&text=billing", "application/x-www-form-urlencoded"),
        ('{"type": "event_callback"}', "application/json"),
    ],
)
def test_signature_headers_verify(body: str, content_type: str) -> None:
    headers = payloads.signature_headers(body, SECRET)
    verifier = SignatureVerifier(SECRET)
    ts, signature = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    assert verifier.is_valid(body, ts, signature)
    assert headers["Content-Type"] == content_type
    assert not SignatureVerifier("other-secret").is_valid(body, ts, signature)
    old = payloads.signature_headers(body, SECRET, timestamp=int(time.time()) - 3600)
    assert not verifier.is_valid(body, old["X-Slack-Request-Timestamp"], old["X-Slack-Signature"])


def test_bolt_routes_every_built_request(fake: FakeSlack) -> None:
    app = App(client=client_for(fake), signing_secret=SECRET, process_before_response=True)
    handled: list[str] = []

    @app.command("/owner")
    def on_command(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        ack()
        respond(f"owner of {command['text']}")
        handled.append("command")

    @app.action("claim")
    def on_action(ack: Any, action: dict[str, Any]) -> None:
        ack()
        handled.append(f"action:{action['value']}")

    @app.view("ask")
    def on_view(ack: Any, view: dict[str, Any]) -> None:
        ack()
        handled.append(f"view:{view['state']['values']['q']['text']['value']}")

    @app.shortcut("route")
    def on_shortcut(ack: Any, shortcut: dict[str, Any]) -> None:
        ack()
        handled.append(f"shortcut:{shortcut['message']['text']}")

    @app.event("reaction_added")
    def on_reaction(event: dict[str, Any]) -> None:
        handled.append(f"reaction:{event['reaction']}")

    bodies = [BUILDERS[name](fake.response_url(name)) for name in sorted(BUILDERS)]
    for body in bodies:
        headers: dict[str, str | Sequence[str]] = {**payloads.signature_headers(body, SECRET)}
        response = app.dispatch(BoltRequest(body=body, headers=headers))
        assert response.status == 200, (body, response.body)

    # sorted(BUILDERS): block_actions, message_action, reaction_added, slash_command, view
    assert handled == ["action:42", "shortcut:hi", "reaction:eyes", "command", "view:why?"]
    assert fake.responses == [ResponsePost("slash_command.json", {"text": "owner of billing"})]
