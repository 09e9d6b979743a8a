"""The dispatcher: sends what the outbox holds, paced to Slack's limits, retried, never twice.

`start()` runs it beside the server: woken after every commit that enqueued something, and
polling for rows other processes left (retries that came due, a dead replica's claims).
`drain()` is the one-shot form (`rolecall tick`, tests): send what is due, return when
that is sent or has failed for good.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from domain.delivery import (
    ADOPT_ONLY,
    CREATES_MESSAGE,
    DM,
    MAX_ATTEMPTS,
    POST,
    SCHEDULE,
    SENT,
    UNSCHEDULE,
    UPDATE,
    Verdict,
    api_method,
    backoff,
    metadata,
    sending_method,
)
from handlers.delivery.pacer import Pacer
from handlers.delivery.send import Outcome, call, find_posted, find_scheduled, find_thread
from storage import deliveries
from storage.db import Database
from storage.models import OutboxDelivery

log = logging.getLogger(__name__)
# chat.scheduleMessage refusals after which the DM is posted directly at its time instead.
UNSCHEDULABLE = frozenset({"time_in_past", "restricted_too_many", "time_too_far"})


@dataclass(frozen=True)
class Outgoing:
    """What a delivery sends: its method, target and Web API arguments."""

    method: str
    channel: str
    args: dict[str, Any]


# A kind's hooks, all run in a transaction of their own (render) or in the one that
# records the outcome (on_sent, on_failed), so what they write commits with it.
Render = Callable[[Session, OutboxDelivery, Outgoing, datetime], Outgoing | None]
OnSent = Callable[[Session, OutboxDelivery], None]
OnFailed = Callable[[Session, OutboxDelivery, str], bool]


@dataclass(frozen=True)
class Kind:
    """How one kind of delivery is rendered at send time and what its outcome changes.

    `render` returns what to send with the store's latest state (None: nothing left to
    say, the delivery is skipped). `on_sent` records where the message went (a card's ts on
    its ticket). `on_failed` sees a permanent failure; returning True means it fixed the
    cause (a card that is gone is posted afresh) and the delivery is tried again at once.
    """

    render: Render | None = None
    on_sent: OnSent | None = None
    on_failed: OnFailed | None = None


PLAIN = Kind()


class Timer:
    """The dispatcher's time: `now()` for the store and the pacer, `sleep()` to wait (cut
    short by a wake-up). Tests give one whose sleep moves time instead of waiting."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self._now = now or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        """The current instant (aware UTC)."""
        return self._now()

    def sleep(self, seconds: float, wake: threading.Event) -> None:
        """Wait `seconds`, or until `wake` is set."""
        wake.wait(max(seconds, 0.0))


class Dispatcher:
    """Claims due deliveries, sends each on a worker thread, records what happened.

    Claims hold a lease: a dispatcher that dies mid-send loses its rows to the next one
    when the lease runs out, and those rows are checked for a copy before being re-posted.
    """

    def __init__(
        self,
        db: Database,
        client: WebClient,
        *,
        kinds: dict[str, Kind] | None = None,
        pacer: Pacer | None = None,
        timer: Timer | None = None,
        workers: int = 4,
        lease: timedelta = timedelta(seconds=60),
        poll: float = 2.0,
        batch: int = 200,
        name: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.db, self.client = db, client
        self.kinds = dict(kinds or {})
        self.pacer = pacer or Pacer()
        self.timer = timer or Timer()
        self.workers, self.lease, self.poll, self.batch = workers, lease, poll, batch
        self.name = name or f"dispatcher-{uuid.uuid4().hex[:12]}"
        self.rng = rng or random.Random()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rolecall-send")
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._in_flight = 0
        self.sent = 0  # deliveries this dispatcher sent (or adopted), for summaries
        self._logged: set[tuple[str, str, str]] = set()
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None

    # --- running ---------------------------------------------------------------------------
    def register(self, name: str, kind: Kind) -> None:
        """Teach the dispatcher a kind of delivery (how to render it, what its outcome does)."""
        self.kinds[name] = kind

    def start(self) -> Dispatcher:
        """Send from a background thread until `stop()`, woken after each enqueuing commit."""
        self.recover()
        self._unsubscribe = deliveries.on_commit(self.db.engine, self.wake)
        self._thread = threading.Thread(target=self._run, name="rolecall-delivery", daemon=True)
        self._thread.start()
        return self

    def recover(self) -> int:
        """SQLite: take back claims a killed process left (one process owns the file).
        PostgreSQL replicas wait for the dead one's leases to run out instead."""
        if self.db.engine.dialect.name != "sqlite":
            return 0
        with self.db.begin() as session:
            return deliveries.recover_orphans(session)

    def wake(self) -> None:
        """Look for due deliveries now (called after a commit that enqueued some)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming, let what is in flight finish, and release the workers."""
        self._stopping.set()
        self._wake.set()
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._thread is not None:
            self._thread.join(timeout)
        self._pool.shutdown(wait=True)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                claimed, wait = self._pass()
            except Exception:
                log.exception("the delivery dispatcher failed a pass; trying again")
                claimed, wait = 0, self.poll
            if not claimed:
                self.timer.sleep(min(max(wait, 0.001), self.poll), self._wake)

    def drain(self, *, deadline: float = 60.0) -> int:
        """Send until nothing is due before `deadline` seconds from now and nothing is in
        flight; returns how many deliveries are still waiting (0: everything went)."""
        end = self.timer.now() + timedelta(seconds=deadline)
        real_end = time.monotonic() + max(deadline, 1.0) * 2  # a timer that never moves
        while True:
            self._wake.clear()
            claimed, wait = self._pass()
            if claimed:
                continue
            if self._busy():
                self._wake.wait(0.05)  # a worker's outcome, in real time
                continue
            now = self.timer.now()
            with self.db.begin() as session:
                waiting = deliveries.open_count(session)
                due_at = deliveries.next_due(session)
            if waiting == 0 or now >= end or time.monotonic() >= real_end:
                return waiting
            if due_at is not None and due_at > now:  # due rows the pacer held keep its wait
                wait = min(wait, (due_at - now).total_seconds())
            if due_at is not None and due_at > end and wait >= self.poll:
                return waiting  # only later work is left (a retry or a scheduled prompt)
            wait = max(wait, 0.001)  # a float's last bit of wait must not spin the loop
            self.timer.sleep(min(wait, self.poll, (end - now).total_seconds()), self._wake)

    def _busy(self) -> bool:
        with self._lock:
            return self._in_flight > 0

    def _pass(self) -> tuple[int, float]:
        """Claim what is due and the pacer lets go, up to the free workers; returns how many
        were claimed and the seconds until the pacer could let another go."""
        with self._lock:
            capacity = self.workers - self._in_flight
        if capacity <= 0:
            return 0, self.poll
        now = self.timer.now()
        moment = now.timestamp()
        waits: list[float] = []
        taken: list[OutboxDelivery] = []

        def accept(row: OutboxDelivery) -> bool:
            if len(taken) >= capacity:
                return False
            method = sending_method(row.method, row.payload or {}, moment)
            if row.method == SCHEDULE and method == DM:
                early = float(row.payload["post_at"]) - moment
                if early > 0:  # too near to schedule: posted directly at its time
                    waits.append(early)
                    return False
            wait = self.pacer.reserve(row.team_id, api_method(method), row.channel, moment)
            if wait > 0:
                waits.append(wait)
                return False
            taken.append(row)
            return True

        with self.db.begin() as session:
            claimed = deliveries.claim_due(
                session,
                now,
                claimer=self.name,
                lease_until=now + self.lease,
                limit=self.batch,
                accept=accept,
            )
        for item in claimed:
            with self._lock:
                self._in_flight += 1
            self._pool.submit(self._work, item)
        return len(claimed), min(waits, default=self.poll)

    def _work(self, item: deliveries.Claimed) -> None:
        try:
            self._deliver(item)
        except Exception:
            # Its lease runs out and a later pass tries it again (checked for a copy first).
            log.exception("delivery %s failed unexpectedly", item.row.key)
        finally:
            with self._lock:
                self._in_flight -= 1
            self._wake.set()

    # --- one delivery ----------------------------------------------------------------------
    def _deliver(self, item: deliveries.Claimed) -> None:
        row = item.row
        kind = self.kinds.get(row.kind, PLAIN)
        planned = Outgoing(row.method, row.channel, dict(row.payload or {}))
        if row.method == UNSCHEDULE:
            self._unschedule(item, kind, planned)
            return
        if row.anchor:
            anchor = item.anchor
            if anchor is None or anchor.state != SENT or not anchor.result_ts:
                state = "missing" if anchor is None else anchor.state
                self._permanent(row, kind, f"anchor_{state}: {row.anchor}")
                return
            planned = _anchored(planned, anchor)
        outgoing: Outgoing | None = planned
        if kind.render is not None:
            with self.db.begin() as session:
                outgoing = kind.render(session, row, planned, self.timer.now())
        if outgoing is None:
            with self.db.begin() as session:
                deliveries.record_skipped(session, row.id, self.name, "nothing to send")
            return
        looked = False  # for an earlier copy, already
        if outgoing.method == SCHEDULE:
            outgoing = self._schedule(row, kind, outgoing)
            if outgoing.method == SCHEDULE:
                return
            looked = row.uncertain
        thread = outgoing.args.pop("find_thread", None)
        if thread and "thread_ts" not in outgoing.args:
            outgoing = self._in_thread(row, outgoing, thread)
        creates = outgoing.method in CREATES_MESSAGE
        if row.uncertain and creates and not looked and self._adopted(row, kind, outgoing):
            return
        args = {**outgoing.args, "channel": outgoing.channel}
        if creates:
            args["metadata"] = metadata(row.key)
        outcome, _ = call(self.client, api_method(outgoing.method), args)
        self._record(row, kind, outgoing, outcome)

    # --- scheduled messages ------------------------------------------------------------------
    def _schedule(self, row: OutboxDelivery, kind: Kind, outgoing: Outgoing) -> Outgoing:
        """Schedule a DM in Slack for its `post_at`, or hand it back as a plain DM to post
        now (its time is near or past). Returned as SCHEDULE: settled here."""
        args = dict(outgoing.args)
        post_at, direct = int(args.pop("post_at")), args.pop("direct", False)
        adopt_only = args.pop(ADOPT_ONLY, False)
        now = self.timer.now()
        if row.uncertain and self._adopted_scheduled(row, kind, outgoing, post_at, args):
            return outgoing
        if adopt_only:
            with self.db.begin() as session:
                deliveries.record_skipped(session, row.id, self.name, "withdrawn, not scheduled")
            return outgoing
        if direct or sending_method(SCHEDULE, {"post_at": post_at}, now.timestamp()) == DM:
            return Outgoing(DM, outgoing.channel, args)
        call_args = {**args, "channel": outgoing.channel, "post_at": post_at}
        outcome, _ = call(self.client, SCHEDULE, call_args)
        if outcome.reason in UNSCHEDULABLE:
            # time_in_past: Slack's clock says its time has come; the others: Slack will not
            # hold it (too many in that channel's 5 minutes, too far). Posted at its time.
            at = max(now, datetime.fromtimestamp(post_at, UTC))
            with self.db.begin() as session:
                deliveries.mark_direct(session, row.id, self.name, at)
            return outgoing
        self._record(row, kind, outgoing, outcome)
        return outgoing

    def _adopted_scheduled(
        self,
        row: OutboxDelivery,
        kind: Kind,
        outgoing: Outgoing,
        post_at: int,
        args: dict[str, Any],
    ) -> bool:
        """An earlier try may have scheduled (or posted) this DM: look before trying again.
        True when the delivery is settled (the copy adopted, or put back to wait)."""
        now = self.timer.now()
        for lookup in (
            "conversations.open",
            "chat.scheduledMessages.list",
            "conversations.history",
        ):
            wait = self.pacer.reserve(row.team_id, lookup, outgoing.channel, now.timestamp())
            if wait > 0:
                self._again(row, now + timedelta(seconds=wait), None, attempt=False)
                return True
        looked, found = find_scheduled(self.client, outgoing.channel, post_at, args)
        if found is not None:
            log.info("delivery %s was scheduled before its answer was lost; adopted", row.key)
            channel, ts, scheduled_id = found
            self._record(
                row, kind, outgoing, Outcome(channel=channel, ts=ts, scheduled_id=scheduled_id)
            )
            return True
        if looked.ok:
            return False
        if looked.verdict is Verdict.RATE_LIMITED:
            self._again(row, now + timedelta(seconds=looked.retry_after), None, attempt=False)
            return True
        self._retry_or_fail(row, kind, looked, uncertain=False)
        return True

    def _unschedule(self, item: deliveries.Claimed, kind: Kind, planned: Outgoing) -> None:
        """Delete the message a scheduling delivery (the anchor) scheduled. Nothing to do
        when it never was (dropped, failed, posted directly) or has posted since
        (`invalid_scheduled_message_id`): the person saw the prompt and their command's
        answer says what changed; the stale Answer button says so when clicked."""
        row, anchor = item.row, item.anchor
        scheduled_id = planned.args.get("scheduled_message_id")
        channel = planned.channel
        if anchor is not None:
            scheduled_id = (
                (anchor.payload or {}).get("scheduled_message_id") if anchor.state == SENT else None
            )
            channel = anchor.result_channel or channel
        if not scheduled_id or not channel:
            with self.db.begin() as session:
                deliveries.record_skipped(session, row.id, self.name, "nothing scheduled")
            return
        args = {"channel": channel, "scheduled_message_id": scheduled_id}
        outcome, _ = call(self.client, UNSCHEDULE, args)
        if outcome.reason == "invalid_scheduled_message_id":
            with self.db.begin() as session:
                deliveries.record_skipped(session, row.id, self.name, "posted before the cancel")
            return
        self._record(row, kind, Outgoing(UNSCHEDULE, channel, args), outcome)

    def _in_thread(
        self, row: OutboxDelivery, outgoing: Outgoing, thread: dict[str, Any]
    ) -> Outgoing:
        """A reply in the thread of a scheduled message, found by its block when the budget
        of conversations.history lets the look go now; else top-level (never later). The
        first try's choice is kept in the row for its retries: a retry going elsewhere would
        look for the first try's copy in the wrong place, and post a second one."""
        channel = str(thread.get("channel") or "")
        if "ts" not in thread:
            now = self.timer.now().timestamp()
            ts = None
            if channel and not self.pacer.reserve(
                row.team_id, "conversations.history", channel, now
            ):
                ts = find_thread(self.client, channel, str(thread["block_id"]))
            thread = {**thread, "ts": ts}
            with self.db.begin() as session:
                deliveries.remember(session, row.id, self.name, {"find_thread": thread})
        if thread["ts"] is None:
            return outgoing
        args = {**outgoing.args, "thread_ts": str(thread["ts"])}
        return replace(outgoing, channel=channel, args=args)

    def _adopted(self, row: OutboxDelivery, kind: Kind, outgoing: Outgoing) -> bool:
        """An earlier try may have posted this: look for its copy first. True when the
        delivery is settled (the copy adopted as sent, or put back to wait)."""
        thread_ts = outgoing.args.get("thread_ts")
        lookup = "conversations.replies" if thread_ts else "conversations.history"
        now = self.timer.now()
        wait = self.pacer.reserve(row.team_id, lookup, outgoing.channel, now.timestamp())
        if wait > 0:
            self._again(row, now + timedelta(seconds=wait), None, attempt=False)
            return True
        looked, found = find_posted(
            self.client, row.key, outgoing.method, outgoing.channel, thread_ts
        )
        if found is not None:
            log.info("delivery %s was posted before its answer was lost; adopted", row.key)
            self._record(row, kind, outgoing, Outcome(channel=found[0], ts=found[1]))
            return True
        if looked.ok:
            return False
        if looked.verdict is Verdict.RATE_LIMITED:
            self.pacer.pause(row.team_id, lookup, now.timestamp() + looked.retry_after)
            self._again(row, now + timedelta(seconds=looked.retry_after), None, attempt=False)
            return True
        if looked.verdict is Verdict.PERMANENT:
            # We may not read this channel (chat:write.public without membership): post
            # again rather than lose the message — the residual risk of a second copy.
            self._log_once(row, f"cannot check for an earlier copy ({looked.reason})")
            return False
        self._retry_or_fail(row, kind, looked, uncertain=False)
        return True

    def _record(
        self, row: OutboxDelivery, kind: Kind, outgoing: Outgoing, outcome: Outcome
    ) -> None:
        now = self.timer.now()
        if outcome.ok:
            with self.db.begin() as session:
                held = deliveries.record_sent(
                    session,
                    row.id,
                    self.name,
                    now,
                    channel=outcome.channel,
                    ts=outcome.ts,
                    scheduled_id=outcome.scheduled_id,
                )
                if held is None:
                    log.warning("delivery %s was sent after its claim was lost", row.key)
                elif kind.on_sent is not None:
                    kind.on_sent(session, held)
            with self._lock:
                self.sent += 1
            return
        if outcome.verdict is Verdict.RATE_LIMITED:
            method = api_method(outgoing.method)
            self.pacer.pause(row.team_id, method, now.timestamp() + outcome.retry_after)
            self._again(row, now + timedelta(seconds=outcome.retry_after), outcome.reason)
            return
        if outcome.verdict is Verdict.PERMANENT:
            self._permanent(row, kind, outcome.reason)
            return
        ambiguous = outcome.verdict is Verdict.AMBIGUOUS and outgoing.method in CREATES_MESSAGE
        self._retry_or_fail(row, kind, outcome, uncertain=ambiguous)

    def _retry_or_fail(
        self, row: OutboxDelivery, kind: Kind, outcome: Outcome, *, uncertain: bool
    ) -> None:
        tries = row.attempts + 1
        if tries >= MAX_ATTEMPTS:
            self._permanent(row, kind, f"gave up after {tries} tries: {outcome.reason}")
            return
        at = self.timer.now() + timedelta(seconds=backoff(tries, self.rng))
        with self.db.begin() as session:
            deliveries.record_retry(
                session, row.id, self.name, at, outcome.reason, attempt=True, uncertain=uncertain
            )

    def _again(
        self, row: OutboxDelivery, at: datetime, reason: str | None, *, attempt: bool = False
    ) -> None:
        with self.db.begin() as session:
            deliveries.record_retry(session, row.id, self.name, at, reason, attempt=attempt)

    def _permanent(self, row: OutboxDelivery, kind: Kind, reason: str) -> None:
        with self.db.begin() as session:
            held = deliveries.held(session, row.id, self.name)
            if held is None:
                return
            if kind.on_failed is not None and kind.on_failed(session, held, reason):
                now = self.timer.now()
                deliveries.record_retry(session, row.id, self.name, now, reason, attempt=True)
                return
            deliveries.record_failed(session, row.id, self.name, reason)
        self._log_once(row, f"failed for good: {reason}")

    def _log_once(self, row: OutboxDelivery, what: str) -> None:
        """Log a cause the first time it is met (per workspace, method and reason), not for
        each of the thousand DMs it fails."""
        cause = (row.team_id, row.method, what)
        with self._lock:
            if cause in self._logged:
                return
            self._logged.add(cause)
        log.warning(
            "delivery %s (%s %s to %s) %s; later deliveries with the same cause are not logged",
            row.key,
            row.kind,
            row.method,
            row.channel,
            what,
        )


def _anchored(outgoing: Outgoing, anchor: OutboxDelivery) -> Outgoing:
    """An update of the anchor's message, or a reply in its thread."""
    channel = anchor.result_channel or outgoing.channel
    if outgoing.method == UPDATE:
        return replace(outgoing, channel=channel, args={**outgoing.args, "ts": anchor.result_ts})
    if outgoing.method == POST:
        return replace(
            outgoing, channel=channel, args={**outgoing.args, "thread_ts": anchor.result_ts}
        )
    return outgoing
