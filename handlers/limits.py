"""Block Kit's limits, and cutting content to fit them: never mid-markup, always saying what
was left out ("…and 12 more").

Slack refuses a message of more than 50 blocks (a modal or Home tab: 100), a section text of
more than 3 000 characters, and a message whose blocks hold more than about 12 000 characters
of text in all (`msg_blocks_too_long`); builders stay inside these with room to spare.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from handlers.mrkdwn import escape

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
FIELD_TEXT = 2000
BLOCKS_TEXT = 10_000  # all the text of one message's blocks (Slack: about 12 000)


def cut_markup(text: str, limit: int) -> str:
    """At most `limit` characters, with "…" when cut, never inside a `<…>` token or an
    `&…;` entity (a cut one would show as raw markup)."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    opened = cut.rfind("<")
    if opened > cut.rfind(">"):
        cut = cut[:opened]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def escaped_cut(text: str, limit: int) -> str:
    """User text escaped for mrkdwn, then at most `limit` characters (escaping lengthens it:
    `&` becomes `&amp;`), cut between characters of the original."""
    shown = escape(text)
    if len(shown) <= limit:
        return shown
    kept = text[:limit]
    while kept and len(escape(kept)) + 1 > limit:
        kept = kept[: len(kept) - max(len(escape(kept)) + 1 - limit, 1)]
    return escape(kept) + "…"


def fit_joined(
    items: Sequence[str], limit: int, more: Callable[[int], str], sep: str = "\n"
) -> str:
    """As many `items` joined by `sep` as fit in `limit` characters; when some are left out,
    `more(count)` says how many, in the room kept for it."""
    items = [cut_markup(item, limit) for item in items]
    kept, used = 0, 0
    for item in items:
        cost = len(item) + (len(sep) if kept else 0)
        if used + cost > limit:
            break
        used, kept = used + cost, kept + 1
    while kept < len(items):
        body = sep.join(items[:kept])
        tail = more(len(items) - kept)
        if kept == 0:
            return cut_markup(tail, limit)
        if len(body) + len(sep) + len(tail) <= limit:
            return f"{body}{sep}{tail}"
        kept -= 1
    return sep.join(items)
