"""The tests' fake Slack Web API: the emulator plus failure injection and waiting helpers."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from bot.slack_emulator import ApiCall, RawReply, Rejection, SlackEmulator


class FakeSlack(SlackEmulator):
    """A SlackEmulator whose methods can be told to fail (429 or 5xx) for the next N calls.

    Content Slack refuses (blocks over Block Kit's limits, text too long, a malformed view) is
    a bug in the app wherever it is sent, so `stop()` fails the test when any was refused
    that the test did not collect with `take_rejections()`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._failures: dict[str, list[tuple[int, int | None]]] = {}
        self._refusals: dict[str, list[str]] = {}
        self._failed_calls: list[ApiCall] = []

    def fail_next(
        self, method: str, *, status: int = 429, retry_after: int | None = 1, times: int = 1
    ) -> None:
        """Answer the next `times` calls of `method` with HTTP `status` instead of handling them.

        429 carries Slack's {"ok": false, "error": "ratelimited"} body and, when `retry_after`
        is given, a Retry-After header; any other status gets a plain-text body, as a proxy
        in front of Slack would send. Failures queue up behind earlier ones for the same method.
        """
        with self._lock:
            self._failures.setdefault(method, []).extend([(status, retry_after)] * times)

    def refuse_next(self, method: str, error: str, *, times: int = 1) -> None:
        """Answer the next `times` calls of `method` as Slack refuses a call: HTTP 200 with
        {"ok": false, "error": error} (channel_not_found, not_in_channel, ...)."""
        with self._lock:
            self._refusals.setdefault(method, []).extend([error] * times)

    @property
    def failed_calls(self) -> list[ApiCall]:
        """The calls answered with an injected failure (they are in `calls` too)."""
        with self._lock:
            return list(self._failed_calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        """Every attempt at `method`, failed ones included, in order."""
        return [call for call in self.calls if call.method == method]

    def take_rejections(self) -> list[Rejection]:
        """The content refusals so far (forgotten once taken, so `stop()` does not fail)."""
        with self._lock:
            taken, self.rejections = self.rejections, []
        return taken

    def check_request_ack(self, request_body: str, answer: bytes) -> None:
        """Check the app's answer to a request the way Slack would: a slash command's ack is
        a message, a view submission's `update`/`push` a view."""
        if not answer.strip() or request_body.lstrip().startswith("{"):
            return  # no body, or an Events API delivery (its ack is never shown)
        try:
            form = dict(parse_qsl(request_body, keep_blank_values=True))
            payload = json.loads(form["payload"]) if "payload" in form else {}
        except ValueError:
            return  # a malformed request: the app's refusal of it is not a message
        try:
            reply = json.loads(answer)
        except ValueError:
            reply = {"text": answer.decode("utf-8", "replace")}  # a plain-text ack
        kind = "command" if "command" in form else ""
        if isinstance(payload, dict) and "payload" in form:
            kind = str(payload.get("type", ""))
        if kind in ("command", "view_submission") and isinstance(reply, dict):
            self.check_ack(kind, reply)

    def stop(self) -> None:
        """Stop serving; AssertionError if Slack refused content the test did not take."""
        super().stop()
        refused = self.take_rejections()
        if refused:
            raise AssertionError(f"Slack refused what the app sent: {refused}")

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Poll `predicate` until it holds; AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                raise AssertionError(f"condition not met within {timeout}s")
            time.sleep(0.01)

    def _intercept(self, call: ApiCall) -> RawReply | None:
        with self._lock:
            refusals = self._refusals.get(call.method)
            if refusals:
                self._failed_calls.append(call)
                body = json.dumps({"ok": False, "error": refusals.pop(0)}).encode()
                return 200, {"Content-Type": "application/json; charset=utf-8"}, body
            queue = self._failures.get(call.method)
            if not queue:
                return None
            status, retry_after = queue.pop(0)
            self._failed_calls.append(call)
        if status == 429:
            headers = {"Content-Type": "application/json; charset=utf-8"}
            if retry_after is not None:
                headers["Retry-After"] = str(retry_after)
            return status, headers, json.dumps({"ok": False, "error": "ratelimited"}).encode()
        return status, {"Content-Type": "text/plain"}, f"injected HTTP {status}".encode()
