"""Block Kit for `/owner`: one answer, several matches, no match, the full list.

Every answer fits Slack's limits however many areas a workspace adds: at most MAX_ANSWERS
areas get their own section and share button, the rest are named in one line, and the list
stops at the message's text budget, saying how many areas it left out and how to ask.
"""

from __future__ import annotations

from typing import Any

from domain.catalog import Area, Role
from domain.matching import FUZZY, Hit
from domain.routing import NO_HOLDER, Routing
from handlers.limits import BLOCKS_TEXT, MESSAGE_BLOCKS, SECTION_TEXT, cut_markup, fit_joined
from handlers.mrkdwn import escape
from handlers.replies import actions, button, context_block, section
from handlers.routing_text import absent, nobody_here, stand_in
from i18n import joined, t
from services.owner import AreaAnswer, Contributor, Person

SHARE = "owner_share"
MAX_ANSWERS = 20  # areas answered each in its own section, with its own share button
NOTE_ROOM = 600  # characters kept for the closing "…and N more" line


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
    """Who to ask: the override, the backup first while holders are away, the holders; or,
    when the backup is away too, that nobody is here, until when and who is back first."""
    role = answer.role.name(lang)
    people = joined(lang, [person(p, lang) for p in answer.owners])
    if answer.override:
        return t(lang, "owner.override", people=people, role=role)
    if answer.backup_first:
        return backup_line(answer, lang)
    here = _nobody_here(answer.routing, role, lang)
    if here is not None:
        return here
    if not answer.owners:
        return _nobody(role, answer.role.key, lang)
    return t(lang, "owner.holders", people=people, role=role)


def _nobody(role: str, key: str, lang: str) -> str:
    """'Nobody holds Tech Lead yet.', and how an admin assigns it."""
    return t(lang, "owner.nobody", role=role) + " " + t(lang, "routing.hint.no_holder", key=key)


def _nobody_here(routing: Routing, role: str, lang: str) -> str | None:
    """The backup is away too: who is away until when and who is back first (with how an
    admin assigns the role, when nobody holds it)."""
    text = nobody_here(routing, role, lang) if routing.backup_away else None
    if text is not None and routing.why == NO_HOLDER:
        text += " " + t(lang, "routing.hint.no_holder", key=routing.role_key)
    return text


def backup_line(answer: AreaAnswer, lang: str) -> str:
    """'Ask @bob (backup, Tech Lead is away). Holders: @alice (away until …).'"""
    backup = stand_in(answer.owners[0].user_id, answer.role.name(lang), answer.why, lang)
    if not answer.holders:
        return t(lang, "owner.ask_backup", backup=backup)
    holders = joined(lang, [person(p, lang) for p in answer.holders])
    count = len(answer.holders)
    return t(lang, "owner.ask_backup.holders", backup=backup, people=holders, count=count)


def answer_text(answer: AreaAnswer, lang: str) -> str:
    """The answer for one area as mrkdwn (at most a section's text)."""
    lines = [f"*{area_name(answer.area, lang)}*", owners_line(answer, lang)]
    if answer.vacated:
        lines.append(t(lang, "owner.vacated", role=answer.role.name(lang), key=answer.role.key))
    if answer.stale_override:
        lines.append(t(lang, "owner.stale_override", area=area_name(answer.area, lang)))
    if answer.contributors:
        parts = [f"{c.role.name(lang)} ({contributing(c, lang)})" for c in answer.contributors]
        lines.append(t(lang, "owner.contributors", roles=joined(lang, parts)))
    return cut_markup("\n".join(lines), SECTION_TEXT)


def contributing(role: Contributor, lang: str) -> str:
    """Who answers for a contributing role, by the one rule: its holders here (away ones
    marked after them), else the backup standing in named as the backup, else who is away
    (the backup too) until when."""
    routing = role.routing
    away = [person(p, lang) for p in role.holders if p.away_until is not None]
    if routing.backup:
        name = role.role.name(lang)
        return joined(lang, [stand_in(routing.people[0], name, routing.why, lang), *away])
    if routing.backup_away:
        return joined(lang, [absent(a, lang) for a in routing.absent])
    return joined(lang, [person(p, lang) for p in role.holders]) or "—"


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
    """Several areas matched: the first MAX_ANSWERS (within the text budget) each with its
    owners and its own share button, the others named in a closing line."""
    head = t(lang, "owner.several", topic=escape(query[:100]))
    blocks: list[dict[str, Any]] = [section(head)]
    texts, used = [head], len(head)
    shown = 0
    for answer in answers[:MAX_ANSWERS]:
        text = answer_text(answer, lang)
        if used + len(text) > BLOCKS_TEXT - NOTE_ROOM:
            break
        block = section(text)
        block["accessory"] = button(t(lang, "owner.share"), SHARE, answer.area.key)
        blocks.append(block)
        texts.append(text)
        used, shown = used + len(text), shown + 1
    if len(answers) > shown:
        note = _others(answers[shown:], lang)
        blocks.append(context_block(note))
        texts.append(note)
    return "\n\n".join(texts), blocks


def _others(rest: list[AreaAnswer], lang: str) -> str:
    """'Also: `Billing`, `Pricing`, …and 40 more — ask `/owner <area>` for any of them.'"""
    names = [f"`{area_name(a.area, lang)}`" for a in rest]
    room = NOTE_ROOM - len(t(lang, "owner.others", count=len(rest), areas=""))
    listed = fit_joined(names, room, lambda n: t(lang, "owner.others.more", count=n), sep=", ")
    return t(lang, "owner.others", count=len(rest), areas=listed)


def role_reply(
    role: Role, people: AreaAnswer, answers: list[AreaAnswer], lang: str
) -> tuple[str, list[dict[str, Any]]]:
    """The question named a role: who holds it (a backup standing in is named as the
    backup, never as a holder), and the areas it owns (each shareable)."""
    head = t(lang, "owner.role", role=role.name(lang), key=role.key)
    here = _nobody_here(people.routing, role.name(lang), lang)
    if people.backup_first:
        head += "\n" + backup_line(people, lang)
    elif here is not None:
        head += "\n" + here
    elif people.holders:
        held = joined(lang, [person(p, lang) for p in people.holders])
        head += "\n" + t(lang, "owner.role.held", people=held)
    else:
        head += "\n" + _nobody(role.name(lang), role.key, lang)
    if not answers:
        return head, [section(head)]
    text, shown = several(answers, lang, "")
    shown[0] = section(head + "\n" + t(lang, "owner.role.areas"))
    return head + "\n\n" + text.partition("\n\n")[2], shown


def none(query: str, suggestions: tuple[Area, ...], lang: str) -> str:
    """Nothing matched: say so, suggest the closest, tell how admins add an area."""
    lines = [t(lang, "owner.none", topic=escape(query[:100]))]
    if suggestions:
        names = joined(lang, [f"`{area_name(a, lang)}`" for a in suggestions])
        lines.append(t(lang, "owner.suggest", areas=names))
    lines.append(t(lang, "owner.how_to_add"))
    return "\n".join(lines)


def listing(answers: list[AreaAnswer], lang: str) -> tuple[str, list[dict[str, Any]]]:
    """Every area grouped by owning role, in sections of at most a section's text, up to the
    message's text budget; the areas left out are counted, with how to ask for one."""
    entries: list[tuple[str, bool]] = []  # (line, whether it is an area)
    groups: dict[str, list[AreaAnswer]] = {}
    for answer in answers:
        groups.setdefault(answer.role.key, []).append(answer)
    for items in groups.values():
        # Who to ask is the role's, so it is said once beside the role; only an area with
        # an owner of its own (an override) says who to ask beside it.
        common = next((owners_line(a, lang) for a in items if not a.override), None)
        header = f"*{escape(items[0].role.name(lang))}*"
        entries.append((f"{header} — {common}" if common else header, False))
        for a in items:
            own, name = owners_line(a, lang), area_name(a.area, lang)
            entries.append((f"• {name}" if own == common else f"• {name} — {own}", True))
    title = t(lang, "owner.list.title")
    chunks: list[str] = []
    current, used, kept = "", len(title), 0
    for line, _ in entries:
        line = cut_markup(line, SECTION_TEXT)
        if used + len(line) > BLOCKS_TEXT - NOTE_ROOM or len(chunks) >= MESSAGE_BLOCKS - 3:
            break
        if current and len(current) + 1 + len(line) > SECTION_TEXT:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
        used, kept = used + len(line) + 1, kept + 1
    chunks += [current] if current else []
    blocks = [section(title), *[section(c) for c in chunks]]
    left = sum(1 for _, is_area in entries[kept:] if is_area)
    if left:
        blocks.append(context_block(t(lang, "owner.list.more", count=left)))
    return title, blocks
