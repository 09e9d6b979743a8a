"""The emulator refuses what Slack refuses, with Slack's errors: one test per rule.

Block Kit's limits (docs.slack.dev/reference/block-kit), channel membership and scopes
(chat.postMessage, conversations.*), trigger IDs (views.open: 3 s, once), response_url
semantics (5 posts in 30 minutes; replace ignored after a slash command,
slackapi/bolt-python#1268; delete alone), and slash-command text encoding.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import yaml
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_emulator import payloads
from slack_emulator.blocks import check_message, check_view
from slack_emulator.state import BOT_SCOPES
from slack_emulator.triggers import LIFETIME, issued_at
from tests.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A FakeSlack with a public, a private, an archived and an outside channel."""
    with FakeSlack(team_id="T0001") as emulator:
        emulator.add_user("UALICE", "alice")
        emulator.add_channel("C0GENERAL", "general")
        emulator.add_channel("C0SECRET", "secret", private=True, member=False)
        emulator.add_channel("C0OLD", "old", archived=True)
        emulator.add_channel("C0OUTSIDE", "outside", member=False)
        yield emulator


def client_for(fake: FakeSlack) -> WebClient:
    """A WebClient pointed at the fake."""
    return WebClient(base_url=fake.api_url, token="xoxb-test")


def refusal(call: Any) -> dict[str, Any]:
    """Slack's answer to a call that fails."""
    with pytest.raises(SlackApiError) as error:
        call()
    return dict(error.value.response.data)


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(text: str) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": "a"}


# --- Block Kit -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("blocks", "pointer"),
    [
        ([section("x")] * 51, "no more than 50 items allowed [json-pointer:/blocks]"),
        ([section("x" * 3001)], "less than 3001 characters [json-pointer:/blocks/0/text/text]"),
        ([section("")], "more than 0 characters [json-pointer:/blocks/0/text/text]"),
        (
            [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            "less than 151 characters [json-pointer:/blocks/0/text/text]",
        ),
        (
            [{"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}}],
            "must be one of plain_text [json-pointer:/blocks/0/text/type]",
        ),
        (
            [{"type": "actions", "elements": [button("b" * 76)]}],
            "less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]",
        ),
        (
            [{"type": "actions", "elements": [button("b")] * 26}],
            "no more than 25 items allowed [json-pointer:/blocks/0]",
        ),
        (
            [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
            "no more than 10 items allowed [json-pointer:/blocks/0]",
        ),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
            "no more than 10 items allowed [json-pointer:/blocks/0/fields]",
        ),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
            "less than 2001 characters [json-pointer:/blocks/0/fields/0/text]",
        ),
        ([{"type": "sparkles"}], "unsupported type: sparkles [json-pointer:/blocks/0/type]"),
    ],
)
def test_blocks_over_the_limits_are_invalid_blocks(
    fake: FakeSlack, blocks: list[Any], pointer: str
) -> None:
    client = client_for(fake)
    answer = refusal(lambda: client.chat_postMessage(channel="C0GENERAL", text="t", blocks=blocks))
    assert answer["error"] == "invalid_blocks"
    assert any(pointer in line for line in answer["errors"]), answer
    assert answer["response_metadata"]["messages"][0].startswith("[ERROR] ")
    assert fake.messages("C0GENERAL") == []
    assert [r.error for r in fake.take_rejections()] == ["invalid_blocks"]


@pytest.mark.filterwarnings(
    "ignore:The top-level `text` argument is missing"
)  # no_text, on purpose
def test_fifty_blocks_are_fine_and_all_their_text_has_a_limit(fake: FakeSlack) -> None:
    client = client_for(fake)
    client.chat_postMessage(channel="C0GENERAL", text="fifty", blocks=[section("x")] * 50)
    big = [section("y" * 2900)] * 5  # each within 3 000, 14 500 in all
    answer = refusal(lambda: client.chat_postMessage(channel="C0GENERAL", text="b", blocks=big))
    assert answer["error"] == "msg_blocks_too_long"
    assert refusal(lambda: client.chat_postMessage(channel="C0GENERAL"))["error"] == "no_text"
    long_text = "z" * 40_001
    too_long = refusal(lambda: client.chat_postMessage(channel="C0GENERAL", text=long_text))
    assert too_long["error"] == "msg_too_long"
    assert [r.error for r in fake.take_rejections()] == [
        "msg_blocks_too_long",
        "no_text",
        "msg_too_long",
    ]
    assert len(fake.messages("C0GENERAL")) == 1


def test_chat_update_is_held_to_the_same_limits(fake: FakeSlack) -> None:
    client = client_for(fake)
    ts = client.chat_postMessage(channel="C0GENERAL", text="card")["ts"]
    answer = refusal(
        lambda: client.chat_update(channel="C0GENERAL", ts=ts, text="x", blocks=[section("x")] * 51)
    )
    assert answer["error"] == "invalid_blocks"
    assert fake.messages("C0GENERAL")[0]["text"] == "card"
    fake.take_rejections()


def _modal(**changes: Any) -> dict[str, Any]:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "File"},
        "submit": {"type": "plain_text", "text": "Go"},
        "blocks": [section("x")],
    }
    return view | changes


@pytest.mark.parametrize(
    ("view", "pointer"),
    [
        (_modal(blocks=[section("x")] * 101), "no more than 100 items allowed"),
        (_modal(title={"type": "plain_text", "text": "t" * 25}), "/view/title/text"),
        (_modal(private_metadata="m" * 3001), "/view/private_metadata"),
        (
            _modal(
                submit=None,
                blocks=[
                    {
                        "type": "input",
                        "label": {"type": "plain_text", "text": "Summary"},
                        "element": {"type": "plain_text_input", "action_id": "v"},
                    }
                ],
            ),
            "submit is required",
        ),
    ],
)
def test_views_over_the_limits_are_invalid_arguments(
    fake: FakeSlack, view: dict[str, Any], pointer: str
) -> None:
    trigger = payloads.new_trigger_id()
    answer = refusal(lambda: client_for(fake).views_open(trigger_id=trigger, view=view))
    assert answer["error"] == "invalid_arguments"
    assert any(pointer in line for line in answer["response_metadata"]["messages"]), answer
    assert fake.views == []
    fake.take_rejections()
    client_for(fake).views_open(trigger_id=trigger, view=_modal())  # not used up by the refusal


def test_a_home_tab_holds_100_blocks_and_no_view_passes_250kb(fake: FakeSlack) -> None:
    client = client_for(fake)
    home = {"type": "home", "blocks": [section("x")] * 100}
    client.views_publish(user_id="UALICE", view=home)
    huge = {"type": "home", "blocks": [section("x" * 2900)] * 99}
    answer = refusal(lambda: client.views_publish(user_id="UALICE", view=huge))
    assert answer["error"] == "view_too_large"
    assert check_view({"type": "home", "blocks": [section("x")] * 101}) is not None
    assert check_message({"text": "fine"}) is None
    fake.take_rejections()


# --- channels and scopes ---------------------------------------------------------------------
def test_where_the_bot_may_post(fake: FakeSlack) -> None:
    client = client_for(fake)

    def post(channel: str) -> Any:
        return lambda: client.chat_postMessage(channel=channel, text="card")

    assert refusal(post("C0SECRET"))["error"] == "not_in_channel"
    assert refusal(post("C0NOWHERE"))["error"] == "channel_not_found"
    assert refusal(post("C0OLD"))["error"] == "is_archived"
    client.chat_postMessage(channel="C0OUTSIDE", text="card")  # public: chat:write.public
    fake.scopes.discard("chat:write.public")
    assert refusal(post("C0OUTSIDE"))["error"] == "not_in_channel"
    fake.set_channel("C0SECRET", member=True)  # /invite @Rolecall
    client.chat_postMessage(channel="C0SECRET", text="card")
    assert [m["text"] for m in fake.messages("C0SECRET")] == ["card"]
    assert fake.take_rejections() == []  # where to post is not the content's fault


def test_what_the_bot_can_see_of_channels(fake: FakeSlack) -> None:
    client = client_for(fake)
    hidden = refusal(lambda: client.conversations_info(channel="C0SECRET"))
    assert hidden["error"] == "channel_not_found"  # a private channel, seen from outside
    outside = client.conversations_info(channel="C0OUTSIDE")["channel"]
    assert (outside["is_member"], outside["is_private"]) == (False, False)
    archived = client.conversations_info(channel="C0OLD")["channel"]
    assert archived["is_archived"] is True
    history = refusal(lambda: client.conversations_history(channel="C0OUTSIDE"))
    assert history["error"] == "not_in_channel"
    fake.set_channel("C0SECRET", member=True)
    assert client.conversations_info(channel="C0SECRET")["channel"]["is_private"] is True


def test_a_missing_scope_says_what_is_needed(fake: FakeSlack) -> None:
    fake.scopes.discard("users:read")
    answer = refusal(lambda: client_for(fake).users_info(user="UALICE"))
    assert answer["error"] == "missing_scope" and answer["needed"] == "users:read"
    assert "chat:write" in answer["provided"].split(",")


def test_the_emulator_has_the_scopes_the_manifest_asks_for() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == BOT_SCOPES


# --- trigger IDs -----------------------------------------------------------------------------
def test_a_trigger_id_opens_one_view(fake: FakeSlack) -> None:
    client = client_for(fake)
    trigger = payloads.new_trigger_id()
    client.views_open(trigger_id=trigger, view=_modal())
    again = refusal(lambda: client.views_open(trigger_id=trigger, view=_modal()))
    assert again["error"] == "exchanged_trigger_id"
    pushed = refusal(lambda: client.views_push(trigger_id=trigger, view=_modal()))
    assert pushed["error"] == "exchanged_trigger_id"


def test_a_trigger_id_expires(fake: FakeSlack) -> None:
    client = client_for(fake)
    stale, fresh = payloads.new_trigger_id(), payloads.new_trigger_id()
    fake.expire_triggers(stale)  # as 3 s would
    assert refusal(lambda: client.views_open(trigger_id=stale, view=_modal()))["error"] == (
        "expired_trigger_id"
    )
    client.views_open(trigger_id=fresh, view=_modal())
    later = payloads.new_trigger_id()
    fake.expire_triggers()  # every trigger issued so far
    assert refusal(lambda: client.views_open(trigger_id=later, view=_modal()))["error"] == (
        "expired_trigger_id"
    )


def test_a_trigger_id_slack_did_not_issue_is_invalid(fake: FakeSlack) -> None:
    client = client_for(fake)
    for made_up in ("1.2.abc", "13345224609.738474920.8088930838d88f008e0", "x"):
        answer = refusal(lambda t=made_up: client.views_open(trigger_id=t, view=_modal()))
        assert answer["error"] == "invalid_trigger_id"


def test_trigger_ids_carry_their_issue_time_in_real_seconds() -> None:
    import time

    before = time.monotonic()
    issued = issued_at(payloads.new_trigger_id())
    assert issued is not None and before - 0.002 <= issued <= time.monotonic()
    assert LIFETIME == 3.0


# --- response_url ----------------------------------------------------------------------------
def respond(url: str, body: dict[str, Any]) -> tuple[int, str]:
    """POST a JSON body to a response_url; (status, body text)."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_commands_answer_is_never_replaced(fake: FakeSlack) -> None:
    url = fake.response_url("c", kind="command", channel="C0GENERAL", user="UALICE")
    assert respond(url, {"text": "Searching…"}) == (200, "ok")
    assert respond(url, {"text": "Found 3", "replace_original": True}) == (200, "ok")
    first, second = fake.responses
    assert first.effect == second.effect == "ephemeral"  # two messages
    assert second.ignored == ("replace_original",)
    assert [m["text"] for m in fake.ephemeral_messages("UALICE")] == ["Searching…", "Found 3"]


def test_a_clicked_message_is_replaced_or_deleted(fake: FakeSlack) -> None:
    client = client_for(fake)
    ts = client.chat_postMessage(channel="C0GENERAL", text="old")["ts"]
    url = fake.response_url("m", kind="message", channel="C0GENERAL", message_ts=ts)
    respond(url, {"text": "new", "replace_original": True})
    assert [m["text"] for m in fake.messages("C0GENERAL")] == ["new"]
    respond(url, {"delete_original": True, "response_type": "in_channel", "text": "shared"})
    assert fake.messages("C0GENERAL") == []  # deleted, and the rest ignored
    deleted = fake.responses[-1]
    assert deleted.effect == "deleted" and deleted.ignored == ("text", "response_type")


def test_in_channel_posts_a_message_for_everyone(fake: FakeSlack) -> None:
    url = fake.response_url("e", kind="ephemeral", channel="C0SECRET", user="UALICE")
    respond(url, {"response_type": "in_channel", "text": "shared by alice"})
    (message,) = fake.messages("C0SECRET")  # the bot needs no membership for this
    assert message["text"] == "shared by alice" and message["bot_id"] == "BBOT"
    assert fake.responses[0].ts == message["ts"]


def test_a_response_url_takes_five_posts_within_thirty_minutes(fake: FakeSlack) -> None:
    url = fake.response_url("five", kind="command", channel="C0GENERAL", user="UALICE")
    for n in range(5):
        assert respond(url, {"text": f"post {n}"}) == (200, "ok")
    assert respond(url, {"text": "one too many"}) == (404, "used_url")
    late = fake.response_url("late", kind="command", channel="C0GENERAL", user="UALICE")
    fake.expire_response_url("late")  # as 30 minutes would
    assert respond(late, {"text": "too late"}) == (404, "expired_url")
    assert respond(f"{fake.base_url}/respond/never-issued", {"text": "x"})[0] == 404
    assert len(fake.ephemeral_messages("UALICE")) == 5


def test_a_response_url_refuses_invalid_blocks(fake: FakeSlack) -> None:
    url = fake.response_url("b", kind="command", channel="C0GENERAL", user="UALICE")
    assert respond(url, {"text": "x", "blocks": [section("x")] * 51}) == (400, "invalid_blocks")
    assert fake.responses[0].effect == "refused"
    assert [r.where for r in fake.take_rejections()] == ["a response_url"]
    assert fake.ephemeral_messages() == []


# --- acks and inbound payloads ---------------------------------------------------------------
def test_an_ack_over_the_limits_is_refused(fake: FakeSlack) -> None:
    body = payloads.slash_command(
        team_id="T0001",
        user_id="UALICE",
        user_name="alice",
        command="/owner",
        text="x",
        response_url=fake.response_url("a"),
    )
    ack = {"response_type": "ephemeral", "text": "x", "blocks": [section("x")] * 51}
    fake.check_request_ack(body, json.dumps(ack).encode())
    (rejected,) = fake.take_rejections()
    assert (rejected.where, rejected.error) == ("ack of a command", "invalid_blocks")


def test_stop_fails_on_refused_content_nobody_looked_at() -> None:
    fake = FakeSlack().start()
    fake.add_channel("C1", "one")
    with pytest.raises(SlackApiError):
        client_for(fake).chat_postMessage(channel="C1", text="t", blocks=[section("")])
    with pytest.raises(AssertionError, match="invalid_blocks"):
        fake.stop()


def test_command_text_arrives_encoded_as_slack_sends_it() -> None:
    body = payloads.slash_command(
        team_id="T0001",
        user_id="UALICE",
        user_name="alice",
        command="/issue",
        text="customer: A&B <Corp>; ask <@UBOB|bob> in <#C1|general> <!here>",
        response_url="http://127.0.0.1:9/respond/k",
    )
    text = dict(parse_qsl(body))["text"]
    assert text == ("customer: A&amp;B &lt;Corp&gt;; ask <@UBOB|bob> in <#C1|general> <!here>")
