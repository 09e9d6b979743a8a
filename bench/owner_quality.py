"""How well `/owner` answers the labelled questions in tests/data/owner_queries.yml, and how fast.

Run by hand (not part of the test suite):

    .venv/bin/python -m bench.owner_quality [--rounds 20] [--quiet]

An *answer* is any reply that names owners: one area, several areas, or a role. A query
with nothing to answer gets "nobody, but maybe: …" (suggestions) instead.

- precision = correct answers / answers
- recall    = correct answers / queries that have an owner (expect is not `none`)
- confidently wrong = answers that name the wrong area(s) or role
- no-owner answered = `none` queries that got an answer anyway (counted in the wrong ones)
- right overall = correct answers, plus `none` queries left unanswered whose required
  suggestions were offered, over all queries

Latency is the matcher's own time per question (it runs inside the ack), over the default
catalogue and over the default catalogue plus 200 custom areas as bench/seed.py makes them.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.settings import DEFAULT_CATALOG
from domain.catalog import Area, Catalog, load_catalog
from domain.matching import is_topic, match_topic

QUERIES = Path(__file__).resolve().parent.parent / "tests" / "data" / "owner_queries.yml"
CUSTOM_AREAS = 200


@dataclass(frozen=True)
class Case:
    """One labelled question."""

    query: str
    expect: tuple[str, ...]  # area keys, ("role:<key>",) or () for none
    suggest: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What `/owner` would reply: areas, a role, or suggestions."""

    areas: tuple[str, ...] = ()
    role: str | None = None
    suggestions: tuple[str, ...] = ()

    @property
    def answered(self) -> tuple[str, ...]:
        """The owners named, in the labels' terms (empty: nothing was answered)."""
        return (f"role:{self.role}",) if self.role else self.areas


@dataclass
class Report:
    """The figures, and the questions answered wrongly or not at all."""

    total: int = 0
    owned: int = 0
    answers: int = 0
    correct: int = 0
    wrong: list[tuple[Case, Outcome]] = field(default_factory=list)
    no_owner_answered: int = 0
    missed: list[tuple[Case, Outcome]] = field(default_factory=list)
    bad_suggestions: list[tuple[Case, Outcome]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Correct answers over answers."""
        return self.correct / self.answers if self.answers else 1.0

    @property
    def recall(self) -> float:
        """Correct answers over questions that have an owner."""
        return self.correct / self.owned if self.owned else 1.0

    @property
    def right(self) -> int:
        """Questions handled as labelled."""
        return self.total - len(self.wrong) - len(self.missed) - len(self.bad_suggestions)


def load_cases(path: Path = QUERIES) -> list[Case]:
    """The labelled questions."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]
    return [_case(row) for row in rows]


def _case(row: dict[str, Any]) -> Case:
    expect = row["expect"]
    keys = tuple(expect) if isinstance(expect, list) else () if expect == "none" else (expect,)
    return Case(str(row["query"]), keys, tuple(row.get("suggest") or ()))


def outcome(query: str, catalog: Catalog) -> Outcome:
    """What `/owner <query>` answers, decided as services.owner.answer_topic decides it."""
    if not is_topic(query):
        return Outcome()
    match = match_topic(query, catalog.areas.values(), catalog.roles.values())
    if match.role is not None:
        return Outcome(role=match.role.key)
    return Outcome(
        areas=tuple(h.area.key for h in match.hits),
        suggestions=tuple(a.key for a in match.suggestions),
    )


def evaluate(cases: Iterable[Case], catalog: Catalog) -> Report:
    """Score every question against its label."""
    report = Report()
    for case in cases:
        got = outcome(case.query, catalog)
        report.total += 1
        report.owned += bool(case.expect)
        if got.answered:
            report.answers += 1
            if sorted(got.answered) == sorted(case.expect):
                report.correct += 1
            else:
                report.wrong.append((case, got))
                report.no_owner_answered += not case.expect
        elif case.expect:
            report.missed.append((case, got))
        elif not set(case.suggest) <= set(got.suggestions):
            report.bad_suggestions.append((case, got))
    return report


def with_custom_areas(catalog: Catalog, count: int = CUSTOM_AREAS) -> Catalog:
    """The catalogue plus `count` run-time areas, named as bench/seed.py names them."""
    roles = list(catalog.roles)
    extra = [
        Area(
            key=f"custom-area-{i}",
            name_en=f"Custom area {i}",
            name_zh=f"Custom area {i}",
            owner=roles[i % 6],
            aliases=(f"custom topic {i}", f"自定义领域{i}"),
            custom=True,
        )
        for i in range(count)
    ]
    return catalog.with_extra([], extra)


def latency(cases: list[Case], catalog: Catalog, rounds: int) -> tuple[float, ...]:
    """p50 and p99 in milliseconds of one question's matching over `rounds` passes; then
    the same over each question's fastest pass, which a busy machine disturbs less."""
    for case in cases:  # warm-up: per-area caches
        outcome(case.query, catalog)
    timings: list[float] = []
    best = [float("inf")] * len(cases)
    for _ in range(rounds):
        for i, case in enumerate(cases):
            started = time.perf_counter()
            outcome(case.query, catalog)
            took = (time.perf_counter() - started) * 1000
            timings.append(took)
            best[i] = min(best[i], took)
    return (*_p50_p99(timings), *_p50_p99(best))


def _p50_p99(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _show(case: Case, got: Outcome) -> str:
    expect = ", ".join(case.expect) or "none"
    if got.answered:
        said = ", ".join(got.answered)
    else:
        said = "none" + (f" (maybe: {', '.join(got.suggestions)})" if got.suggestions else "")
    need = f"; must suggest {', '.join(case.suggest)}" if case.suggest else ""
    return f"  {case.query!r}: expected {expect}{need}; got {said}"


def main() -> None:
    """Score the labelled set, time the matcher, print both."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--quiet", action="store_true", help="figures only")
    args = parser.parse_args()
    catalog = load_catalog(DEFAULT_CATALOG)
    cases = load_cases()
    report = evaluate(cases, catalog)
    print(f"{report.total} questions, {report.owned} with an owner ({QUERIES.name})")
    print(f"precision  {report.precision:7.1%}  ({report.correct}/{report.answers} answers)")
    print(f"recall     {report.recall:7.1%}  ({report.correct}/{report.owned} with an owner)")
    print(f"confidently wrong     {len(report.wrong)}")
    print(f"no-owner answered     {report.no_owner_answered}")
    print(f"owned, not answered   {len(report.missed)}")
    print(f"suggestions missing   {len(report.bad_suggestions)}")
    print(f"right overall {report.right / report.total:7.1%}  ({report.right}/{report.total})")
    if not args.quiet:
        for title, rows in (
            ("confidently wrong:", report.wrong),
            ("owned, not answered:", report.missed),
            ("suggestions missing:", report.bad_suggestions),
        ):
            if rows:
                print(title)
                print("\n".join(_show(case, got) for case, got in rows))
    for name, where in (
        ("default catalogue", catalog),
        (f"+{CUSTOM_AREAS} custom areas", with_custom_areas(catalog)),
    ):
        p50, p99, best50, best99 = latency(cases, where, args.rounds)
        runs = args.rounds * len(cases)
        print(
            f"matcher, {name:<22} n={runs:>6}  p50={p50:6.3f} ms  p99={p99:6.3f} ms"
            f"  (fastest of {args.rounds} per question: p50={best50:6.3f} p99={best99:6.3f})"
        )


if __name__ == "__main__":
    main()
