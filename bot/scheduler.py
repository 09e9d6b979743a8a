"""Scheduling as data: APScheduler only wakes us; what is due is computed from the store.

`run_due(now)` runs every due-work function of the handlers for that instant. Each delivery
inside is claimed under a unique key, so ticks, restarts and replicas never double-send.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from handlers import DUE_WORK
from handlers.deps import Deps
from handlers.errors import report_job_error

log = logging.getLogger(__name__)
DueWork = Callable[[Deps, WebClient, datetime], int]


def run_due(deps: Deps, client: WebClient, now: datetime) -> dict[str, int]:
    """Run whatever is due at `now`; returns how many deliveries each job made."""
    done: dict[str, int] = {}
    for job in DUE_WORK:
        try:
            done[job.__name__] = job(deps, client, now)
        except Exception as error:
            report_job_error(error, job.__name__)
            done[job.__name__] = 0
    return done


def start_scheduler(
    deps: Deps, client: WebClient, *, every_seconds: int = 60
) -> BackgroundScheduler:
    """Wake up every minute (and at start) to run what is due."""
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        lambda: run_due(deps, client, deps.now()),
        "interval",
        seconds=every_seconds,
        id="run_due",
        max_instances=1,
        coalesce=True,
        next_run_time=deps.now(),
    )
    scheduler.start()
    return scheduler
