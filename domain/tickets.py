"""Support-queue rules: statuses and transitions, filing and resolution text, targets, causes.

Pure: no Slack, no sessions. Refusals are `Conflict` errors whose key says why.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.config import SEVERITIES
from domain.errors import Conflict, Phrase, UsageError
from domain.parsing import check_text, plain

USAGE = "issue.usage"
STATUSES = ("new", "analyzing", "resolved", "closed")
OPEN_STATUSES = ("new", "analyzing")
DEFAULT_SEVERITY = "normal"
CATEGORIES = ("bug", "question", "feedback", "feature-request")
DEFAULT_CATEGORY = "bug"
FEEDBACK_CATEGORIES = ("feedback", "feature-request")
LIST_FILTERS = ("open", "mine", "all", "urgent", "feedback")
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
SUMMARY_LIMIT = 150
# The most each piece of ticket text may hold. A summary is a line (the form allows 150, a
# command more); a description holds a whole Slack message (Slack's limit is 40 000); the
# form's long fields allow 3 000.
TEXT_LIMITS: dict[str, int] = {
    "summary": 300,
    "customer": 150,
    "description": 40_000,
    "root_cause": 3000,
    "solution": 3000,
    "note": 3000,
    "impact": 3000,
    "steps": 3000,
    "tried": 3000,
}

# action → {status it may start from: status it leads to}; a missing status is refused.
TRANSITIONS: dict[str, dict[str, str]] = {
    "analyze": {"new": "analyzing"},
    "resolve": {"new": "resolved", "analyzing": "resolved"},
    "close": {"resolved": "closed"},
    "reopen": {"resolved": "analyzing", "closed": "analyzing"},
    "escalate": {"new": "new", "analyzing": "analyzing"},
    "assign": {"new": "new", "analyzing": "analyzing", "resolved": "resolved"},
}
# Why a refused (action, status) is refused: the message key shown to the user.
REFUSALS: dict[tuple[str, str], str] = {
    ("analyze", "analyzing"): "issue.refused.already_analyzing",
    ("resolve", "resolved"): "issue.refused.already_resolved",
    ("close", "new"): "issue.refused.close_unresolved",
    ("close", "analyzing"): "issue.refused.close_unresolved",
    ("close", "closed"): "issue.refused.already_closed",
    ("reopen", "new"): "issue.refused.still_open",
    ("reopen", "analyzing"): "issue.refused.still_open",
}


def next_status(status: str, action: str, number: int) -> str:
    """The status `action` leads to from `status`; Conflict (with the reason) when refused."""
    target = TRANSITIONS[action].get(status)
    if target is not None:
        return target
    shown = Phrase(f"issue.status.{status}")  # in the reader's words, not the stored ones
    if status in ("resolved", "closed") and (action, status) not in REFUSALS:
        # Working on a finished ticket: the way back is reopen.
        raise Conflict("issue.refused.finished", number=number, status=shown)
    raise Conflict(REFUSALS[(action, status)], number=number, status=shown)


def check_fields(**fields: str | None) -> None:
    """Refuse ticket text that is too long or holds control characters (the error names the
    field, so a form can show it beside the right input)."""
    for name, value in fields.items():
        if value:
            try:
                check_text(value, usage=USAGE, limit=TEXT_LIMITS[name])
            except UsageError as error:
                key = f"issue.too_long.{name}" if error.key == "error.too_long" else error.key
                raise UsageError(key, usage=USAGE, field=name, **error.params) from None


def is_open(status: str) -> bool:
    """Whether the ticket still needs work."""
    return status in OPEN_STATUSES


@dataclass(frozen=True)
class Filing:
    """What `/issue <text>` asks to file."""

    summary: str
    customer: str | None
    severity: str
    category: str


# The Chinese names people type (the form and the cards show them) for the same values.
SEVERITY_WORDS: dict[str, str] = {"低": "low", "普通": "normal", "高": "high", "紧急": "urgent"}
CATEGORY_WORDS: dict[str, str] = {
    "缺陷": "bug",
    "咨询": "question",
    "问题": "question",
    "反馈": "feedback",
    "功能需求": "feature-request",
    "需求": "feature-request",
    "feature request": "feature-request",
}
FILTER_WORDS: dict[str, str] = {
    "未解决": "open",
    "未完成": "open",
    "打开": "open",
    "我的": "mine",
    "全部": "all",
    "所有": "all",
    "紧急": "urgent",
    "反馈": "feedback",
}
STATUS_WORDS: dict[str, str] = {
    "analysing": "analyzing",
    "analyze": "analyzing",
    "analyse": "analyzing",
    "分析": "analyzing",
    "分析中": "analyzing",
    "close": "closed",
    "关闭": "closed",
    "已关闭": "closed",
    "resolve": "resolved",
    "解决": "resolved",
    "已解决": "resolved",
}
LIST_WORDS = frozenset(LIST_FILTERS) | frozenset(FILTER_WORDS)


def list_filter(word: str) -> str:
    """A list filter in either language (`全部` → all); unknown words are returned as typed."""
    word = word.strip().lower()
    return FILTER_WORDS.get(word, word)


def status_word(word: str) -> str:
    """A status in either language (`分析中` → analyzing); unknown words as typed."""
    word = word.strip().lower()
    return STATUS_WORDS.get(word, word)


_TAG = re.compile(r"^\[([^\]]*)\]\s*")
_CUSTOMER_ONLY = re.compile(r"^(?:customer|客户)\s*[:：]", re.IGNORECASE)
_CUSTOMER = re.compile(r"^(?:customer|客户)\s*[:：]\s*([^;；]*)[;；]\s*", re.IGNORECASE)


def parse_filing(text: str) -> Filing:
    """`[urgent] [feedback] customer: ACME; export crashes` → a Filing (summary required)."""
    rest = text.strip()
    severity, category, customer = DEFAULT_SEVERITY, DEFAULT_CATEGORY, None
    while True:
        if tag := _TAG.match(rest):
            word = tag.group(1).strip().lower()
            word = SEVERITY_WORDS.get(word, CATEGORY_WORDS.get(word, word))
            if word in SEVERITIES:
                severity = word
            elif word in CATEGORIES:
                category = word
            else:
                raise UsageError("issue.bad_tag", usage=USAGE, text=tag.group(0).strip())
            rest = rest[tag.end() :]
        elif named := _CUSTOMER.match(rest):
            customer = named.group(1).strip() or None
            rest = rest[named.end() :]
        elif _CUSTOMER_ONLY.match(rest):
            # `customer: ACME` and no `;`: which part is the customer is a guess; ask.
            raise UsageError("issue.customer.need_semicolon", usage=USAGE)
        else:
            break
    if not rest.strip():
        raise UsageError("issue.no_summary", usage=USAGE)
    return Filing(summary=rest.strip(), customer=customer, severity=severity, category=category)


def parse_number(token: str) -> int:
    """A ticket number written `12` or `#12`."""
    digits = token.strip().removeprefix("#")
    if not digits.isdigit() or not 0 < int(digits) < 2**31:
        raise UsageError("issue.bad_number", usage=USAGE, text=token or "?")
    return int(digits)


_LABELS = re.compile(
    r"(?P<root>root[\s_-]*cause|根本原因|根因)\s*[:：]|(?P<solution>solution|解决方案)\s*[:：]",
    re.IGNORECASE,
)


def parse_resolution(text: str) -> tuple[str, str]:
    """`root cause: …; solution: …` (or 根本原因：…；解决方案：…) → (root cause, solution)."""
    found = list(_LABELS.finditer(text))
    parts: dict[str, str] = {}
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        label = "root" if match.group("root") else "solution"
        parts[label] = text[match.end() : end].strip().rstrip(";；").strip()
    if not parts.get("root") or not parts.get("solution"):
        raise UsageError("issue.resolve.both_required", usage=USAGE)
    return parts["root"], parts["solution"]


def parse_severity(word: str) -> str:
    """A severity name (any case, either language)."""
    word = SEVERITY_WORDS.get(word.strip(), word)
    if word.lower() not in SEVERITIES:
        raise UsageError("issue.bad_severity", usage=USAGE, text=word)
    return word.lower()


def parse_category(word: str) -> str:
    """A category name (any case, either language)."""
    word = CATEGORY_WORDS.get(word.strip().lower(), word)
    if word.lower() not in CATEGORIES:
        raise UsageError("issue.bad_category", usage=USAGE, text=word)
    return word.lower()


def summary_of(text: str) -> str:
    """A summary for a ticket filed from a message: its first non-empty line, shortened."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= SUMMARY_LIMIT else line[: SUMMARY_LIMIT - 1] + "…"


def description_of(text: str) -> str:
    """A description for a ticket filed from a message: as written, but without control
    characters and within the limit (nobody can correct a message being filed)."""
    return plain(text, TEXT_LIMITS["description"])


def first_response_due(created_at: datetime, severity: str, targets: dict[str, int]) -> datetime:
    """When a ticket filed at `created_at` must have had a first response."""
    return created_at + timedelta(minutes=targets.get(severity, targets[DEFAULT_SEVERITY]))


def is_overdue(created_at: datetime, severity: str, targets: dict[str, int], now: datetime) -> bool:
    """Whether a ticket still `new` at `now` has missed its first-response target."""
    return now >= first_response_due(created_at, severity, targets)


_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def cause_key(text: str) -> str:
    """Root causes that differ only in case, spacing or punctuation count as one."""
    return _NOISE.sub(" ", text.casefold()).strip()


def rank_causes(causes: Iterable[str], limit: int = 10) -> list[tuple[str, int]]:
    """The most frequent root causes, most frequent first, each with its first wording."""
    counts: Counter[str] = Counter()
    wording: dict[str, str] = {}
    for cause in causes:
        key = cause_key(cause)
        if not key:
            continue
        counts[key] += 1
        wording.setdefault(key, cause.strip())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], wording[item[0]]))
    return [(wording[key], count) for key, count in ranked[:limit]]


def rank_categories(categories: Iterable[str]) -> list[tuple[str, int]]:
    """Categories by how often they occur, most frequent first."""
    return sorted(Counter(categories).items(), key=lambda item: (-item[1], item[0]))
