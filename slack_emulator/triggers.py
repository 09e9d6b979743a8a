"""Trigger IDs as Slack hands them out: each one opens one view, within 3 seconds of the click.

A trigger ID minted here carries the monotonic instant it was issued, with a checksum, in
Slack's own shape ("<digits>.<digits>.<hex>"), so any emulator in the process (or another on
the machine) can tell its age without a registry. Expiry is real time, not the shell's
fake clock: Slack counts seconds since the click, whatever the app's clock says.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time

LIFETIME = 3.0  # seconds a trigger ID can be exchanged after it was issued
_SALT = b"rolecall-emulator-trigger"


def _checksum(stamp: str, nonce: str) -> str:
    return hashlib.sha256(_SALT + f"{stamp}.{nonce}".encode()).hexdigest()[:32]


def mint_trigger_id() -> str:
    """A fresh trigger ID stamped with now (milliseconds of the monotonic clock)."""
    stamp = str(time.monotonic_ns() // 1_000_000)
    nonce = str(secrets.randbelow(10**12))
    return f"{stamp}.{nonce}.{_checksum(stamp, nonce)}"


def issued_at(trigger_id: str) -> float | None:
    """The monotonic second a minted trigger ID was issued; None for anything else."""
    stamp, _, rest = str(trigger_id).partition(".")
    nonce, _, check = rest.partition(".")
    if not (stamp.isdigit() and nonce.isdigit()) or check != _checksum(stamp, nonce):
        return None
    return int(stamp) / 1000


class TriggerBook:
    """Which trigger IDs were exchanged, and which tests declared expired."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._used: set[str] = set()
        self._expired: set[str] = set()
        self._expired_before = 0.0

    def expire(self, trigger_id: str | None = None) -> None:
        """Expire one trigger ID, or (None) every one issued until now."""
        with self._lock:
            if trigger_id is None:
                self._expired_before = time.monotonic()
            else:
                self._expired.add(trigger_id)

    def exchange(self, trigger_id: str) -> str | None:
        """Use a trigger ID once; Slack's error when it cannot be (None when it can)."""
        issued = issued_at(trigger_id)
        if issued is None:
            return "invalid_trigger_id"
        with self._lock:
            if trigger_id in self._used:
                return "exchanged_trigger_id"
            stale = trigger_id in self._expired or issued <= self._expired_before
            if stale or time.monotonic() - issued > LIFETIME:
                return "expired_trigger_id"
            self._used.add(trigger_id)
        return None
