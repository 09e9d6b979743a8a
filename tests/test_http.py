"""The HTTP surface: signature checks, health, routing, and Web API retries."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from slack_emulator import payloads
from storage.profiles import get_profile
from tests.harness import Harness


def _get(app: Harness, path: str) -> tuple[int, dict[str, object]]:
    url = app.url.replace("/slack/events", path)
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _help_body(app: Harness) -> str:
    _, url = app.new_response_url()
    return payloads.slash_command(
        team_id="T0001",
        user_id="UADMIN",
        user_name="admin",
        command="/rolecall",
        text="help",
        response_url=url,
    )


def test_healthz_reports_the_database(app: Harness) -> None:
    assert _get(app, "/healthz") == (200, {"ok": True, "database": "up"})


def test_unknown_path_is_404(app: Harness) -> None:
    status, body = _get(app, "/nope")
    assert status == 404 and body == {"error": "not_found"}


def test_signed_request_is_answered(app: Harness) -> None:
    reply = app.post(_help_body(app), payloads.FORM_CONTENT_TYPE)
    assert reply.status == 200 and "Rolecall" in reply.text


def test_tampered_body_is_refused(app: Harness) -> None:
    body = _help_body(app)
    headers = payloads.signature_headers(body, "test-signing-secret")
    tampered = body.replace("help", "config")
    before = app.slack.calls  # auth.test, at start-up
    reply = app.post(tampered, payloads.FORM_CONTENT_TYPE, headers=headers, sign=False)
    assert reply.status == 401
    assert app.slack.calls == before


def test_wrong_secret_is_refused(app: Harness) -> None:
    body = _help_body(app)
    headers = payloads.signature_headers(body, "not-the-secret")
    reply = app.post(body, payloads.FORM_CONTENT_TYPE, headers=headers, sign=False)
    assert reply.status == 401


def test_stale_timestamp_is_refused(app: Harness) -> None:
    reply = app.post(
        _help_body(app), payloads.FORM_CONTENT_TYPE, timestamp=int(time.time()) - 6 * 60
    )
    assert reply.status == 401


def test_unsigned_request_is_refused(app: Harness) -> None:
    reply = app.post(_help_body(app), payloads.FORM_CONTENT_TYPE, sign=False)
    assert reply.status == 401


def test_url_verification_challenge(app: Harness) -> None:
    body = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"})
    reply = app.post(body, payloads.JSON_CONTENT_TYPE)
    assert reply.status == 200 and reply.json == {"challenge": "c-123"}


def test_rate_limited_web_api_call_is_retried_after_retry_after(app: Harness) -> None:
    app.slack.fail_next("users.info", status=429, retry_after=1)
    app.command("/rolecall", "help", user="UCAROL")  # first contact: profile fetched after ack
    assert len(app.slack.calls_to("users.info")) == 2  # the 429, then the retry
    assert len(app.slack.failed_calls) == 1
    with app.db.begin() as session:
        profile = get_profile(session, "T0001", "UCAROL")
        assert profile is not None and profile.locale == "zh-CN"


def test_server_error_from_web_api_is_not_retried(app: Harness) -> None:
    # A 5xx may come after Slack acted (a posted message): retrying could post twice.
    app.slack.fail_next("users.info", status=503, retry_after=None)
    reply = app.command("/rolecall", "help", user="UBOB")
    assert reply.status == 200 and "Rolecall" in reply.text
    assert len(app.slack.calls_to("users.info")) == 1
    with app.db.begin() as session:
        assert get_profile(session, "T0001", "UBOB") is None


def test_admin_check_never_waits_on_a_rate_limit(app: Harness) -> None:
    # Someone never seen runs an admin command while Slack rate-limits users.info: the ack
    # asks once, without sleeping on Retry-After, and says to try again; nothing changes.
    app.slack.fail_next("users.info", status=429, retry_after=2, times=2)
    reply = app.command("/role", "assign <@UALICE|alice> pm", settle=False)
    assert reply.status == 200
    assert "could not check with Slack" in reply.text
    app.settle()  # the background refresh retries after Retry-After and caches the profile
    with app.db.begin() as session:
        assert get_profile(session, "T0001", "UADMIN") is not None
    again = app.command("/role", "assign <@UALICE|alice> pm")
    assert "now holds" in again.text
