"""The role catalogue: roles, their areas of responsibility, and their prompt questions.

The catalogue is data (YAML). Loading checks it fully and reports the line of the first
problem, so a team's own `ROLECALL_CATALOG` file fails at start-up, not at the first query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from domain.text import normalize

LANGS = ("en", "zh")


class CatalogError(Exception):
    """The catalogue file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Question:
    """One prompt question in both languages."""

    en: str
    zh: str

    def text(self, lang: str) -> str:
        """The question in `lang` (English when unknown)."""
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Role:
    """A team role: key, names in both languages, aliases and prompt questions."""

    key: str
    name_en: str
    name_zh: str
    aliases: tuple[str, ...] = ()
    description_en: str = ""
    description_zh: str = ""
    standup: tuple[Question, ...] = ()
    progress: tuple[Question, ...] = ()

    def name(self, lang: str) -> str:
        """The role's name in `lang`."""
        return self.name_zh if lang == "zh" else self.name_en

    @property
    def names(self) -> tuple[str, ...]:
        """Every way to name the role."""
        return (self.key, self.name_en, self.name_zh, *self.aliases)


@dataclass(frozen=True)
class Area:
    """An area of responsibility with one owning role and optional contributing roles."""

    key: str
    name_en: str
    name_zh: str
    owner: str
    contributors: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    custom: bool = False
    # Topics close to the area that it does not own ("pricing" near Market Analysis): never
    # an answer, only a suggestion when nothing owns the question.
    related: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        """The area's name in `lang`."""
        return self.name_zh if lang == "zh" else self.name_en

    @property
    def names(self) -> tuple[str, ...]:
        """Every way to name the area."""
        return (self.key, self.name_en, self.name_zh, *self.aliases)


@dataclass(frozen=True)
class Catalog:
    """Roles and areas by key, in catalogue order."""

    roles: dict[str, Role]
    areas: dict[str, Area]
    _role_names: dict[str, str] = field(default_factory=dict, repr=False)
    # Workspace catalogues built on this one, by team, with the version of the custom rows
    # they were built from (services.roles fills it): it lives and dies with this object.
    workspaces: dict[str, tuple[tuple[object, ...], Catalog]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for role in self.roles.values():
            for name in role.names:
                self._role_names.setdefault(normalize(name), role.key)

    def find_role(self, text: str) -> Role | None:
        """The role named by key, English or Chinese name or alias, in any case."""
        key = self._role_names.get(normalize(text))
        return self.roles.get(key) if key else None

    def with_extra(self, roles: list[Role], areas: list[Area]) -> Catalog:
        """This catalogue plus a workspace's run-time roles and areas."""
        if not roles and not areas:
            return self
        return Catalog(
            roles={**self.roles, **{r.key: r for r in roles}},
            areas={**self.areas, **{a.key: a for a in areas}},
        )


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader that records each mapping's line as `__line__`."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def load_catalog(path: Path) -> Catalog:
    """Load and check a catalogue file; raise CatalogError naming the line of a problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        data = yaml.load(text, Loader=_LineLoader)  # safe: _LineLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise CatalogError(f"{path}, line {line}: {exc.problem}") from None
    try:
        return _build(data)
    except _Problem as problem:
        raise CatalogError(f"{path}, line {problem.line}: {problem.message}") from None


class _Problem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _need(node: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = node.get(key)
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise _Problem(node["__line__"], f"{where} needs '{key}' ({kind.__name__})")
    return value


def _names(node: dict[str, Any], where: str) -> tuple[str, str]:
    names = _need(node, "name", dict, where)
    for lang in LANGS:
        if not isinstance(names.get(lang), str) or not names[lang].strip():
            raise _Problem(names["__line__"], f"{where} needs name.{lang}")
    return names["en"].strip(), names["zh"].strip()


def _strings(node: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = node.get(key, []) or []
    if not isinstance(values, list) or not all(isinstance(v, str | int) for v in values):
        raise _Problem(node["__line__"], f"{where}: '{key}' must be a list of strings")
    return tuple(str(v).strip() for v in values if str(v).strip())


def _questions(node: dict[str, Any], kind: str, where: str) -> tuple[Question, ...]:
    items = (node.get("questions") or {}).get(kind, []) or []
    result = []
    for item in items:
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in LANGS):
            raise _Problem(node["__line__"], f"{where}: each {kind} question needs en and zh")
        result.append(Question(en=item["en"], zh=item["zh"]))
    return tuple(result)


def _build(data: Any) -> Catalog:
    if not isinstance(data, dict):
        raise _Problem(1, "the catalogue must be a mapping with 'roles' and 'areas'")
    roles: dict[str, Role] = {}
    for node in _need(data, "roles", list, "the catalogue"):
        if not isinstance(node, dict):
            raise _Problem(data["__line__"], "each role must be a mapping")
        key = _need(node, "key", str, "a role").strip()
        if key in roles:
            raise _Problem(node["__line__"], f"role '{key}' is defined twice")
        en, zh = _names(node, f"role '{key}'")
        desc = node.get("description") or {}
        roles[key] = Role(
            key=key,
            name_en=en,
            name_zh=zh,
            aliases=_strings(node, "aliases", f"role '{key}'"),
            description_en=str(desc.get("en", "")),
            description_zh=str(desc.get("zh", "")),
            standup=_questions(node, "standup", f"role '{key}'"),
            progress=_questions(node, "progress", f"role '{key}'"),
        )
    areas: dict[str, Area] = {}
    for node in _need(data, "areas", list, "the catalogue"):
        if not isinstance(node, dict):
            raise _Problem(data["__line__"], "each area must be a mapping")
        key = _need(node, "key", str, "an area").strip()
        if key in areas:
            raise _Problem(node["__line__"], f"area '{key}' is defined twice")
        en, zh = _names(node, f"area '{key}'")
        owner = _need(node, "owner", str, f"area '{key}'")
        contributors = _strings(node, "contributors", f"area '{key}'")
        for role_key in (owner, *contributors):
            if role_key not in roles:
                raise _Problem(node["__line__"], f"area '{key}' names unknown role '{role_key}'")
        areas[key] = Area(
            key=key,
            name_en=en,
            name_zh=zh,
            owner=owner,
            contributors=contributors,
            aliases=_strings(node, "aliases", f"area '{key}'"),
            related=_strings(node, "related", f"area '{key}'"),
        )
    return Catalog(roles=roles, areas=areas)
