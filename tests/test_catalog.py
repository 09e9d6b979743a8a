"""The shipped catalogue and the loader's checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DEFAULT_CATALOG
from domain.catalog import CatalogError, load_catalog

ROLE_KEYS = [
    "product-manager",
    "product-owner",
    "ux-ui-designer",
    "tech-lead",
    "marketing",
    "customer-support",
    "project-manager",
    "user-researcher",
]


def test_default_catalogue_has_every_role_of_the_article() -> None:
    catalog = load_catalog(DEFAULT_CATALOG)
    assert list(catalog.roles) == ROLE_KEYS
    assert catalog.roles["tech-lead"].name_zh == "技术负责人"
    assert catalog.areas["roadmap"].owner == "product-manager"
    owners = {area.owner for area in catalog.areas.values()}
    assert owners == set(ROLE_KEYS) - {"project-manager", "user-researcher"}
    assert "marketing" in catalog.areas["competitor-analysis"].contributors


def test_roles_are_found_by_any_name() -> None:
    catalog = load_catalog(DEFAULT_CATALOG)
    for name in ("PM", "product manager", "产品经理", "product-manager"):
        role = catalog.find_role(name)
        assert role is not None and role.key == "product-manager", name
    assert catalog.find_role("astronaut") is None


def test_every_role_has_questions_in_both_languages() -> None:
    for role in load_catalog(DEFAULT_CATALOG).roles.values():
        assert role.standup and role.progress
        assert all(q.en and q.zh for q in (*role.standup, *role.progress))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "roles:\n  - key: a\n    name: {en: A, zh: 甲\n")
    with pytest.raises(CatalogError, match=r"line \d"):
        load_catalog(path)


def test_unknown_owner_names_the_line(tmp_path: Path) -> None:
    text = (
        "roles:\n"
        "  - key: a\n"
        "    name: {en: A, zh: 甲}\n"
        "areas:\n"
        "  - key: x\n"
        "    name: {en: X, zh: 乙}\n"
        "    owner: nobody\n"
    )
    with pytest.raises(CatalogError, match=r"line 5: area 'x' names unknown role 'nobody'"):
        load_catalog(_write(tmp_path, text))


def test_missing_chinese_name_is_reported(tmp_path: Path) -> None:
    text = "roles:\n  - key: a\n    name: {en: A}\nareas: []\n"
    with pytest.raises(CatalogError, match="name.zh"):
        load_catalog(_write(tmp_path, text))


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "nope.yml")
