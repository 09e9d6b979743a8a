"""Block Kit for `/owner`: one answer, several matches, no match, the full list."""

from __future__ import annotations

from typing import Any

from domain.catalog import Area, Role
from domain.matching import FUZZY, Hit
from handlers.mrkdwn import escape
from handlers.replies import actions, button, context_block, section
from i18n import t
from services.owner import AreaAnswer, Person

SHARE = "owner_share"
MAX_BLOCKS = 50
MAX_TEXT = 2900  # under Block Kit's 3 000 characters per text, with room for a line break


def area_name(area: Area, lang: str) -> str:
    """The area's name in `lang`, the other language in parentheses when it differs."""
    own, other = area.name(lang), area.name("en" if lang == "zh" else "zh")
    return escape(own if own == other else f"{own} ({other})")


def person(who: Person, lang: str) -> str:
    """A mention, with 'away until …' when away."""
    if who.away_until is None:
        return f"<@{who.user_id}>"
    return t(lang, "owner.away_until", user=f"<@{who.user_id}>", date=who.away_until.isoformat())


def owners_line(answer: AreaAnswer, lang: str) -> str:
    """Who to ask: the override, the backup first while holders are away, or the holders."""
    role = answer.role.name(lang)
    if not answer.owners:
        return t(lang, "owner.nobody", role=role, key=answer.role.key)
    people = ", ".join(person(p, lang) for p in answer.owners)
    if answer.override:
        return t(lang, "owner.override", people=people, role=role)
    if answer.backup_first:
        first, *rest = answer.owners
        others = ", ".join(person(p, lang) for p in rest) or "—"
        return t(lang, "owner.backup_first", backup=person(first, lang), people=others, role=role)
    return t(lang, "owner.holders", people=people, role=role)


def answer_text(answer: AreaAnswer, lang: str) -> str:
    """The answer for one area as mrkdwn."""
    lines = [f"*{area_name(answer.area, lang)}*", owners_line(answer, lang)]
    if answer.vacated:
        lines.append(t(lang, "owner.vacated", role=answer.role.name(lang), key=answer.role.key))
    if answer.stale_override:
        lines.append(t(lang, "owner.stale_override", area=area_name(answer.area, lang)))
    if answer.contributors:
        parts = [
            f"{role.name(lang)} ({', '.join(person(p, lang) for p in people) or '—'})"
            for role, people in answer.contributors
        ]
        lines.append(t(lang, "owner.contributors", roles="; ".join(parts)))
    return "\n".join(lines)


def why(hit: Hit, lang: str, query: str) -> str | None:
    """What was typed → the area ('launch → Roadmap', 'roadmpa ≈ Roadmap'); nothing when
    the area's own name was typed."""
    if not hit.explains:
        return None
    typed = escape((hit.typed or query).strip()[:100])
    return f"{typed} {'≈' if hit.kind == FUZZY else '→'} {escape(hit.area.name(lang))}"


def single(
    answer: AreaAnswer, hit: Hit | None, lang: str, query: str = "", share: bool = True
) -> tuple[str, list[dict[str, Any]]]:
    """One area's answer, with why it matched and the share button."""
    text = answer_text(answer, lang)
    blocks = [section(text)]
    note = why(hit, lang, query) if hit is not None else None
    if note:
        blocks.append(context_block(note))
    if share:
        blocks.append(actions(button(t(lang, "owner.share"), SHARE, answer.area.key)))
    return text, blocks


def several(answers: list[AreaAnswer], lang: str, query: str) -> tuple[str, list[dict[str, Any]]]:
    """Several areas matched: each with its owners and its own share button."""
    head = t(lang, "owner.several", topic=escape(query[:100]))
    blocks: list[dict[str, Any]] = [section(head)]
    texts = [head]
    for answer in answers:
        text = answer_text(answer, lang)
        texts.append(text)
        block = section(text)
        block["accessory"] = button(t(lang, "owner.share"), SHARE, answer.area.key)
        blocks.append(block)
    return "\n\n".join(texts), blocks


def role_reply(
    role: Role, holders: tuple[Person, ...], answers: list[AreaAnswer], lang: str
) -> tuple[str, list[dict[str, Any]]]:
    """The question named a role: who holds it, and the areas it owns (each shareable)."""
    people = ", ".join(person(p, lang) for p in holders)
    head = t(lang, "owner.role", role=role.name(lang), key=role.key)
    head += "\n" + (
        t(lang, "owner.role.held", people=people)
        if holders
        else t(lang, "owner.nobody", role=role.name(lang), key=role.key)
    )
    if not answers:
        return head, [section(head)]
    text, shown = several(answers, lang, "")
    shown[0] = section(head + "\n" + t(lang, "owner.role.areas"))
    return head + "\n\n" + text.partition("\n\n")[2], shown


def none(query: str, suggestions: tuple[Area, ...], lang: str) -> str:
    """Nothing matched: say so, suggest the closest, tell how admins add an area."""
    lines = [t(lang, "owner.none", topic=escape(query[:100]))]
    if suggestions:
        names = ", ".join(f"`{area_name(a, lang)}`" for a in suggestions)
        lines.append(t(lang, "owner.suggest", areas=names))
    lines.append(t(lang, "owner.how_to_add"))
    return "\n".join(lines)


def listing(answers: list[AreaAnswer], lang: str) -> tuple[str, list[dict[str, Any]]]:
    """Every area grouped by owning role, split to fit Block Kit's limits."""
    groups: dict[str, list[AreaAnswer]] = {}
    for answer in answers:
        groups.setdefault(answer.role.key, []).append(answer)
    chunks: list[str] = []
    for items in groups.values():
        role = items[0].role
        # Who to ask is the role's, so it is said once under the role; only an area with
        # an owner of its own (an override) says who to ask beside it.
        common = next((owners_line(a, lang) for a in items if not a.override), None)
        header = f"*{escape(role.name(lang))}*"
        lines = [f"{header} — {common}" if common else header]
        for a in items:
            own = owners_line(a, lang)
            name = area_name(a.area, lang)
            lines.append(f"• {name}" if own == common else f"• {name} — {own}")
        chunks.extend(_fit("\n".join(lines)))
    title = t(lang, "owner.list.title")
    blocks = [section(title), *[section(c) for c in chunks]]
    if len(blocks) > MAX_BLOCKS:
        blocks = [*blocks[: MAX_BLOCKS - 1], context_block(t(lang, "owner.list.more"))]
    return title, blocks


def _fit(text: str) -> list[str]:
    """Split at line breaks into pieces Block Kit accepts."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        line = line[:MAX_TEXT]
        if current and len(current) + len(line) + 1 > MAX_TEXT:
            pieces.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    return [*pieces, current] if current else pieces
