"""The executor for work after the ack (Bolt's lazy listeners and our own follow-ups)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class Background(ThreadPoolExecutor):
    """A thread pool that can wait until everything submitted so far has finished.

    `settle()` is how the shell prints a command's follow-ups before the next prompt, and how
    tests wait for lazy listeners without sleeping.
    """

    def __init__(self, max_workers: int = 8) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="rolecall-bg")
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until no submitted work is pending (work submitted meanwhile included)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                return
            for future in pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("background work did not finish in time")
                # A failed job was reported by its own boundary; here we only wait.
                with contextlib.suppress(Exception):
                    future.result(timeout=remaining)
