"""Block Kit for the support queue: the ticket card, lists, history and the three modals.

Every piece of ticket text goes through `escape` and is cut to Block Kit's limits here (the
escaped length counts: `&` is sent as `&amp;`), so text of any length is stored whole and
never rejected by Slack; a long history shows its latest entries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.config import SEVERITIES
from domain.tickets import CATEGORIES, is_open, summary_of
from handlers.durations import age
from handlers.limits import SECTION_TEXT, escaped_cut
from handlers.mrkdwn import truncate, user
from handlers.replies import actions, button, context_block, section
from i18n import joined, t
from storage.models import Ticket, TicketEvent

ACTION_TAKE = "issue_take"
ACTION_ANALYZE = "issue_analyze"
ACTION_ESCALATE = "issue_escalate"
ACTION_RESOLVE = "issue_resolve"
ACTION_CLOSE = "issue_close"
ACTION_REOPEN = "issue_reopen"
CARD_ACTIONS = (
    ACTION_TAKE,
    ACTION_ANALYZE,
    ACTION_ESCALATE,
    ACTION_RESOLVE,
    ACTION_CLOSE,
    ACTION_REOPEN,
)
FILE_VIEW = "issue_file"
RESOLVE_VIEW = "issue_resolve_modal"
ESCALATE_VIEW = "issue_escalate_modal"
SHORTCUT = "log_customer_issue"
VALUE = "value"  # the action_id of every modal input; the block_id names the field
FILE_FIELDS = ("summary", "customer", "severity", "category", "description")
RESOLVE_FIELDS = ("root_cause", "solution")
ESCALATE_FIELDS = ("impact", "steps", "tried")
SEVERITY_OPTIONS = ("low", "normal", "high", "urgent")
TEXT_LIMIT = 3000  # plain_text_input max_length, and a section's text
TITLE_LIMIT = 24  # a modal's title, submit and close
SUMMARY_SHOWN = 300
EXCERPT = 500


def shown(text: str | None, limit: int) -> str:
    """User text made safe for mrkdwn and, escaped, at most `limit` characters."""
    return escaped_cut(text or "", limit)


def headline(ticket: Ticket, limit: int = SUMMARY_SHOWN) -> str:
    """`#3 Export crashes`, escaped."""
    return f"#{ticket.number} {shown(ticket.summary, limit)}"


def card(ticket: Ticket, now: datetime, lang: str) -> tuple[str, list[dict[str, Any]]]:
    """The ticket card as of `now` (its age too): in the support channel in the workspace's
    language, in the reader's when shown to one person."""
    nobody = t(lang, "issue.card.nobody")
    fields = [
        ("customer", shown(ticket.customer, 300) if ticket.customer else nobody),
        ("severity", t(lang, f"issue.severity.{ticket.severity}")),
        ("category", t(lang, f"issue.category.{ticket.category}")),
        ("status", t(lang, f"issue.status.{ticket.status}")),
        ("assignee", user(ticket.assignee_id) if ticket.assignee_id else nobody),
        ("reporter", user(ticket.reporter_id)),
        ("age", age(lang, ticket.created_at, now)),
    ]
    blocks: list[dict[str, Any]] = [
        section(f"*{headline(ticket)}*"),
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*{t(lang, f'issue.card.{key}')}*\n{value}"}
                for key, value in fields
            ],
        },
    ]
    if ticket.description:
        blocks.append(section(shown(ticket.description, EXCERPT)))
    if ticket.root_cause and not is_open(ticket.status):
        blocks.append(section(resolution_text(ticket, lang, 1200)))
    blocks.append(context_block(_card_context(ticket, lang)))
    blocks.append(actions(*card_buttons(ticket, lang), block_id=f"issue_card_{ticket.number}"))
    return truncate(f"{headline(ticket, 200)} · {fields[3][1]}", TEXT_LIMIT), blocks


def _card_context(ticket: Ticket, lang: str) -> str:
    parts = [t(lang, "issue.card.filed_by", user=user(ticket.reporter_id))]
    if ticket.escalated_by:
        parts.append(_escalated(ticket, lang))
    if ticket.source_permalink:
        parts.append(f"<{ticket.source_permalink}|{t(lang, 'issue.card.source')}>")
    return " · ".join(parts)


def _escalated(ticket: Ticket, lang: str) -> str:
    """'escalated by @dan to @tess (Tech Lead)', or '… to @carol (backup: no Tech Lead is
    here)'; only who escalated for an escalation that did not record its recipients."""
    by = user(str(ticket.escalated_by))
    to = ticket.escalated_to or {}
    people = joined(lang, (user(str(u)) for u in to.get("to") or ()))
    if not people:
        return t(lang, "issue.card.escalated", user=by)
    key = "issue.card.escalated_to_backup" if to.get("backup") else "issue.card.escalated_to"
    return t(lang, key, user=by, people=people)


def card_buttons(ticket: Ticket, lang: str) -> list[dict[str, Any]]:
    """The buttons that fit the ticket's status."""
    value = str(ticket.number)
    wanted: list[tuple[str, str | None]] = []
    if is_open(ticket.status):
        if ticket.assignee_id is None:
            wanted.append((ACTION_TAKE, "primary"))
        if ticket.status == "new":
            wanted.append((ACTION_ANALYZE, None))
        wanted += [(ACTION_ESCALATE, "danger"), (ACTION_RESOLVE, "primary")]
    elif ticket.status == "resolved":
        wanted += [(ACTION_CLOSE, "primary"), (ACTION_REOPEN, None)]
    else:
        wanted.append((ACTION_REOPEN, None))
    return [button(t(lang, f"issue.button.{aid}"), aid, value, style) for aid, style in wanted]


def resolution_text(ticket: Ticket, lang: str, limit: int = 1400) -> str:
    """Root cause and solution, escaped and shortened."""
    return t(
        lang,
        "issue.resolution",
        root_cause=shown(ticket.root_cause, limit),
        solution=shown(ticket.solution, limit),
    )


def ticket_line(ticket: Ticket, lang: str, now: datetime) -> str:
    """One line of a list: number, summary, severity, status, assignee, age."""
    who = user(ticket.assignee_id) if ticket.assignee_id else t(lang, "issue.card.nobody")
    return t(
        lang,
        "issue.list.line",
        headline=headline(ticket, 120),
        severity=t(lang, f"issue.severity.{ticket.severity}"),
        status=t(lang, f"issue.status.{ticket.status}"),
        assignee=who,
        age=age(lang, ticket.created_at, now),
    )


def event_line(event: TicketEvent, lang: str) -> str:
    """One history entry: when, who, what."""
    when = event.at.strftime("%Y-%m-%d %H:%M UTC")
    what = event_what(event.action, event.detail or {}, event.actor_id, lang)
    return f"• {when} · {user(event.actor_id)} · {what}"


def event_what(action: str, detail: dict[str, Any], actor_id: str, lang: str) -> str:
    """What a change did, as the history and the card's thread say it (an escalation that
    went to the tech lead's backup names them as the backup)."""
    if action == "escalate" and detail.get("backup") and detail.get("to"):
        return t(lang, "issue.event.escalate_backup", user=user(str(detail["to"][0])))
    severity = str(detail.get("severity") or "")
    return t(
        lang,
        f"issue.event.{action}",
        user=user(str(detail.get("assignee") or actor_id)),
        severity=t(lang, f"issue.severity.{severity}") if severity in SEVERITIES else severity,
    )


def show_blocks(
    ticket: Ticket, events: list[TicketEvent], lang: str, now: datetime
) -> tuple[str, list[dict[str, Any]]]:
    """`/issue show`: the card's facts, the whole (shortened) text and the history, in the
    viewer's language."""
    text, blocks = card(ticket, now, lang)
    blocks = [b for b in blocks if b["type"] != "actions"]
    if ticket.description and len(ticket.description) > EXCERPT:
        blocks[2] = section(shown(ticket.description, 2900))
    title = f"*{t(lang, 'issue.show.history')}*"
    history = _history([event_line(e, lang) for e in events], SECTION_TEXT - len(title) - 1, lang)
    blocks.append(section(f"{title}\n{history}"))
    return text, blocks


def _history(lines: list[str], room: int, lang: str) -> str:
    """The latest entries of the history that fit in `room` characters (the store hands over
    the latest ones), saying so when earlier ones are left out."""
    if len("\n".join(lines)) <= room:
        return "\n".join(lines)
    note = t(lang, "issue.show.earlier")
    kept: list[str] = []
    used = len(note)
    for line in reversed(lines):
        if used + 1 + len(line) > room:
            break
        kept.append(line)
        used += 1 + len(line)
    return "\n".join([note, *reversed(kept)])


def _input(
    block_id: str,
    label: str,
    *,
    multiline: bool = False,
    optional: bool = False,
    initial: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": VALUE,
        "multiline": multiline,
        "max_length": TEXT_LIMIT if multiline else 150,
    }
    if initial:
        element["initial_value"] = initial[: element["max_length"]]
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label[:2000]},
        "element": element,
    }


def _select(block_id: str, label: str, lang: str, kind: str, options: tuple[str, ...]) -> Any:
    choices = [
        {"text": {"type": "plain_text", "text": t(lang, f"issue.{kind}.{o}")[:75]}, "value": o}
        for o in options
    ]
    initial = choices[1] if kind == "severity" else choices[0]
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {
            "type": "static_select",
            "action_id": VALUE,
            "options": choices,
            "initial_option": initial,
        },
    }


def _modal(callback_id: str, lang: str, title: str, blocks: list[Any], meta: str) -> Any:
    def plain(key: str) -> dict[str, str]:
        return {"type": "plain_text", "text": t(lang, key)[:TITLE_LIMIT]}

    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title),
        "submit": plain("issue.modal.submit"),
        "close": plain("issue.modal.cancel"),
        "private_metadata": meta[:3000],
        "blocks": blocks,
    }


def file_modal(lang: str, meta: str, text: str = "", permalink: str | None = None) -> Any:
    """The filing modal; from a message shortcut it is prefilled with the message."""
    blocks: list[Any] = []
    if permalink:
        blocks.append(context_block(t(lang, "issue.modal.from_message", link=permalink)))
    blocks += [
        _input("summary", t(lang, "issue.modal.summary"), initial=summary_of(text)),
        _input("customer", t(lang, "issue.modal.customer"), optional=True),
        _select("severity", t(lang, "issue.modal.severity"), lang, "severity", SEVERITY_OPTIONS),
        _select("category", t(lang, "issue.modal.category"), lang, "category", CATEGORIES),
        _input(
            "description",
            t(lang, "issue.modal.description"),
            multiline=True,
            optional=True,
            initial=text,
        ),
    ]
    return _modal(FILE_VIEW, lang, "issue.modal.file_title", blocks, meta)


def resolve_modal(lang: str, ticket: Ticket) -> Any:
    """Root cause and solution, both required."""
    blocks = [
        section(f"*{headline(ticket)}*"),
        _input("root_cause", t(lang, "issue.modal.root_cause"), multiline=True),
        _input("solution", t(lang, "issue.modal.solution"), multiline=True),
    ]
    return _modal(RESOLVE_VIEW, lang, "issue.modal.resolve_title", blocks, str(ticket.number))


def escalate_modal(lang: str, ticket: Ticket) -> Any:
    """The escalation packet for the tech lead: impact, steps to reproduce, what was tried."""
    blocks = [
        section(f"*{headline(ticket)}*"),
        _input("impact", t(lang, "issue.modal.impact"), multiline=True),
        _input("steps", t(lang, "issue.modal.steps"), multiline=True),
        _input("tried", t(lang, "issue.modal.tried"), multiline=True, optional=True),
    ]
    return _modal(ESCALATE_VIEW, lang, "issue.modal.escalate_title", blocks, str(ticket.number))


def done_view(lang: str, text: str) -> Any:
    """What a submitted filing modal turns into: the ticket number."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": t(lang, "issue.modal.file_title")[:TITLE_LIMIT]},
        "close": {"type": "plain_text", "text": t(lang, "issue.modal.done")[:TITLE_LIMIT]},
        "blocks": [section(text)],
    }


def submitted(view: dict[str, Any], block_id: str) -> str:
    """The text or option a modal field was submitted with ('' when empty)."""
    value = view.get("state", {}).get("values", {}).get(block_id, {}).get(VALUE, {})
    option = value.get("selected_option") or {}
    return str(option.get("value") or value.get("value") or "")
