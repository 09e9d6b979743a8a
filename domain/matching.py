"""Forgiving topic matching for `/owner`: exact names and aliases, phrases, small typos.

Pure: areas in, a ranked result out. Each hit says which name matched and how, so the
answer can tell the user why ("路线图 → Roadmap", "roadmpa ≈ Roadmap").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from domain.catalog import Area
from domain.text import compact, has_cjk, normalize

EXACT, ALIAS, CONTAINS, FUZZY, PARTIAL = "exact", "alias", "contains", "fuzzy", "partial"
MAX_HITS = 5
MAX_QUERY = 200  # longer text is not a topic; matching it would only find noise
MAX_WINDOW = 4  # words per phrase compared with a name when looking for typos
SUGGEST_CUTOFF = 85.0  # fuzz.WRatio; below this a suggestion is noise
_WORDY = re.compile(r"[0-9a-z\u3400-\u9fff]")


@dataclass(frozen=True)
class Entry:
    """One way to name an area, pre-normalised."""

    area: Area
    text: str
    norm: str
    flat: str
    primary: bool
    # Whole-word pattern for Latin names (compiled once: the re module's cache is too small
    # for a catalogue's worth of names); Chinese names match anywhere.
    pattern: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Hit:
    """A matched area, the name that matched (`via`) and how (`kind`)."""

    area: Area
    via: str
    kind: str
    score: float

    @property
    def exact(self) -> bool:
        """Whether the user typed one of the area's own names."""
        return self.kind == EXACT


@dataclass(frozen=True)
class MatchResult:
    """Hits best first (several when the topic is ambiguous), or suggestions when none."""

    query: str
    hits: tuple[Hit, ...] = ()
    suggestions: tuple[Area, ...] = field(default_factory=tuple)

    @property
    def best(self) -> Hit | None:
        """The single answer, when there is exactly one."""
        return self.hits[0] if len(self.hits) == 1 else None


@lru_cache(maxsize=8192)
def _entries_of(area: Area) -> tuple[Entry, ...]:
    # Cached per area: the default catalogue is normalised once per process.
    seen: set[str] = set()
    entries = []
    # Own names first, so a hit reports 'Code Review' rather than the key 'code-review'.
    names = (area.name_en, area.name_zh, area.key, *area.aliases)
    for i, text in enumerate(names):
        flat = compact(text)
        if flat and flat not in seen:
            seen.add(flat)
            norm = normalize(text)
            entries.append(Entry(area, text, norm, flat, primary=i < 3, pattern=_word(norm)))
    return tuple(entries)


def _entries(areas: Iterable[Area]) -> list[Entry]:
    return [entry for area in areas for entry in _entries_of(area)]


def _is_junk(norm: str) -> bool:
    flat = norm.replace(" ", "")
    if not _WORDY.search(flat) or len(norm) > MAX_QUERY:
        return True
    return len(flat) < 2  # a single letter names nothing


def match_topic(query: str, areas: Iterable[Area]) -> MatchResult:
    """The areas a topic names: exact, then phrase containment, then small typos."""
    norm = normalize(query)
    if _is_junk(norm):
        return MatchResult(query)
    entries = _entries(areas)
    for finder in (_exact, _phrase, _partial):
        hits = finder(norm, entries)
        if hits:
            return MatchResult(query, tuple(hits[:MAX_HITS]))
    return MatchResult(query, suggestions=suggest(norm, entries))


def _best_per_area(hits: Iterable[Hit]) -> list[Hit]:
    best: dict[str, Hit] = {}
    for hit in hits:
        kept = best.get(hit.area.key)
        if kept is None or hit.score > kept.score:
            best[hit.area.key] = hit
    return sorted(best.values(), key=lambda h: -h.score)


def _exact(norm: str, entries: list[Entry]) -> list[Hit]:
    flat = norm.replace(" ", "")
    return _best_per_area(
        Hit(e.area, e.text, EXACT if e.primary else ALIAS, 100.0 + e.primary)
        for e in entries
        if e.flat == flat
    )


Span = tuple[int, int]


def _word(norm: str) -> re.Pattern[str] | None:
    if has_cjk(norm):
        return None
    return re.compile(rf"(?<![0-9a-z]){re.escape(norm)}(?![0-9a-z])")


def _span(norm: str, entry: Entry) -> Span | None:
    """Where a name occurs in the query: whole words for Latin, any place for Chinese."""
    if entry.pattern is None:
        at = norm.find(entry.norm)
        return (at, at + len(entry.norm)) if at >= 0 else None
    match = entry.pattern.search(norm)
    return match.span() if match else None


def _inside(inner: Span, outer: Span) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1] and inner != outer


def _phrase(norm: str, entries: list[Entry]) -> list[Hit]:
    """Names inside the question, and near-misses (typos) of its words and phrases."""
    contained = [
        (span, Hit(e.area, e.text, CONTAINS, float(len(e.flat))))
        for e in entries
        if len(e.flat) >= 2 and (span := _span(norm, e)) is not None
    ]
    typos = _typos(norm, entries)
    if contained:
        # A typo only counts when it covers more than a name found as typed ("code reveiw").
        typos = [(s, h) for s, h in typos if any(_inside(c, s) for c, _ in contained)]
    found = contained + typos
    # A name inside a longer match is not a second meaning ("pr" in "pr review").
    kept = [h for s, h in found if not any(_inside(s, o) for o, _ in found)]
    return _best_per_area(kept)


def _allowed_edits(text: str) -> int:
    if has_cjk(text):
        return 1 if len(text) >= 3 else 0
    return 0 if len(text) < 4 else 1 if len(text) < 8 else 2


def _windows(norm: str) -> list[tuple[Span, str]]:
    words = [(m.span(), m.group()) for m in re.finditer(r"\S+", norm)]
    if len(words) > 12:
        return []
    found = []
    for size in range(1, MAX_WINDOW + 1):
        for i in range(len(words) - size + 1):
            part = words[i : i + size]
            found.append(((part[0][0][0], part[-1][0][1]), "".join(w for _, w in part)))
    return found


def _typos(norm: str, entries: list[Entry]) -> list[tuple[Span, Hit]]:
    choices = [e.flat for e in entries]
    found = []
    for span, window in _windows(norm):
        limit = _allowed_edits(window)
        if not limit:
            continue
        for _, distance, i in process.extract(
            window, choices, scorer=OSA.distance, score_cutoff=limit, limit=None
        ):
            entry = entries[i]
            # The first letter is rarely the typo; requiring it keeps junk from matching.
            if distance == 0 or distance > _allowed_edits(entry.flat):
                continue
            if window[0] == entry.flat[0]:
                hit = Hit(entry.area, entry.text, FUZZY, len(entry.flat) - 3.0 * distance)
                found.append((span, hit))
    return found


def _partial(norm: str, entries: list[Entry]) -> list[Hit]:
    """Names the whole query is part of ("research" → Market Research, User Research)."""
    flat = norm.replace(" ", "")
    if len(flat) < (2 if has_cjk(flat) else 4):
        return []
    probe = Entry(entries[0].area, norm, norm, flat, False, _word(norm)) if entries else None
    hits = [
        Hit(e.area, e.text, PARTIAL, -float(len(e.flat)))
        for e in entries
        if probe is not None and e.flat != flat and _span(e.norm, probe) is not None
    ]
    return _best_per_area(hits)[:MAX_HITS]


def suggest(norm: str, entries: list[Entry], limit: int = 3) -> tuple[Area, ...]:
    """Up to `limit` areas whose names look most like the query.

    WRatio weighs a query found inside a longer name ("bug" in "bug reports") above a mere
    same-letters neighbour ("budget"); names under three letters would match too much.
    """
    flat = norm.replace(" ", "")
    if len(flat) < 3 or len(flat) > 60:
        return ()
    usable = [e for e in entries if len(e.flat) >= 3]
    picked: list[Area] = []
    scored = process.extract(
        norm, [e.norm for e in usable], scorer=fuzz.WRatio, score_cutoff=SUGGEST_CUTOFF, limit=40
    )
    for _, _score, i in scored:
        area = usable[i].area
        if area not in picked:
            picked.append(area)
        if len(picked) == limit:
            break
    return tuple(picked)


_CODE_MARKS = re.compile(r"--|;|\*|=|[<>{}|\\$`]")


def is_topic(text: str) -> bool:
    """Whether text could be a topic at all (not empty, emoji, a letter, code or a wall)."""
    if len(_CODE_MARKS.findall(text)) >= 2:
        return False  # "'; DROP TABLE x;--" and the like: code, not a question
    return not _is_junk(normalize(text))
