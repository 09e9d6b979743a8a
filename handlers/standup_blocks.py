"""Block Kit of `/standup` and `/progress`: the prompt DM, the answer modal, the digest and
its thread replies, the reminder, the blocker notice, schedule lists and reports."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from domain.schedules import PROGRESS, Schedule
from domain.standup import queue_summary
from domain.standup_questions import Field
from handlers.mrkdwn import channel as channel_ref
from handlers.mrkdwn import escape, user
from handlers.replies import actions, button, context_block, section
from handlers.routing_text import as_backup, nobody_line, why_nobody
from i18n import joined, t
from services.standup_answers import AnswerForm
from services.standup_blockers import BlockerNotice, RoutedBlocker
from services.standup_digest import DigestAnswer, DigestState
from services.standup_messages import PromptAnswered
from services.standup_reports import DayReport, HomePrompts, PersonReport
from services.standup_schedules import ScheduleView
from services.standup_tick import PromptDue, ReminderDue

ANSWER = "standup_answer"  # the prompt DM's first button (and App Home's)
ANSWER_VIEW = "standup_answer_view"  # the answer modal's callback
MAX_INPUT = 3000  # plain_text_input max_length
MAX_TEXT = 2900  # a section's text stays under Slack's 3 000 characters


def _kind(schedule: Schedule) -> str:
    return "progress" if schedule.kind == PROGRESS else "standup"


def _when(at: datetime) -> str:
    """A Slack date token: each reader sees it in their own zone."""
    stamp = int(at.timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{at:%Y-%m-%d %H:%M} UTC>"


def _question(field: Field, kind: str, lang: str) -> str:
    if field.question is not None:
        return field.question.text(lang).replace("{queue_summary}", "").strip(" :：")
    return t(lang, field.message or f"{kind}.question.{field.purpose}")


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the prompt DM and the reminder -----------------------------------------------------------
def prompt_block_id(occurrence_id: int) -> str:
    """The block of the prompt's Answer button: how a scheduled prompt is found once posted."""
    return f"standup_prompt_{occurrence_id}"


def prompt_message(due: PromptDue) -> tuple[str, list[dict[str, Any]]]:
    """The prompt DM: the questions, and the Answer button first."""
    lang, kind = due.lang, _kind(due.schedule)
    title = t(lang, f"{kind}.prompt.title", date=due.local_date.isoformat())
    questions = "\n".join(f"• {escape(_question(f, kind, lang))}" for f in due.fields)
    blocks = [
        section(_clip(f"*{title}*\n{questions}")),
        actions(
            button(t(lang, "standup.prompt.answer"), ANSWER, str(due.occurrence_id), "primary"),
            block_id=prompt_block_id(due.occurrence_id),
        ),
        context_block(t(lang, "standup.prompt.cutoff", cutoff=_when(due.cutoff_at))),
    ]
    return t(lang, "standup.prompt.text", title=title, channel=due.schedule.channel), blocks


def _until(at: datetime) -> str:
    """A time-of-day token: `HH:MM` in each reader's zone."""
    return f"<!date^{int(at.timestamp())}^{{time}}|{at:%H:%M} UTC>"


def answered_prompt(answered: PromptAnswered) -> tuple[str, list[dict[str, Any]]]:
    """The prompt DM once answered, replacing the questions: the same button, relabelled
    (it opens the saved answer until the cut-off), in the same block (how a scheduled
    prompt is recognised when clicked)."""
    lang, kind = answered.lang, _kind(answered.schedule)
    title = t(lang, f"{kind}.prompt.title", date=answered.local_date.isoformat())
    done = t(lang, "standup.prompt.answered", until=_until(answered.cutoff_at))
    blocks = [
        section(f"*{title}*\n{done}"),
        actions(
            button(t(lang, "standup.prompt.edit"), ANSWER, str(answered.occurrence_id)),
            block_id=prompt_block_id(answered.occurrence_id),
        ),
    ]
    return f"{title}: {done}", blocks


def reminder_message(due: ReminderDue) -> tuple[str, list[dict[str, Any]]]:
    """The one reminder, with the same Answer button."""
    lang, kind = due.lang, _kind(due.schedule)
    text = t(lang, f"{kind}.reminder", date=due.local_date.isoformat(), cutoff=_when(due.cutoff_at))
    blocks = [
        section(text),
        actions(
            button(t(lang, "standup.prompt.answer"), ANSWER, str(due.occurrence_id), "primary")
        ),
    ]
    return text, blocks


def blocker_notice(notice: BlockerNotice, lang: str, names: dict[str, str]) -> str:
    """The DM to someone a blocker is routed to, or to the person blocked when the rule
    found nobody to tell (and why, as escalation says it)."""
    route = notice.blocker.route
    if notice.nobody and route is not None:
        text = t(
            lang,
            "standup.blocker.nobody",
            text=escape(notice.blocker.text),
            date=notice.local_date.isoformat(),
        )
        return text + "\n" + why_nobody(route.routing(), _role(route.role, names), lang)
    text = t(
        lang,
        "standup.blocker.notice",
        person=user(notice.blocked_user),
        text=escape(notice.blocker.text),
        date=notice.local_date.isoformat(),
    )
    return text + "\n" + t(lang, "routing.blocker_backup") if route and route.backup else text


def _role(key: str, names: dict[str, str] | None) -> str:
    """A role's name from `names` (its key when not known)."""
    return escape(names[key]) if names and key in names else f"`{key}`"


# --- the answer modal ---------------------------------------------------------------------------
def answer_modal(form: AnswerForm) -> dict[str, Any]:
    """The modal answering one occurrence; its fields pre-filled (a saved answer, the week)."""
    lang, kind = form.lang, _kind(form.schedule)
    blocks: list[dict[str, Any]] = [
        context_block(
            t(
                lang,
                "standup.modal.intro",
                date=form.local_date.isoformat(),
                cutoff=_when(form.cutoff_at),
            )
        )
    ]
    if form.queue is not None:
        lines = [t(lang, key, **params) for key, params in queue_summary(form.queue)]
        blocks.append(section("\n".join([t(lang, "standup.modal.queue"), *lines])))
    for field in form.fields:
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": field.id,
            "multiline": True,
            "max_length": MAX_INPUT,
        }
        if field.initial:
            element["initial_value"] = field.initial[:MAX_INPUT]
        blocks.append(
            {
                "type": "input",
                "block_id": field.id,
                "optional": True,
                "label": {"type": "plain_text", "text": _question(field, kind, lang)[:2000]},
                "element": element,
            }
        )
    title = t(lang, f"{kind}.modal.title")
    return {
        "type": "modal",
        "callback_id": ANSWER_VIEW,
        "private_metadata": json.dumps({"occurrence": form.occurrence_id}),
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": t(lang, "standup.modal.submit")[:24]},
        "close": {"type": "plain_text", "text": t(lang, "standup.modal.close")[:24]},
        "blocks": blocks,
    }


def submitted_values(view: dict[str, Any]) -> dict[str, str]:
    """The modal's answers by field id."""
    values: dict[str, str] = {}
    for block_id, inputs in (view.get("state", {}).get("values") or {}).items():
        for element in inputs.values():
            values[block_id] = str(element.get("value") or "")
    return values


def occurrence_of(view: dict[str, Any]) -> int | None:
    """The occurrence a submitted modal answers."""
    try:
        found = json.loads(view.get("private_metadata") or "{}").get("occurrence")
        return int(found) if found is not None else None
    except (ValueError, TypeError, AttributeError):
        return None


def saved_view(lang: str, text: str) -> dict[str, Any]:
    """What the modal shows once saved."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": t(lang, "standup.modal.saved_title")[:24]},
        "close": {"type": "plain_text", "text": t(lang, "standup.modal.close")[:24]},
        "blocks": [section(text)],
    }


# --- the digest --------------------------------------------------------------------------------
def _blocker_line(
    blocker: RoutedBlocker, day: date, lang: str, names: dict[str, str] | None = None
) -> str:
    line = escape(blocker.text)
    route = blocker.route
    if route and route.people:
        people = [as_backup(p, lang) if route.backup else user(p) for p in route.people]
        line += " → " + joined(lang, people)
    elif route and route.nobody:  # said in the channel, so nobody waits on a silent line
        line += " → " + nobody_line(route.routing(), _role(route.role, names), lang)
    if blocker.carried(day):
        line += " " + t(lang, "standup.digest.carried", days=blocker.age_days(day))
    return line


def answer_text(
    answer: DigestAnswer, day: date, lang: str, kind: str, names: dict[str, str] | None = None
) -> str:
    """One person's full answer, as its thread reply shows it (`names`: the roles' names)."""
    parts = [f"*{user(answer.user_id)}*"]
    if answer.done:
        parts.append(f"*{t(lang, f'{kind}.digest.done')}*\n{escape(answer.done)}")
    if answer.planned:
        parts.append(f"*{t(lang, f'{kind}.digest.planned')}*\n{escape(answer.planned)}")
    if answer.blockers:
        lines = "\n".join(f"• {_blocker_line(b, day, lang, names)}" for b in answer.blockers)
        parts.append(f"*{t(lang, 'standup.digest.blockers')}*\n{lines}")
    for key, value in answer.values.items():
        if value and value not in (answer.done, answer.planned) and not key.startswith("_"):
            if key in ("done", "planned", "blockers"):
                continue
            parts.append(escape(value))
    return _clip("\n".join(parts))


def digest_message(
    state: DigestState, lang: str, names: dict[str, str] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """The digest: blockers first, then who answered by role, who is out, who did not answer."""
    kind, day = _kind(state.schedule), state.local_date
    head = t(
        lang,
        f"{kind}.digest.final" if state.final else f"{kind}.digest.open",
        date=day.isoformat(),
        answered=state.answered,
        total=state.participants,
    )
    blocks: list[dict[str, Any]] = [section(f"*{head}*")]
    if state.blocked:
        lines = [
            f"• {user(a.user_id)}: {_blocker_line(b, day, lang, names)}"
            for a in state.blocked
            for b in a.blockers
        ]
        blocks.append(
            section(_clip("\n".join([f"*{t(lang, 'standup.digest.blockers')}*", *lines])))
        )
    for role_key, group in state.by_role:
        people = joined(lang, (user(a.user_id) for a in group))
        name = (names or {}).get(role_key, role_key)
        blocks.append(section(_clip(f"*{escape(name)}*: {people}")))
    if state.out:
        out = joined(
            lang,
            (f"{user(u)} ({t(lang, f'standup.digest.reason.{_reason(r)}')})" for u, r in state.out),
        )
        blocks.append(context_block(_clip(t(lang, "standup.digest.out", people=out))))
    if state.waiting:
        key = "standup.digest.no_answer" if state.final else "standup.digest.waiting"
        blocks.append(
            context_block(
                _clip(t(lang, key, people=joined(lang, (user(u) for u in state.waiting))))
            )
        )
    if state.later and not state.final:
        later = joined(lang, (user(u) for u in state.later))
        blocks.append(context_block(_clip(t(lang, "standup.digest.later", people=later))))
    if not state.final:
        blocks.append(context_block(t(lang, "standup.digest.until", at=_when(state.final_at))))
    return head, blocks[:50]


def _reason(reason: str) -> str:
    return reason if reason in ("away", "paused", "skipped") else "skipped"


# --- lists and reports ---------------------------------------------------------------------------
def schedule_line(view: ScheduleView, lang: str) -> str:
    """`#3 · tech_lead · weekdays 09:30 · #eng · 4 h`."""
    roles = joined(lang, (r.name(lang) for r in view.roles))
    return t(
        lang,
        "standup.schedule.line",
        id=view.schedule.id,
        roles=escape(roles) if view.roles else t(lang, "standup.schedule.everyone"),
        days=view.days_text,
        time=view.time_text,
        channel=channel_ref(view.schedule.channel),
        window=view.schedule.window_minutes,
    )


def report_text(found: DayReport | PersonReport, lang: str) -> str:
    """A report as one message."""
    if isinstance(found, PersonReport):
        kind = "progress" if found.kind == PROGRESS else "standup"
        lines = [
            t(
                lang,
                "standup.report.person",
                person=user(found.user_id),
                first=found.first.isoformat(),
                last=found.last.isoformat(),
            )
        ]
        for a in found.answers:
            lines.append(f"*{a.local_date.isoformat()}*")
            if a.done:
                lines.append(f"{t(lang, f'{kind}.digest.done')}: {escape(a.done)}")
            if a.planned:
                lines.append(f"{t(lang, f'{kind}.digest.planned')}: {escape(a.planned)}")
            for b in a.blockers:
                lines.append(
                    f"{t(lang, 'standup.digest.blockers')}: {_blocker_line(b, a.local_date, lang)}"
                )
        if not found.answers:
            lines.append(t(lang, "standup.report.empty"))
        return _clip("\n".join(lines))
    if not found.digests:
        return t(lang, "standup.report.none", date=found.day.isoformat())
    parts = []
    for state in found.digests:
        text, blocks = digest_message(state, lang)
        body = [text] + [visible(b) for b in blocks[1:]]
        kind = _kind(state.schedule)
        for _, group in state.by_role:
            body.extend(answer_text(a, state.local_date, lang, kind) for a in group)
        parts.append("\n".join(body))
    return _clip("\n\n".join(parts))


def visible(block: dict[str, Any]) -> str:
    """The text of a section or context block."""
    if block.get("type") == "section":
        return str(block["text"]["text"])
    return " ".join(str(e.get("text", "")) for e in block.get("elements", []))


def home_section(prompts: HomePrompts, lang: str) -> list[dict[str, Any]]:
    """App Home's "Your next prompts" section."""
    lines = [t(lang, "standup.home.title")]
    if prompts.paused:
        lines.append(t(lang, "standup.home.paused"))
    for p in prompts.prompts[:10]:
        key = "standup.home.open" if p.open_occurrence_id else "standup.home.next"
        lines.append(
            t(
                lang,
                key,
                kind=t(lang, f"{_kind(p.schedule)}.name"),
                id=p.schedule.id,
                at=_when(p.prompt_at),
            )
        )
    if len(lines) == 1:
        lines.append(t(lang, "standup.home.none"))
    blocks: list[dict[str, Any]] = [section("\n".join(lines))]
    opened = [p for p in prompts.prompts if p.open_occurrence_id][:5]
    if opened:
        blocks.append(
            actions(
                *(
                    button(t(lang, "standup.prompt.answer"), ANSWER, str(p.open_occurrence_id))
                    for p in opened
                ),
            )
        )
    return blocks
