"""The tests' fake Slack Web API: the emulator plus failure injection and waiting helpers."""

from __future__ import annotations

import json
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any
from urllib.parse import parse_qsl

from domain.delivery import Limit, TokenBucket
from handlers.delivery import Timer
from slack_emulator import ApiCall, RawReply, Rejection, SlackEmulator
from slack_emulator.scheduled import post_due, scheduled_messages


class FakeSlack(SlackEmulator):
    """A SlackEmulator whose methods can be told to fail (429 or 5xx) for the next N calls.

    Content Slack refuses (blocks over Block Kit's limits, text too long, a malformed view) is
    a bug in the app wherever it is sent, so `stop()` fails the test when any was refused
    that the test did not collect with `take_rejections()`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._failures: dict[str, list[tuple[int, int | None]]] = {}
        self._refusals: dict[str, list[tuple[str, str | None]]] = {}
        self._failed_calls: list[ApiCall] = []
        # Delivery tests: faults after the call was handled, 429 periods and rate limits.
        self.clock: Callable[[], float] = time.monotonic  # a test may give its own
        self._after: dict[str, list[_After]] = {}
        self._random: dict[str, _RandomFaults] = {}
        self._periods: dict[str, tuple[float, int | None]] = {}
        self._rates: dict[str, _Rate] = {}
        self._holds: dict[str, _Hold] = {}
        self._rolls = threading.local()  # a random fault's roll, from before to after handling

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

    def refuse_next(
        self, method: str, error: str, *, times: int = 1, channel: str | None = None
    ) -> None:
        """Answer the next `times` calls of `method` (to `channel` only, when given) as Slack
        refuses a call: HTTP 200 with {"ok": false, "error": error} (channel_not_found,
        not_in_channel, ...)."""
        with self._lock:
            self._refusals.setdefault(method, []).extend([(error, channel)] * times)

    @property
    def failed_calls(self) -> list[ApiCall]:
        """The calls answered with an injected failure (they are in `calls` too)."""
        with self._lock:
            return list(self._failed_calls)

    def scheduled_clock(self) -> float:
        """Scheduled messages' time (Unix seconds): the test's clock once it gave one (a
        FakeTime's `seconds`), else the wall clock."""
        return self.clock() if self.clock is not time.monotonic else time.time()

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Stored messages of a channel, after posting the scheduled ones now due (as Slack
        would have by then)."""
        with self._lock:
            post_due(self)
        return super().messages(channel)

    def scheduled(self, channel: str | None = None) -> list[dict[str, Any]]:
        """The messages scheduled and not yet posted (in `channel`), soonest first."""
        with self._lock:
            return scheduled_messages(self, channel)

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

    def _intercept(self, call: ApiCall) -> RawReply | None:
        with self._lock:
            refusals = self._refusals.get(call.method) or []
            target = str(call.args.get("channel") or "")
            refused = next((r for r in refusals if r[1] in (None, target)), None)
            if refused is not None:
                refusals.remove(refused)
                self._failed_calls.append(call)
                body = json.dumps({"ok": False, "error": refused[0]}).encode()
                return 200, {"Content-Type": "application/json; charset=utf-8"}, body
            queue = self._failures.get(call.method)
            if not queue:
                fault = self._random.get(call.method)
                roll = fault.roll() if fault is not None else None
                self._rolls.roll = roll
                if fault is not None and roll == "before":
                    self._failed_calls.append(call)
                    return fault.status, {"Content-Type": "text/plain"}, b"injected failure"
                return self._limited(call)
            status, retry_after = queue.pop(0)
            self._failed_calls.append(call)
        if status == 429:
            headers = {"Content-Type": "application/json; charset=utf-8"}
            if retry_after is not None:
                headers["Retry-After"] = str(retry_after)
            return status, headers, json.dumps({"ok": False, "error": "ratelimited"}).encode()
        return status, {"Content-Type": "text/plain"}, f"injected HTTP {status}".encode()

    # --- faults for the delivery tests ---------------------------------------------------------
    def fail_after_posting(self, method: str, *, status: int = 500, times: int = 1) -> None:
        """Handle the next `times` calls of `method` (the message is posted), then answer
        HTTP `status` as if Slack failed on the way out: the ambiguous failure."""
        with self._lock:
            self._after.setdefault(method, []).extend([_After(status=status)] * times)

    def delay_after_posting(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Handle the next `times` calls of `method`, then hold the answer `seconds` (longer
        than the client's timeout: it gives up not knowing the message was posted)."""
        with self._lock:
            self._after.setdefault(method, []).extend([_After(delay=seconds)] * times)

    def fail_randomly(self, method: str, rate: float, *, status: int = 500, seed: int = 0) -> None:
        """Fail a fraction `rate` of the calls of `method` with HTTP `status`, half of them
        before handling and half after (posted, but the answer says it failed)."""
        with self._lock:
            self._random[method] = _RandomFaults(rate, status, random.Random(seed))

    def rate_limit_for(
        self, method: str, seconds: float, *, retry_after: int | None = None
    ) -> None:
        """Answer every call of `method` with 429 for `seconds` on `clock`; Retry-After says
        what is left of the period (or `retry_after`)."""
        with self._lock:
            self._periods[method] = (self.clock() + seconds, retry_after)

    def enforce_rate(
        self,
        method: str,
        workspace: tuple[float, float],
        channel: tuple[float, float] | None = None,
    ) -> None:
        """Answer 429 (with Retry-After) to calls of `method` beyond (rate a second, burst)
        in the workspace and, when given, in each channel: Slack's limits, enforced."""
        with self._lock:
            self._rates[method] = _Rate(Limit(*workspace), Limit(*channel) if channel else None)

    def hold_after(self, method: str, nth: int) -> threading.Event:
        """Handle the `nth` call of `method` from now, then never answer it; the event is
        set once it was handled (a test kills the caller there: posted, not recorded)."""
        hold = _Hold(nth)
        with self._lock:
            self._holds[method] = hold
        return hold.reached

    @property
    def rate_limited(self) -> int:
        """How many calls the 429 periods and enforced rates refused."""
        with self._lock:
            return sum(rate.refused for rate in self._rates.values()) + self._period_refusals

    _period_refusals = 0

    def _limited(self, call: ApiCall) -> RawReply | None:
        """A 429 when a period or an enforced rate says so (lock held)."""
        now = self.clock()
        period = self._periods.get(call.method)
        if period is not None and now < period[0]:
            self._period_refusals += 1
            wait = period[1] if period[1] is not None else math.ceil(period[0] - now)
            return _ratelimited(wait)
        rate = self._rates.get(call.method)
        if rate is None:
            return None
        target = str(call.args.get("channel") or "")
        needed = rate.take(now, target)
        return _ratelimited(max(1, math.ceil(needed))) if needed > 0 else None

    def _serve_api(self, method: str, query: str, body: bytes, headers: Message) -> RawReply:
        self._rolls.roll = None
        reply = super()._serve_api(method, query, body, headers)
        if reply[0] != 200 or b'"ok": true' not in reply[2]:
            return reply
        with self._lock:
            queued = self._after.get(method)
            after = queued.pop(0) if queued else None
            fault = self._random.get(method)
            if after is None and fault is not None and self._rolls.roll == "after":
                after = _After(status=fault.status)
            hold = self._holds.get(method)
            held = hold is not None and hold.count()
        if held:
            assert hold is not None
            hold.reached.set()
            time.sleep(3600)  # never answered: the caller is killed meanwhile
        if after is None:
            return reply
        if after.delay:
            time.sleep(after.delay)
            return reply
        return after.status, {"Content-Type": "text/plain"}, b"injected failure after posting"


def _ratelimited(wait: int) -> RawReply:
    headers = {"Content-Type": "application/json; charset=utf-8", "Retry-After": str(wait)}
    return 429, headers, json.dumps({"ok": False, "error": "ratelimited"}).encode()


@dataclass(frozen=True)
class _After:
    status: int = 500
    delay: float = 0.0


@dataclass
class _RandomFaults:
    rate: float
    status: int
    rng: random.Random

    def roll(self) -> str | None:
        if self.rng.random() >= self.rate:
            return None
        return "before" if self.rng.random() < 0.5 else "after"


@dataclass
class _Rate:
    workspace: Limit
    channel: Limit | None
    buckets: dict[str, TokenBucket] = field(default_factory=dict)
    refused: int = 0

    def take(self, now: float, target: str) -> float:
        """0 and a token spent, or the seconds until one is there."""
        picked = [self.buckets.setdefault("*", TokenBucket(self.workspace))]
        if self.channel is not None:
            picked.append(self.buckets.setdefault(target, TokenBucket(self.channel)))
        wait = max(bucket.wait(now) for bucket in picked)
        if wait > 0:
            self.refused += 1
            return wait
        for bucket in picked:
            bucket.take(now)
        return 0.0


@dataclass
class _Hold:
    nth: int
    seen: int = 0
    reached: threading.Event = field(default_factory=threading.Event)

    def count(self) -> bool:
        self.seen += 1
        return self.seen == self.nth


class FakeTime(Timer):
    """The dispatcher's time in tests: it stands still, and a sleep moves it at once (a 30 s
    Retry-After costs no real time). Give `seconds` to FakeSlack.clock so both agree."""

    def __init__(self, start: datetime = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)) -> None:
        super().__init__()
        self._at = start
        self._moving = threading.Lock()
        self.slept = 0.0

    def now(self) -> datetime:
        """The current fake instant."""
        with self._moving:
            return self._at

    def seconds(self) -> float:
        """The current fake instant as seconds (FakeSlack.clock)."""
        return self.now().timestamp()

    def sleep(self, seconds: float, wake: threading.Event) -> None:
        """Move time forward by `seconds` instead of waiting."""
        if seconds > 0:
            step = timedelta(microseconds=math.ceil(seconds * 1_000_000))  # always moves
            with self._moving:
                self._at += step
                self.slept += step.total_seconds()
