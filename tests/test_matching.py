"""Forgiving topic matching: names, aliases, phrases, typos, and no noise from junk."""

from __future__ import annotations

import pytest

from bot.settings import DEFAULT_CATALOG
from domain.catalog import Area, load_catalog
from domain.matching import ALIAS, CONTAINS, EXACT, FUZZY, is_topic, match_topic


@pytest.fixture(scope="module")
def areas() -> list[Area]:
    return list(load_catalog(DEFAULT_CATALOG).areas.values())


@pytest.mark.parametrize(
    ("query", "key", "kind", "via"),
    [
        ("roadmap", "roadmap", EXACT, "Roadmap"),
        ("ROADMAP", "roadmap", EXACT, "Roadmap"),
        ("路线图", "roadmap", ALIAS, "路线图"),
        ("code review", "code-review", EXACT, "Code Review"),
        ("Code-Review", "code-review", EXACT, "Code Review"),
        ("roadmpa", "roadmap", FUZZY, "Roadmap"),
        ("code reveiw", "code-review", FUZZY, "Code Review"),
        ("用户测式", "user-testing", FUZZY, "用户测试"),
        ("谁负责路线图", "roadmap", CONTAINS, "路线图"),
        ("who owns the roadmap", "roadmap", CONTAINS, "Roadmap"),
        ("pr review", "code-review", ALIAS, "pr review"),
    ],
)
def test_one_area(areas: list[Area], query: str, key: str, kind: str, via: str) -> None:
    result = match_topic(query, areas)
    assert result.best is not None, result
    assert (result.best.area.key, result.best.kind, result.best.via) == (key, kind, via)


def test_a_longer_name_wins_over_a_name_inside_it(areas: list[Area]) -> None:
    assert [h.area.key for h in match_topic("谁负责代码评审", areas).hits] == ["code-review"]


def test_several_matches_are_listed(areas: list[Area]) -> None:
    keys = {h.area.key for h in match_topic("research", areas).hits}
    assert {"user-research", "market-research"} <= keys
    both = match_topic("who owns code review and the roadmap", areas)
    assert {h.area.key for h in both.hits} == {"code-review", "roadmap"}


def test_no_match_suggests_the_closest(areas: list[Area]) -> None:
    result = match_topic("roadmop planing", areas)
    assert result.hits == () or result.hits[0].area.key == "roadmap"
    none = match_topic("kubernetes", areas)
    assert none.hits == () and len(none.suggestions) <= 3


@pytest.mark.parametrize(
    "junk", ["", "   ", "a", "🔥🔥🔥", "x" * 5000, "'; DROP TABLE x;--", "<!channel>", "xyzzy"]
)
def test_junk_matches_nothing(areas: list[Area], junk: str) -> None:
    assert match_topic(junk, areas).hits == ()


def test_is_topic() -> None:
    assert is_topic("roadmap") and is_topic("路线图") and is_topic("who owns the roadmap?")
    for junk in ("", "🔥", "a", "x" * 5000, "'; DROP TABLE x;--", "<!channel>"):
        assert not is_topic(junk), junk


def test_custom_areas_match_too(areas: list[Area]) -> None:
    extra = Area(
        key="data-platform",
        name_en="Data Platform",
        name_zh="Data Platform",
        owner="tech-lead",
        custom=True,
    )
    result = match_topic("data platfrom", [*areas, extra])
    assert result.best is not None and result.best.area.key == "data-platform"


def test_suggestions_prefer_names_containing_the_query_and_skip_noise() -> None:
    from bot.settings import DEFAULT_CATALOG
    from domain.catalog import load_catalog

    areas = load_catalog(DEFAULT_CATALOG).areas.values()
    bug = match_topic("bug", areas)
    assert not bug.hits and "resource-coordination" not in [a.key for a in bug.suggestions]
    assert "issue-resolution" in [a.key for a in bug.suggestions]
    assert match_topic("pricing", areas).suggestions == ()
