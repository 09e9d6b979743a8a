"""Delivery: the outbox's dispatcher (claims, sends, records), its pacing and its kinds.

Call sites enqueue in their own transaction (`services.deliveries`); the dispatcher sends.
"""

from __future__ import annotations

from handlers.delivery.dispatcher import PLAIN, Dispatcher, Kind, Outgoing, Timer
from handlers.delivery.pacer import Pacer

__all__ = ["PLAIN", "Dispatcher", "Kind", "Outgoing", "Pacer", "Timer"]
