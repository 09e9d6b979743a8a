"""The Web API client: every call goes to ROLECALL_SLACK_API_URL, with retries."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.settings import Settings


def make_client(settings: Settings, *, token: str | None = None) -> WebClient:
    """A WebClient on the configured base URL that retries 429s (after Retry-After) and
    connections that failed.

    5xx answers are not retried: Slack may have posted the message before failing, and a
    retry would post a second card or DM."""
    return WebClient(
        token=token or settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )
