"""Standup answers as data, directly: blocker lines, carried-over blockers and their age,
routing through a resolver, the weekly update's pre-filled values, the queue figures and
the digest's layout."""

from __future__ import annotations

from datetime import date, timedelta

from domain.standup import (
    Blocker,
    DayAnswer,
    DigestEntry,
    QueueFigures,
    blocker_lines,
    blockers_from_json,
    blockers_to_json,
    bullets,
    carry_over,
    digest_layout,
    fingerprint,
    item_lines,
    progress_period,
    queue_summary,
    route_blockers,
    same_blocker,
    targets,
    weekly_prefill,
)
from i18n import t

MON = date(2026, 3, 9)
TUE, WED, THU, FRI = (MON + timedelta(days=n) for n in range(1, 5))


def test_blocker_lines_drop_bullets_blanks_and_none() -> None:
    text = "- waiting on design\n\n* 2. \n1. code review for #42\n• 需要技术负责人评审\n(3) legal"
    text += "\n3.5 release is late\n2、等设计稿"
    assert blocker_lines(text) == [
        "waiting on design",
        "code review for #42",
        "需要技术负责人评审",
        "legal",
        "3.5 release is late",
        "等设计稿",
    ]
    for nothing in ("none", "None.", "N/A", "no blockers", "无", "没有。", "- nothing", ""):
        assert blocker_lines(nothing) == [], nothing
    assert item_lines(None) == []


def test_a_blocker_is_compared_without_case_punctuation_markup_or_filler() -> None:
    assert fingerprint("Still waiting on <@U0DESIGN|dana> for mockups!") == (
        "waiting on u0design for mockups"
    )
    assert fingerprint("see <https://example.com/x|the spec> :eyes:") == "see spec"
    assert same_blocker("Waiting on design review.", "waiting on design review")
    assert same_blocker("still waiting on design review", "Waiting on design review")
    assert same_blocker("staging is down again", "staging down")
    assert same_blocker("还在等技术负责人评审", "等技术负责人评审")
    assert same_blocker(
        "waiting for legal sign-off on pricing", "waiting on legal sign off for pricing"
    )
    assert not same_blocker("waiting on design", "waiting on marketing")
    assert not same_blocker("code review", "design review")
    assert not same_blocker("等设计稿", "等市场部")
    assert not same_blocker("waiting on <@U1>", "waiting on <@U2>")


def test_a_carried_blocker_keeps_its_first_day_and_ages() -> None:
    monday = carry_over(["waiting on design review", "CI is red"], [], MON)
    assert [b.since for b in monday] == [MON, MON]
    assert not any(b.carried(MON) for b in monday)
    tuesday = carry_over(["Still waiting on design review", "need API keys"], monday, TUE)
    assert tuesday == [
        Blocker("Still waiting on design review", MON),
        Blocker("need API keys", TUE),
    ]
    assert tuesday[0].carried(TUE) and tuesday[0].age_days(TUE) == 1
    thursday = carry_over(["waiting on design review!!"], tuesday, THU)  # no answer Wednesday
    assert thursday[0].since == MON and thursday[0].age_days(THU) == 3
    assert not tuesday[1].carried(TUE) and tuesday[1].age_days(TUE) == 0


def test_blockers_are_stored_with_their_first_day() -> None:
    blockers = [Blocker("waiting on design", MON), Blocker("需要技术负责人评审", TUE)]
    stored = blockers_to_json(blockers)
    assert stored[0] == {"text": "waiting on design", "since": "2026-03-09"}
    assert blockers_from_json(stored) == tuple(blockers)
    assert blockers_from_json([{"text": "no date"}, {"text": "x", "since": "soon"}]) == ()


def test_each_previous_blocker_is_carried_once() -> None:
    previous = [Blocker("waiting on design", MON)]
    today = carry_over(["waiting on design", "waiting on design!"], previous, TUE)
    assert [b.since for b in today] == [MON, TUE]


def test_blockers_route_through_any_resolver_and_each_target_is_told_once() -> None:
    roles = {"design": "ux-ui-designer", "code review": "tech-lead", "技术负责人": "tech-lead"}

    def resolve(text: str) -> str | None:
        return next((role for word, role in roles.items() if word in text.lower()), None)

    blockers = carry_over(
        ["waiting on design", "blocked on code review", "需要技术负责人评审", "the printer"],
        [],
        MON,
    )
    routed = route_blockers(blockers, resolve)
    assert [target for _, target in routed] == ["ux-ui-designer", "tech-lead", "tech-lead", None]
    assert targets(routed) == ["ux-ui-designer", "tech-lead"]


def test_the_weekly_update_writes_itself_from_the_week() -> None:
    design = Blocker("waiting on design review", MON)
    week = [
        DayAnswer(WED, "- shipped export\n- fixed login", "- billing page", (design,)),
        DayAnswer(MON, "• planned Q3 roadmap", "- export", (design, Blocker("CI is red", MON))),
        DayAnswer(FRI, "- billing page\n- Fixed login.", "- pricing review\n- hiring", (design,)),
    ]
    prefill = weekly_prefill(week)
    assert prefill.done == ("planned Q3 roadmap", "shipped export", "fixed login", "billing page")
    assert prefill.planned == ("pricing review", "hiring")
    assert prefill.open_blockers == (design,) and prefill.open_blockers[0].age_days(FRI) == 4
    assert prefill.resolved_blockers == (Blocker("CI is red", MON),)
    assert prefill.days_answered == 3
    assert bullets(prefill.planned) == "• pricing review\n• hiring"
    assert weekly_prefill([]).done == () and weekly_prefill([]).days_answered == 0


def test_a_weekly_update_covers_the_seven_days_up_to_its_day() -> None:
    assert progress_period(FRI) == (date(2026, 3, 7), FRI)


def test_queue_figures_are_messages_in_both_languages() -> None:
    figures = QueueFigures(
        filed=12, resolved=9, open=5, oldest_open_days=6, open_by_severity={"high": 2, "low": 3}
    )
    parts = queue_summary(figures)
    assert [key for key, _ in parts] == [
        "standup.queue.filed",
        "standup.queue.resolved",
        "standup.queue.open",
        "standup.queue.oldest",
        "standup.queue.high",
        "standup.queue.low",
    ]
    english = ", ".join(t("en", key, **params) for key, params in parts)
    assert english == "12 filed, 9 resolved, 5 open, oldest open 6 days, 2 high, 3 low"
    chinese = "，".join(t("zh", key, **params) for key, params in parts)
    assert chinese.startswith("新建 12 个，已解决 9 个") and "紧急" not in chinese
    empty = queue_summary(QueueFigures(filed=0, resolved=0, open=0, oldest_open_days=None))
    assert [key for key, _ in empty] == [
        "standup.queue.filed",
        "standup.queue.resolved",
        "standup.queue.open",
    ]


def test_the_digest_puts_blockers_first_groups_by_role_then_who_is_out_and_missing() -> None:
    stuck = (Blocker("waiting on design", MON),)
    entries = [
        DigestEntry("U1", ("tech-lead",), "answered"),
        DigestEntry("U2", ("product-manager", "tech-lead"), "answered", stuck),
        DigestEntry("U3", ("ux-ui-designer",), "away"),
        DigestEntry("U4", ("tech-lead",), "reminded"),
        DigestEntry("U5", ("ux-ui-designer",), "answered"),
        DigestEntry("U6", ("custom-role",), "answered"),
        DigestEntry("U7", ("tech-lead",), "skipped"),
        DigestEntry("U8", ("tech-lead",), "missed"),
    ]
    layout = digest_layout(entries, ["product-manager", "ux-ui-designer", "tech-lead"])
    assert [e.user_id for e in layout.blocked] == ["U2"]
    assert [(role, [e.user_id for e in group]) for role, group in layout.by_role] == [
        ("product-manager", ["U2"]),
        ("ux-ui-designer", ["U5"]),
        ("tech-lead", ["U1"]),
        ("custom-role", ["U6"]),
    ]
    assert [e.user_id for e in layout.out] == ["U3", "U7"]
    assert [e.user_id for e in layout.waiting] == ["U4", "U8"]
