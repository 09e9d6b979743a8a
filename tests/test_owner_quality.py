"""`/owner` on the labelled questions: never confidently wrong, nearly always right (issue 10)."""

from __future__ import annotations

import pytest

from bench.owner_quality import Case, Outcome, evaluate, load_cases
from bot.settings import DEFAULT_CATALOG
from domain.catalog import Catalog, load_catalog
from domain.text import compact
from tests.harness import Harness


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(DEFAULT_CATALOG)


def _listed(rows: list[tuple[Case, Outcome]]) -> list[str]:
    return [f"{case.query!r} → {got.answered or got.suggestions}" for case, got in rows]


def test_the_labelled_set_is_large_and_bilingual() -> None:
    cases = load_cases()
    chinese = [c for c in cases if any("\u4e00" <= ch <= "\u9fff" for ch in c.query)]
    assert len(cases) >= 200 and len(chinese) >= 80
    assert sum(not c.expect for c in cases) >= 40  # topics no role owns
    assert sum(c.expect[:1] == ("role:project-manager",) for c in cases) >= 2


def test_never_confidently_wrong_and_nearly_always_right(catalog: Catalog) -> None:
    report = evaluate(load_cases(), catalog)
    assert report.wrong == [], _listed(report.wrong)
    assert report.bad_suggestions == [], _listed(report.bad_suggestions)
    assert report.right >= 0.95 * report.total, _listed(report.missed)


def test_the_labels_name_what_the_catalogue_has(catalog: Catalog) -> None:
    for case in load_cases():
        for key in (*case.expect, *case.suggest):
            keys = catalog.roles if key.startswith("role:") else catalog.areas
            assert key.removeprefix("role:") in keys, (case.query, key)


def test_no_name_means_two_things(catalog: Catalog) -> None:
    """The catalogue's rule, which the matcher relies on: a name or alias names one thing."""
    owner: dict[str, str] = {}
    named = [(f"role:{r.key}", r.names) for r in catalog.roles.values()]
    named += [(a.key, a.names) for a in catalog.areas.values()]
    for key, names in named:
        for name in names:
            assert owner.setdefault(compact(name), key) == key, (name, owner[compact(name)], key)


def _seed(app: Harness) -> None:
    for user in ("UALICE", "UBOB", "UCAROL"):
        app.command("/owner", "help", user=user)  # profiles cached: carol reads Chinese
    app.command("/role", "assign <@UALICE> pm")
    app.command("/role", "assign <@UBOB> tech-lead")
    app.command("/role", "assign <@UCAROL> project-manager")


def test_a_phrase_is_answered_by_its_strongest_word(app: Harness) -> None:
    _seed(app)
    reply = app.command("/owner", "PRD review", user="UBOB")
    assert "Requirements Management" in reply.text and "<@UALICE>" in reply.text
    assert "PRD → Requirements Management" in reply.text and "Code Review" not in reply.text
    zh = app.command("/owner", "PRD 评审", user="UCAROL")
    assert "需求管理" in zh.text and "PRD → 需求管理" in zh.text


@pytest.mark.parametrize(
    ("question", "user", "says"),
    [
        ("项目经理", "UCAROL", "*项目经理*（`project-manager`）是一个角色。"),
        ("user researcher", "UBOB", "*User Researcher* (`user-researcher`) is a role."),
        ("who is the project manager?", "UBOB", "*Project Manager* (`project-manager`) is a role"),
    ],
)
def test_a_role_name_is_the_role(app: Harness, question: str, user: str, says: str) -> None:
    _seed(app)
    reply = app.command("/owner", question, user=user)
    assert says in reply.text
    assert "Project Management" not in reply.text and "User Research*" not in reply.text


@pytest.mark.parametrize(
    ("question", "user", "nothing", "maybe"),
    [
        ("pricing", "UBOB", "Nothing matched “pricing”", "`Market Analysis (市场分析)`"),
        ("定价", "UCAROL", "没有找到与“定价”匹配的领域", "`市场分析 (Market Analysis)`"),
        ("release notes", "UBOB", "Nothing matched", "`Roadmap (产品路线图)`"),
        ("发布说明", "UCAROL", "没有找到", "`客户培训 (Customer Training)`"),
        ("SLA", "UBOB", "Nothing matched", "`Customer Issue Resolution (客户问题解决)`"),
    ],
)
def test_nobody_owns_it_but_maybe(
    app: Harness, question: str, user: str, nothing: str, maybe: str
) -> None:
    _seed(app)
    reply = app.command("/owner", question, user=user)
    assert nothing in reply.text and maybe in reply.text
    assert "<@U" not in reply.text  # nobody is named as its owner


def test_tech_choice_is_technology_choice(app: Harness) -> None:
    _seed(app)
    reply = app.command("/owner", "tech choice", user="UALICE")
    assert "Technical Decisions" in reply.text and "<@UBOB>" in reply.text
    assert "tech choice → Technical Decisions" in reply.text


@pytest.mark.parametrize(
    ("question", "user", "note"),
    [
        ("launch", "UBOB", "launch → Roadmap"),  # what was typed, not the alias "launch date"
        ("who owns the roadmpa?", "UBOB", "roadmpa ≈ Roadmap"),
        ("谁负责路线图", "UCAROL", "路线图 → 产品路线图"),
    ],
)
def test_the_answer_says_why_in_the_words_typed(
    app: Harness, question: str, user: str, note: str
) -> None:
    _seed(app)
    assert note in app.command("/owner", question, user=user).text


@pytest.mark.parametrize(
    ("question", "user"),
    [("who owns the roadmap?", "UBOB"), ("Roadmap", "UBOB"), ("谁负责竞品分析", "UCAROL")],
)
def test_the_area_own_name_needs_no_explanation(app: Harness, question: str, user: str) -> None:
    _seed(app)
    reply = app.command("/owner", question, user=user)
    assert "<@UALICE>" in reply.text
    assert "→" not in reply.text and "≈" not in reply.text
