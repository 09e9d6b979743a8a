"""The Web API clients: every call goes to ROLECALL_SLACK_API_URL.

Two of them, because the two kinds of work must not wait on each other:
- `make_client`: the app's (Bolt's) client for interactive work — views.open with a
  trigger_id (dead after 3 s), response_url answers, App Home publishes, lookups. It never
  sleeps through a long Retry-After: a thread asleep for 30 s is a thread the next modal
  waits for.
- `make_delivery_client`: the dispatcher's (handlers.delivery). No retries at all: the
  dispatcher paces, retries with backoff and looks for copies itself.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.settings import Settings

# The longest Retry-After the app's client sleeps through; a longer one fails the call.
SHORT_RETRY_AFTER = 2


class ShortRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Retry a 429 only when Slack asks for a short wait (Retry-After ≤ `longest` seconds)."""

    def __init__(self, max_retry_count: int = 1, longest: int = SHORT_RETRY_AFTER) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.longest = longest

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        for name, values in response.headers.items():
            if name.lower() == "retry-after":
                try:
                    return int(values[0]) <= self.longest
                except (ValueError, IndexError):
                    return False
        return True  # no Retry-After: the handler waits about a second


def make_client(settings: Settings, *, token: str | None = None) -> WebClient:
    """The app's client: retries connections that failed and 429s that ask for at most
    SHORT_RETRY_AFTER seconds; a longer 429 fails the call at once.

    5xx answers are not retried: Slack may have posted the message before failing, and a
    retry would post a second card or DM (the outbox's dispatcher handles those)."""
    return WebClient(
        token=token or settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            ShortRateLimitRetryHandler(max_retry_count=3),
        ],
    )


def make_delivery_client(
    settings: Settings, *, token: str | None = None, timeout: float = 10
) -> WebClient:
    """The dispatcher's client: one try per call, so every retry is the dispatcher's own
    (paced, backed off, checked for an earlier copy)."""
    return WebClient(
        token=token or settings.slack_bot_token,
        base_url=settings.slack_api_url,
        # urlopen takes fractions of a second; slack_sdk's annotation says int.
        timeout=timeout,  # type: ignore[arg-type]
        retry_handlers=[],
    )
