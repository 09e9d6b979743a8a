"""The shell's modal commands: fill in the open modal from `field=value; …`, submit or cancel."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from console.render import field_state, modal_fields, view_title
from console.session import Session
from console.workspace import TEAM, ShellError
from slack_emulator import payloads


def split_assignments(text: str) -> list[tuple[str, str]]:
    """`a=1; b=x\\;y` → [("a", "1"), ("b", "x;y")]: `;` separates, `\\;` is a literal one."""
    pairs = []
    for part in re.split(r"(?<!\\);", text):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise ShellError(f"{part.strip()!r}: write field=value")
        pairs.append((key.strip(), value.strip().replace("\\;", ";")))
    return pairs


def _resolver(s: Session) -> Callable[[str, str], str]:
    def resolve(kind: str, name: str) -> str:
        if kind == "user":
            return s.workspace.person(name).user_id
        return s.workspace.channel(name)

    return resolve


def _values(s: Session, view: dict[str, Any], rest: str) -> dict[str, dict[str, Any]]:
    """`state.values` for the modal from `field=value; …` (block ID, action ID, label or N)."""
    fields = modal_fields(view)
    typed: dict[int, str] = {}
    for key, value in split_assignments(rest):
        wanted = key.casefold()
        index = next(
            (
                i
                for i, f in enumerate(fields)
                if wanted in (str(i + 1), f.block_id.casefold(), f.action_id.casefold())
                or wanted == f.label.casefold()
            ),
            None,
        )
        if index is None:
            known = ", ".join(f.block_id for f in fields) or "none"
            raise ShellError(f"The modal has no field {key!r} (fields: {known})")
        typed[index] = value
    values: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(fields):
        try:
            state = field_state(item, typed.get(i), _resolver(s))
        except ValueError as error:
            raise ShellError(str(error)) from None
        if not item.optional and not any(v for k, v in state.items() if k != "type"):
            raise ShellError(f"{item.label} is required ({item.block_id}=…)")
        values.setdefault(item.block_id, {})[item.action_id] = state
    return values


def _print_closed(s: Session, view: dict[str, Any]) -> None:
    s.print(f"(modal “{view_title(view)}” closed)")


def submit(s: Session, rest: str) -> None:
    """Submit the open modal: `submit title=Export crashes; severity=high`."""
    if not s.modals:
        raise ShellError("No modal is open")
    view = s.modals[-1]
    body = payloads.view_submission(
        team_id=TEAM,
        user_id=s.me.user_id,
        user_name=s.me.name,
        callback_id=str(view.get("callback_id", "")),
        values=_values(s, view, rest),
        view=view,
    )
    answer = s.dispatch(body)
    action = answer.get("response_action")
    if action == "errors":
        for block_id, error in (answer.get("errors") or {}).items():
            s.print(f"[modal error] {block_id}: {error}")
        return
    if action in ("update", "push"):
        new = {**answer.get("view", {}), "id": view["id"] if action == "update" else "VPUSHED"}
        s.modals[-1:] = [new] if action == "update" else [view, new]
        s.show_modal(f"modal: {view_title(new)}", new)
        return
    s.modals[:] = [] if action == "clear" else s.modals[:-1]
    _print_closed(s, view)


def cancel(s: Session, rest: str) -> None:
    """Close the open modal without submitting."""
    if not s.modals:
        raise ShellError("No modal is open")
    view = s.modals.pop()
    _print_closed(s, view)
