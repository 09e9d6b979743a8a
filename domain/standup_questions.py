"""The answer modal's fields: each role's own questions from the catalogue, and which of them
read as the answer's done, planned and blockers parts.

The rules (the README quotes them):

- A person answers once per occurrence, whatever the number of their roles: the questions
  of each of their roles in the schedule, in catalogue order, each asked once (the shared
  "What did you finish since the last standup?" appears once).
- Three fields have a purpose Rolecall reads: `done` (the role's first question, which
  asks what was finished; for a weekly update, its first question unless that question
  shows figures), `planned` (the first question about what you do today, or about next
  week for a weekly update) and `blockers` (the first question about blockers or
  waiting). A role whose questions have none of them gets Rolecall's own question for
  it, so every answer has all three.
- A question's `{queue_summary}` is customer support's weekly queue figures.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from domain.catalog import Catalog, Question, Role
from domain.schedules import PROGRESS, Schedule

DONE, PLANNED, BLOCKERS = "done", "planned", "blockers"
PURPOSES = (DONE, PLANNED, BLOCKERS)
QUEUE_PLACEHOLDER = "{queue_summary}"
MAX_FIELDS = 24  # a modal holds 100 blocks; one input block per field, with room to spare
_BLOCKING = re.compile(r"block|waiting|阻碍|阻塞|卡住|等待", re.IGNORECASE)
_PLAN = {
    "standup": re.compile(r"\b(?:are|will) you\b.*\btoday\b|今天你", re.IGNORECASE),
    PROGRESS: re.compile(r"next week|下周", re.IGNORECASE),
}


@dataclass(frozen=True)
class Field:
    """One input of the answer modal. `id` is its block and action id; `question` the
    catalogue's text, or None for Rolecall's own question (`message` is its i18n key)."""

    id: str
    purpose: str | None
    role: str | None
    question: Question | None = None
    message: str | None = None
    initial: str = ""

    @property
    def needs_queue(self) -> bool:
        """Whether the question shows the support queue's figures (`{queue_summary}`)."""
        return self.question is not None and QUEUE_PLACEHOLDER in self.question.en


def own_question(kind: str, purpose: str) -> str:
    """The i18n key of Rolecall's own question for a purpose (`standup.question.done`, …)."""
    return f"{'progress' if kind == PROGRESS else 'standup'}.question.{purpose}"


def _purpose(kind: str, index: int, question: Question, taken: set[str]) -> str | None:
    text = f"{question.en} {question.zh}"
    if DONE not in taken and index == 0 and QUEUE_PLACEHOLDER not in question.en:
        return DONE
    if BLOCKERS not in taken and _BLOCKING.search(text):
        return BLOCKERS
    if PLANNED not in taken and _PLAN.get(kind, _PLAN["standup"]).search(text):
        return PLANNED
    return None


def fields_for(kind: str, roles: Sequence[Role]) -> tuple[Field, ...]:
    """The modal's fields for someone holding `roles` (catalogue order), done first, then
    planned, then each role's other questions, blockers last."""
    taken: dict[str, Field] = {}
    others: list[Field] = []
    seen: set[str] = set()
    for role in roles:
        questions = role.progress if kind == PROGRESS else role.standup
        for index, question in enumerate(questions):
            if question.en.strip().casefold() in seen:
                continue  # "What did you finish…" is shared by every role: asked once
            seen.add(question.en.strip().casefold())
            purpose = _purpose(kind, index, question, set(taken))
            if purpose is not None:
                taken[purpose] = Field(purpose, purpose, role.key, question)
            else:
                others.append(Field(f"{role.key}.{index}", None, role.key, question))
    for purpose in PURPOSES:
        taken.setdefault(purpose, Field(purpose, purpose, None, None, own_question(kind, purpose)))
    ordered = (taken[DONE], taken[PLANNED], *others[: MAX_FIELDS - 3], taken[BLOCKERS])
    return tuple(ordered)


def roles_in(catalog: Catalog, schedule: Schedule, held: Collection[str]) -> tuple[Role, ...]:
    """The roles of `held` a schedule asks about (all of them for `all`), catalogue order."""
    keys = set(held) & set(schedule.roles) if schedule.roles else set(held)
    return tuple(role for key, role in catalog.roles.items() if key in keys)


def questions_key(fields: Iterable[Field]) -> str:
    """What a prompt asks, as a short fingerprint: equal when the questions are the same."""
    asked = "\n".join(f"{f.id}={f.question.en if f.question else f.message}" for f in fields)
    return hashlib.sha256(asked.encode()).hexdigest()[:16]


def with_initial(fields: Iterable[Field], values: dict[str, str]) -> tuple[Field, ...]:
    """The fields with their initial values (a saved answer, or the weekly prefill)."""
    return tuple(
        Field(f.id, f.purpose, f.role, f.question, f.message, values.get(f.id, f.initial))
        for f in fields
    )


def purpose_values(fields: Iterable[Field], values: dict[str, str]) -> dict[str, str]:
    """The done, planned and blockers text of submitted `values` (by field id), trimmed;
    fields not in the modal are dropped."""
    by_id = {f.id: f for f in fields}
    found = {purpose: "" for purpose in PURPOSES}
    for field_id, text in values.items():
        field = by_id.get(field_id)
        if field is not None and field.purpose:
            found[field.purpose] = (text or "").strip()
    return found


def kept_answers(fields: Iterable[Field], values: dict[str, str]) -> dict[str, str]:
    """Each field's submitted text by field id (only the modal's own fields, trimmed)."""
    ids = {f.id for f in fields}
    return {key: (text or "").strip() for key, text in values.items() if key in ids}
