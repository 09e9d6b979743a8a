"""Who may change what: every state-changing command, card button and modal, tried by each
kind of person. Allowed: the store changes as expected. Refused: a clear "not allowed"
answer, nothing stored, no modal opened.

The table `MATRIX` is the rule as users meet it (README, `/issue help`); `domain.permissions`
holds it as code, and the unit tests at the end check the rule's own promise: no sequence of
allowed steps gives anyone more than the table does.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from domain.permissions import AGENTS as AGENT_STANDINGS
from domain.permissions import TICKET_RULES, Actor, may, standings
from handlers.view_meta import sealed_view
from i18n import t
from services import tickets as queue
from storage.models import (
    Absence,
    Base,
    CustomArea,
    OwnerOverride,
    RoleAssignment,
    RoleBackup,
    WorkspaceSetting,
)
from tests.harness import SIGNING_SECRET, Harness, Reply
from tests.issue_fixtures import SUPPORT, give_role, react, submit, ticket, tickets

ADMIN, OWNER, REP = "UADMIN", "UOWNER", "USUPPORT"
REPORTER, ASSIGNEE, NOBODY = "UREPORTER", "UASSIGNEE", "UNOBODY"
PEOPLE = {
    "admin": ADMIN,  # a Slack workspace admin
    "product-owner": OWNER,
    "customer-support": REP,
    "reporter": REPORTER,  # filed the ticket
    "assignee": ASSIGNEE,  # an admin assigned them the ticket
    "no role": NOBODY,
}
TECH_LEAD, TARGET = "UTECHLEAD", "UTARGET"
TEAM = "T0001"

EVERYONE = frozenset(PEOPLE)
ADMINS = frozenset({"admin", "product-owner"})
AGENTS = ADMINS | {"customer-support"}
WORKERS = AGENTS | {"assignee"}
STEWARDS = WORKERS | {"reporter"}

# What each kind of person may do. Everything not listed (list, show, search, /owner <topic>,
# /role who, /rolecall help…) changes nothing and is open to all.
MATRIX: dict[str, frozenset[str]] = {
    "/role assign": ADMINS,
    "/role unassign": ADMINS,
    "/role backup": ADMINS,
    "/role away (someone else)": ADMINS,
    "/role back (someone else)": ADMINS,
    "/role away (oneself)": EVERYONE,
    "/owner set": ADMINS,
    "/owner unset": ADMINS,
    "/owner add": ADMINS,
    "/rolecall config <key> <value>": ADMINS,
    "/rolecall config <key> reset": ADMINS,
    "/issue <summary>": EVERYONE,
    "/issue take": AGENTS,
    "/issue assign": AGENTS,
    "/issue status analyzing": WORKERS,
    "/issue escalate <note>": WORKERS,
    "/issue escalate (modal)": WORKERS,
    "/issue resolve": WORKERS,
    "/issue close": STEWARDS,
    "/issue reopen": STEWARDS,
    "button take": AGENTS,
    "button analyzing": WORKERS,
    "button escalate (modal)": WORKERS,
    "button resolve (modal)": WORKERS,
    "button close": STEWARDS,
    "button reopen": STEWARDS,
    "modal file": EVERYONE,
    "reaction :ticket:": EVERYONE,
    "modal resolve": WORKERS,
    "modal escalate": WORKERS,
}


@dataclass
class Prep:
    """What a case set up for one person's attempt."""

    number: int = 0  # the ticket acted on
    subject: str = ""  # the person or topic acted on
    views: int = 0  # modals opened before the attempt
    view: dict[str, Any] | None = None  # a modal opened for an admin, submitted by the actor


@dataclass(frozen=True)
class Case:
    """How to try one action and how to see that it happened."""

    setup: Callable[[Harness, str], Prep]
    act: Callable[[Harness, str, Prep], Reply]
    done: Callable[[Harness, Prep], bool]
    refusal: str  # the message key a refused person reads


@pytest.fixture
def people(desk: Harness) -> Iterator[Harness]:
    """The support desk with one person of each kind, plus a tech lead to escalate to."""
    for user_id in (OWNER, REP, REPORTER, ASSIGNEE, NOBODY, TECH_LEAD, TARGET):
        desk.slack.add_user(user_id, user_id[1:].lower())
    for persona in PEOPLE:  # the people an attempt assigns: Slack knows them
        desk.slack.add_user(subject(persona), subject(persona).lower())
    give_role(desk, OWNER, "product-owner")
    give_role(desk, REP, "customer-support")
    give_role(desk, TECH_LEAD, "tech-lead")
    yield desk


# --- set-ups ---------------------------------------------------------------------------


def subject(persona: str) -> str:
    """Someone (or a topic) of this attempt's own, so attempts never meet."""
    return "USUBJ" + re.sub(r"[^A-Z]", "", persona.upper())


def nothing(app: Harness, persona: str) -> Prep:
    return Prep(subject=subject(persona))


def holding_pm(app: Harness, persona: str) -> Prep:
    app.command("/role", f"assign <@{subject(persona)}> pm", user=ADMIN)
    return nothing(app, persona)


def away(app: Harness, persona: str) -> Prep:
    app.command("/role", f"away <@{subject(persona)}> until 2099-01-01", user=ADMIN)
    return nothing(app, persona)


def roadmap_owned(app: Harness, persona: str) -> Prep:
    app.command("/owner", f"set roadmap <@{subject(persona)}>", user=ADMIN)
    return nothing(app, persona)


def tz_reset(app: Harness, persona: str) -> Prep:
    app.command("/rolecall", "config default_tz reset", user=ADMIN)
    return nothing(app, persona)


def tz_set(app: Harness, persona: str) -> Prep:
    app.command("/rolecall", "config default_tz Asia/Tokyo", user=ADMIN)
    return nothing(app, persona)


def filed(
    status: str = "new", *, assigned: bool = True, modal: str | None = None
) -> Callable[[Harness, str], Prep]:
    """A fresh ticket filed by the reporter and assigned (by an admin) to the assignee;
    `take` finds it unassigned, except by the assignee, who then stands as one. Arranged
    through the use cases, as an admin would; only the attempt itself goes over HTTP."""

    def setup(app: Harness, persona: str) -> Prep:
        now, admin = app.d.now(), lambda: True
        with app.db.begin() as session:
            new = queue.NewTicket(f"matrix ticket for {persona}", "normal", "bug")
            number = queue.file_ticket(session, TEAM, REPORTER, new, now)[0].number
            if assigned or persona == "assignee":
                queue.assign(session, TEAM, number, ASSIGNEE, ADMIN, now, admin)
            if status in ("resolved", "closed"):
                queue.resolve(session, TEAM, number, ADMIN, "r", "s", now, admin)
            if status == "closed":
                queue.close(session, TEAM, number, ADMIN, now, admin)
        view = None
        if modal is not None:  # an admin opened the modal; the actor submits it
            press(app, modal, number, user=ADMIN)
            view = app.slack.views[-1]
        return Prep(number=number, views=len(app.slack.views), view=view)

    return setup


def press(app: Harness, action_id: str, number: int, user: str) -> Reply:
    """A click on a ticket card's button."""
    return app.action(action_id, str(number), user=user, channel=SUPPORT)


# --- attempts --------------------------------------------------------------------------


def command(name: str, text: str) -> Callable[[Harness, str, Prep], Reply]:
    def act(app: Harness, actor: str, prep: Prep) -> Reply:
        return app.command(name, text.format(n=prep.number, s=prep.subject), user=actor)

    return act


def button(action_id: str) -> Callable[[Harness, str, Prep], Reply]:
    def act(app: Harness, actor: str, prep: Prep) -> Reply:
        return press(app, action_id, prep.number, user=actor)

    return act


def _opened_for(view: dict[str, Any] | None, actor: str) -> dict[str, Any] | None:
    """The modal as if it had been opened for `actor` (Slack lets only its opener submit it;
    the app signs its metadata for that person)."""
    if view is None or not view.get("private_metadata"):
        return view
    meta = json.loads(view["private_metadata"].partition(".")[2])
    return sealed_view(SIGNING_SECRET, "T0001", actor, {**view, "private_metadata": meta})


def modal(callback_id: str, values: dict[str, str]) -> Callable[[Harness, str, Prep], Reply]:
    def act(app: Harness, actor: str, prep: Prep) -> Reply:
        view_id = f"V{actor}" if prep.view is None else None
        return submit(
            app,
            callback_id,
            values,
            user=actor,
            view=_opened_for(prep.view, actor),
            view_id=view_id,
        )

    return act


# --- what an allowed attempt changes ---------------------------------------------------


def stored(model: Any, **where: Any) -> Callable[[Harness, Prep], bool]:
    def done(app: Harness, prep: Prep) -> bool:
        return _count(app, model, **_fill(where, prep)) == 1

    return done


def gone(model: Any, **where: Any) -> Callable[[Harness, Prep], bool]:
    def done(app: Harness, prep: Prep) -> bool:
        return _count(app, model, **_fill(where, prep)) == 0

    return done


def _fill(where: dict[str, Any], prep: Prep) -> dict[str, Any]:
    return {k: v(prep) if callable(v) else v for k, v in where.items()}


def its_subject(prep: Prep) -> str:
    """(In a `stored`/`gone` filter) the attempt's own person or topic."""
    return prep.subject


def _count(app: Harness, model: Any, **where: Any) -> int:
    with app.db.begin() as session:
        query = select(model).filter_by(team_id=TEAM, **where)
        return len(session.scalars(query).all())


def ticket_is(**expected: Any) -> Callable[[Harness, Prep], bool]:
    def done(app: Harness, prep: Prep) -> bool:
        found = ticket(app, prep.number)
        return all(getattr(found, k) == v for k, v in expected.items())

    return done


def escalated(app: Harness, prep: Prep) -> bool:
    return ticket(app, prep.number).escalated_at is not None


def modal_opened(app: Harness, prep: Prep) -> bool:
    return len(app.slack.views) == prep.views + 1


def filed_one_more(app: Harness, prep: Prep) -> bool:
    return len(tickets(app)) == prep.number + 1


def counted(app: Harness, persona: str) -> Prep:
    return Prep(number=len(tickets(app)))


RESOLUTION = {"root_cause": "expired cert", "solution": "renewed it"}
PACKET = {"impact": "3 customers", "steps": "export", "tried": "retry"}
NOT_ADMIN, NOT_FOR_OTHERS = "error.not_admin", "role.away.not_allowed"

CASES: dict[str, Case] = {
    "/role assign": Case(
        nothing,
        command("/role", "assign <@{s}> pm"),
        stored(RoleAssignment, user_id=its_subject, role_key="product-manager"),
        NOT_ADMIN,
    ),
    "/role unassign": Case(
        holding_pm,
        command("/role", "unassign <@{s}> pm"),
        gone(RoleAssignment, user_id=its_subject),
        NOT_ADMIN,
    ),
    "/role backup": Case(
        nothing,
        command("/role", "backup pm <@{s}>"),
        stored(RoleBackup, user_id=its_subject),
        NOT_ADMIN,
    ),
    "/role away (someone else)": Case(
        nothing,
        command("/role", "away <@{s}> until 2099-01-01"),
        stored(Absence, user_id=its_subject),
        NOT_FOR_OTHERS,
    ),
    "/role back (someone else)": Case(
        away, command("/role", "back <@{s}>"), gone(Absence, user_id=its_subject), NOT_FOR_OTHERS
    ),
    "/role away (oneself)": Case(
        lambda app, persona: Prep(subject=PEOPLE[persona]),
        command("/role", "away me until 2099-01-01"),
        stored(Absence, user_id=its_subject),
        "",
    ),
    "/owner set": Case(
        nothing,
        command("/owner", "set roadmap <@{s}>"),
        stored(OwnerOverride, user_id=its_subject),
        NOT_ADMIN,
    ),
    "/owner unset": Case(
        roadmap_owned, command("/owner", "unset roadmap"), gone(OwnerOverride), NOT_ADMIN
    ),
    "/owner add": Case(
        nothing,
        command("/owner", "add quasar {s} pm"),
        stored(CustomArea, name=lambda prep: f"quasar {prep.subject}", role_key="product-manager"),
        NOT_ADMIN,
    ),
    "/rolecall config <key> <value>": Case(
        tz_reset,
        command("/rolecall", "config default_tz Asia/Tokyo"),
        stored(WorkspaceSetting, key="default_tz", value="Asia/Tokyo"),
        NOT_ADMIN,
    ),
    "/rolecall config <key> reset": Case(
        tz_set,
        command("/rolecall", "config default_tz reset"),
        gone(WorkspaceSetting, key="default_tz"),
        NOT_ADMIN,
    ),
    "/issue <summary>": Case(counted, command("/issue", "printer on fire"), filed_one_more, ""),
    "/issue take": Case(
        filed(assigned=False),
        command("/issue", "take {n}"),
        lambda app, prep: ticket(app, prep.number).assignee_id not in (None, ASSIGNEE),
        "issue.take.not_allowed",
    ),
    "/issue assign": Case(
        filed(),
        command("/issue", f"assign {{n}} <@{TARGET}>"),
        ticket_is(assignee_id=TARGET),
        "issue.assign.not_allowed",
    ),
    "/issue status analyzing": Case(
        filed(),
        command("/issue", "status {n} analyzing"),
        ticket_is(status="analyzing"),
        "issue.analyze.not_allowed",
    ),
    "/issue escalate <note>": Case(
        filed(), command("/issue", "escalate {n} urgent!"), escalated, "issue.escalate.not_allowed"
    ),
    "/issue escalate (modal)": Case(
        filed(), command("/issue", "escalate {n}"), modal_opened, "issue.escalate.not_allowed"
    ),
    "/issue resolve": Case(
        filed(),
        command("/issue", "resolve {n} root cause: a; solution: b"),
        ticket_is(status="resolved", root_cause="a"),
        "issue.resolve.not_allowed",
    ),
    "/issue close": Case(
        filed("resolved"),
        command("/issue", "close {n}"),
        ticket_is(status="closed"),
        "issue.close.not_allowed",
    ),
    "/issue reopen": Case(
        filed("closed"),
        command("/issue", "reopen {n}"),
        ticket_is(status="analyzing"),
        "issue.reopen.not_allowed",
    ),
    "button take": Case(
        filed(assigned=False),
        button("issue_take"),
        lambda app, prep: ticket(app, prep.number).assignee_id not in (None, ASSIGNEE),
        "issue.take.not_allowed",
    ),
    "button analyzing": Case(
        filed(),
        button("issue_analyze"),
        ticket_is(status="analyzing"),
        "issue.analyze.not_allowed",
    ),
    "button escalate (modal)": Case(
        filed(), button("issue_escalate"), modal_opened, "issue.escalate.not_allowed"
    ),
    "button resolve (modal)": Case(
        filed(), button("issue_resolve"), modal_opened, "issue.resolve.not_allowed"
    ),
    "button close": Case(
        filed("resolved"),
        button("issue_close"),
        ticket_is(status="closed"),
        "issue.close.not_allowed",
    ),
    "button reopen": Case(
        filed("closed"),
        button("issue_reopen"),
        ticket_is(status="analyzing"),
        "issue.reopen.not_allowed",
    ),
    "modal file": Case(
        counted, modal("issue_file", {"summary": "export crashes"}), filed_one_more, ""
    ),
    "reaction :ticket:": Case(
        lambda app, persona: Prep(
            number=len(tickets(app)),
            subject=app.slack.post_user_message("C0GENERAL", REPORTER, f"{persona}: it broke"),
        ),
        lambda app, actor, prep: react(app, "C0GENERAL", prep.subject, actor),
        filed_one_more,
        "",
    ),
    "modal resolve": Case(
        filed(modal="issue_resolve"),
        modal("issue_resolve_modal", RESOLUTION),
        ticket_is(status="resolved", root_cause="expired cert"),
        "issue.resolve.not_allowed",
    ),
    "modal escalate": Case(
        filed(modal="issue_escalate"),
        modal("issue_escalate_modal", PACKET),
        escalated,
        "issue.escalate.not_allowed",
    ),
}


def _store(app: Harness) -> dict[str, list[str]]:
    """Every row the app keeps (cached Slack profiles aside), comparable before and after."""
    with app.db.begin() as session:
        return {
            table.name: sorted(repr(tuple(row)) for row in session.execute(select(table)))
            for table in Base.metadata.sorted_tables
            if table.name not in ("user_profiles", "seen_signatures")
        }


def _shown(app: Harness, reply: Reply) -> str:
    """What the person read: the ack, a response_url answer, or a modal's field errors."""
    body = reply.json
    parts = [reply.text, *map(str, (body.get("errors") or {}).values())]
    parts += [str(r.get("text", "")) for r in app.responses(reply.response_key)]
    return "\n".join(parts)


def test_the_matrix_covers_every_case() -> None:
    assert set(MATRIX) == set(CASES)


@pytest.mark.parametrize("action", list(MATRIX))
def test_who_may_do_what(people: Harness, action: str) -> None:
    case = CASES[action]
    for persona, actor in PEOPLE.items():
        prep = case.setup(people, persona)
        before = _store(people)
        reply = case.act(people, actor, prep)
        assert reply.status == 200, (action, persona)
        if persona in MATRIX[action]:
            assert case.done(people, prep), (action, persona, _shown(people, reply))
            continue
        assert _store(people) == before, (action, persona)
        assert len(people.slack.views) == prep.views, (action, persona)  # no modal opened
        refusal = t("en", case.refusal, number=prep.number)
        assert refusal[:100] in _shown(people, reply), (action, persona, _shown(people, reply))
        assert "not allowed" in refusal or "Only admins" in refusal or "only yourself" in refusal


# --- beyond the six kinds of person ------------------------------------------------------


def test_tech_leads_work_a_ticket_once_it_is_escalated(people: Harness) -> None:
    people.command("/issue", "data loss", user=REPORTER)
    refused = people.command("/issue", "take 1", user=TECH_LEAD)
    assert "not allowed to take #1" in refused.text and ticket(people, 1).assignee_id is None
    people.command("/issue", "escalate 1 rows vanish", user=REP)
    assert "#1" in people.command("/issue", "take 1", user=TECH_LEAD).text
    people.command("/issue", "resolve 1 root cause: race; solution: lock", user=TECH_LEAD)
    assert (ticket(people, 1).assignee_id, ticket(people, 1).status) == (TECH_LEAD, "resolved")


def test_configured_admins_work_tickets(people: Harness) -> None:
    people.command("/issue", "printer on fire", user=REPORTER)
    assert "not allowed" in people.command("/issue", "take 1", user=NOBODY).text
    people.command("/rolecall", f"config admins <@{NOBODY}>", user=ADMIN)
    people.command("/issue", "take 1", user=NOBODY)
    assert ticket(people, 1).assignee_id == NOBODY


def test_an_assignee_cannot_hand_the_ticket_on(people: Harness) -> None:
    people.command("/issue", "printer on fire", user=REPORTER)
    people.command("/issue", f"assign 1 <@{ASSIGNEE}>", user=REP)
    handed = people.command("/issue", f"assign 1 <@{NOBODY}>", user=ASSIGNEE)
    assert "not allowed to assign #1" in handed.text
    assert ticket(people, 1).assignee_id == ASSIGNEE


def test_a_reporter_closes_their_own_ticket_without_an_admin_lookup(people: Harness) -> None:
    people.command("/issue", "printer on fire", user=REPORTER)
    people.command("/issue", "resolve 1 root cause: toner; solution: new toner", user=REP)
    people.slack.fail_next("users.info", status=500, times=5)  # Slack is down: not needed
    assert "closed" in people.command("/issue", "close 1", user=REPORTER).text


# --- the rule's own promise ---------------------------------------------------------------


@dataclass
class _Ticket:
    reporter_id: str
    assignee_id: str | None = None
    escalated_at: datetime | None = None


def test_may_follows_the_table() -> None:
    plain = _Ticket("UREP", "UASG")
    escalated_one = _Ticket("UREP", "UASG", datetime(2026, 1, 1, tzinfo=UTC))
    support = Actor("USUP", frozenset({"customer-support"}))
    lead = Actor("ULEAD", frozenset({"tech-lead"}))
    owner = Actor("UPO", frozenset({"product-owner"}))
    for action in TICKET_RULES:
        assert may(Actor("UADM", is_admin=True), action, plain), action
        assert may(owner, action, plain) and may(support, action, plain), action
        assert not may(Actor("UNOBODY"), action, plain), action
        assert not may(lead, action, plain) and may(lead, action, escalated_one), action
        assert may(Actor("UASG"), action, plain) == (action not in ("take", "assign")), action
        assert may(Actor("UREP"), action, plain) == (action in ("close", "reopen")), action


def test_only_agents_ever_choose_the_assignee() -> None:
    """Every sequence of allowed steps (to depth 4) by a small cast: each change of assignee
    is made by someone standing as an agent, so an assignee's powers always come from an
    agent; and whoever is neither agent, assignee nor reporter can do nothing."""
    cast = [
        Actor("UAGENT", frozenset({"customer-support"})),
        Actor("ULEAD", frozenset({"tech-lead"})),
        Actor("UREP"),
        Actor("UX"),
        Actor("UY"),
    ]
    states: set[tuple[str | None, datetime | None]] = {(None, None)}
    frontier = list(states)
    for _ in range(4):
        found = []
        for assignee, when in frontier:
            state = _Ticket("UREP", assignee, when)
            for actor, action in itertools.product(cast, TICKET_RULES):
                if not may(actor, action, state):
                    continue
                for after in _effects(actor, action, state, cast):
                    if after[0] != assignee:
                        assert standings(actor, state) & AGENT_STANDINGS, (actor, action, state)
                    if after not in states:
                        states.add(after)
                        found.append(after)
        frontier = found
    assert ("UX", None) in states  # anyone can be assigned, by an agent
    for assignee, when in states:
        state = _Ticket("UREP", assignee, when)
        for actor in cast[2:]:
            if actor.user_id not in (assignee, "UREP"):
                assert not any(may(actor, action, state) for action in TICKET_RULES)


def _effects(
    actor: Actor, action: str, state: _Ticket, cast: list[Actor]
) -> list[tuple[str | None, datetime | None]]:
    """(assignee, escalated_at) after `action` (as services.tickets applies it)."""
    if action == "take":
        return [(actor.user_id, state.escalated_at)]
    if action == "assign":
        return [(person.user_id, state.escalated_at) for person in cast]
    if action in ("analyze", "resolve"):
        return [(state.assignee_id or actor.user_id, state.escalated_at)]
    if action == "escalate":
        return [(state.assignee_id, state.escalated_at or datetime(2026, 1, 1, tzinfo=UTC))]
    return [(state.assignee_id, state.escalated_at)]


def test_the_rule_is_in_the_help_in_both_languages(people: Harness) -> None:
    english = people.command("/issue", "help", user=NOBODY).text
    assert "Who: anyone files" in english and "cannot hand it on" in english
    people.slack.add_user("UZH", "zh", locale="zh-CN")
    people.command("/issue", "help", user="UZH")  # first contact: profile fetched after ack
    assert "权限：任何人都可以登记" in people.command("/issue", "help", user="UZH").text
