"""Forgiving topic matching for `/owner`: names and aliases, phrases, small typos, roles.

Pure: areas and roles in, a ranked result out. The strongest evidence wins: a name typed as
is beats a typo of another; a name only one area uses beats a word several share ("PRD"
beats "review" in "PRD review"); a role's name beats an area it resembles ("项目经理" is the
role, not 项目管理). When nothing is strong enough the result carries suggestions instead,
"nobody, but maybe: …". Each hit keeps what the user typed, the name it matched and how,
so the answer can say why ("launch → Roadmap", "roadmpa ≈ Roadmap").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from domain.catalog import Area, Role
from domain.text import compact, has_cjk, normalize

EXACT, ALIAS, CONTAINS, FUZZY, PARTIAL = "exact", "alias", "contains", "fuzzy", "partial"
MAX_HITS = 5
MAX_QUERY = 200  # longer text is not a topic; matching it would only find noise
MAX_WINDOW = 4  # words per phrase compared with a name when looking for typos
MAX_WORDS = 12  # a question longer than this is not searched for typos
PARTIAL_SHARE = 0.5  # "launch" is most of "launch date"; "data" is not most of "market data"
SUGGEST_CUTOFF = 85.0  # fuzz.WRatio; below this a suggestion is noise
MAX_SUGGESTIONS = 3
_WORDY = re.compile(r"[0-9a-z\u3400-\u9fff]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SEPARATOR = re.compile(r"[\s\-_/·・,，.。!！?？:：;；'\"“”‘’()（）\[\]【】&+、]")
# Between two names, these make a question about both ("code review and the roadmap");
# without one, two names side by side are one topic that no area owns as a whole.
_AND_WORDS = frozenset(
    ["and", "or", "plus", "vs", "和", "与", "及", "以及", "跟", "还有", "或", "或者"]
)
_ZH_AND = tuple(w for w in _AND_WORDS if _CJK.match(w))
_AND_MARKS = re.compile(r"[,，、&+;；/]")
# Short forms folded on both sides, so "tech choice" is "technology choice".
_FOLD = {
    "technology": "tech",
    "technical": "tech",
    "technologies": "tech",
    "mgr": "manager",
    "mgmt": "management",
    "reqs": "requirements",
    "perf": "performance",
}
# Words of a question that name nothing ("who owns the …", "谁负责…"); a name containing
# one ("voice of the customer", "技术负责人") keeps it.
# fmt: off
_EN_FILLER = frozenset({
    "a", "an", "the", "of", "for", "in", "on", "at", "to", "about", "with", "from", "by",
    "into", "is", "are", "was", "were", "be", "been", "am", "who", "whom", "whose", "whos",
    "s", "what", "which", "where", "when", "how", "why", "whats", "own", "owns", "owner",
    "owners", "owning", "owned", "handle", "handles", "handling", "handled", "do", "does",
    "did", "doing", "done", "can", "could", "should", "would", "will", "shall", "may", "might",
    "must", "i", "me", "my", "we", "our", "us", "you", "your", "they", "their", "them", "it",
    "its", "this", "that", "these", "those", "ask", "asking", "talk", "talking", "contact",
    "reach", "charge", "responsible", "responsibility", "accountable", "decide", "decides",
    "deciding", "make", "makes", "making", "run", "runs", "running", "manage", "manages",
    "managing", "track", "tracks", "tracking", "write", "writes", "writing", "approve",
    "approves", "approving", "set", "sets", "setting", "collect", "collects", "collecting",
    "drive", "drives", "driving", "take", "takes", "care", "person", "people", "someone",
    "somebody", "anyone", "anybody", "folks", "here", "there", "now", "currently", "today",
    "week", "please", "pls", "plz", "hey", "hi", "hello", "thanks", "thx", "need", "needs",
    "want", "wants", "get", "gets", "got", "know", "knows", "help", "helps", "go", "goes",
    "whoever", "poc", "dri", "question", "questions",
    # how a standup blocker says it waits ("waiting on design", "blocked by legal")
    "waiting", "wait", "waits", "blocked", "blocking", "blocker", "blockers", "stuck",
    "pending", "still", "until",
})
_ZH_FILLER = tuple(sorted({
    "谁负责", "谁来负责", "负责人", "负责", "谁是", "是谁", "谁在", "谁来", "谁管", "归谁管",
    "归谁", "找谁", "问谁", "请问", "哪个人", "哪位", "哪个", "什么人", "的人", "一下", "想问",
    "我想", "我们", "你们", "这个", "那个", "这块", "这边", "关于", "有关", "方面", "事情",
    "应该", "联系", "对接", "跟进", "处理", "审批", "在做", "来做", "要做", "谁做", "谁定",
    "谁写", "谁", "的", "吗", "呢", "啊", "呀", "吧", "了", "是",
    "在等", "等待", "等", "卡在", "被卡", "阻塞", "需要",
}, key=len, reverse=True))
# fmt: on

Span = tuple[int, int]
Target = tuple[str, str]  # ("area" | "role", key)


@dataclass(frozen=True)
class Entry:
    """One way to name an area or a role, in matching form."""

    target: Area | Role
    text: str  # as the catalogue writes it
    norm: str  # matching form: normalised, scripts apart, short forms folded
    flat: str  # norm without spaces
    primary: bool  # the name, Chinese name or key, not an alias
    related: bool  # a topic the area is near, not one it owns
    key: Target  # which area or role this names


@dataclass(frozen=True)
class Hit:
    """A matched area, the name that matched (`via`), how (`kind`) and what was `typed`."""

    area: Area
    via: str
    kind: str
    score: float
    typed: str = ""

    @property
    def explains(self) -> bool:
        """Whether the answer should say why: not when the area's own name was typed."""
        if self.kind == FUZZY:
            return True
        own = {compact(n) for n in (self.area.name_en, self.area.name_zh, self.area.key)}
        return compact(self.typed) not in own


@dataclass(frozen=True)
class MatchResult:
    """Hits best first (several when the topic is ambiguous), a role, or suggestions."""

    query: str
    hits: tuple[Hit, ...] = ()
    suggestions: tuple[Area, ...] = field(default_factory=tuple)
    role: Role | None = None

    @property
    def best(self) -> Hit | None:
        """The single answer, when there is exactly one."""
        return self.hits[0] if len(self.hits) == 1 else None


def match_topic(query: str, areas: Iterable[Area], roles: Iterable[Role] = ()) -> MatchResult:
    """The areas (or the role) a question names, else the areas it is closest to."""
    if _is_junk(normalize(query)):
        return MatchResult(query)
    asked = _Query.of(query)
    names = _names(tuple(areas), tuple(roles))
    exact = _exact(asked, names)
    if exact is not None:
        return exact
    found = _phrase(asked, names)
    partial, near = _partial(asked, names, found)
    if partial and all(f.distance > 1 for f in found):
        # The topic typed as is, inside names ("research"), beats a name two edits away
        # ("researcher"); one edit ("prototype" for "prototypes") is a typo and wins.
        return MatchResult(query, tuple(partial[:MAX_HITS]))
    decided = _decide(asked, found, names)
    if decided is not None:
        return decided
    if partial:
        return MatchResult(query, tuple(partial[:MAX_HITS]))
    weak = [f.entry.target for f in sorted(found, key=_strength, reverse=True)]
    return MatchResult(query, suggestions=_suggest(asked, weak + near, names))


# ---- the question, in matching form --------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    text: str
    at: int  # offset in the matching text
    cjk: bool


@dataclass(frozen=True)
class _Query:
    source: str  # the question as typed (NFC)
    text: str  # matching form
    tokens: tuple[_Token, ...]
    origin: tuple[Span, ...]  # for each character of `text`, where it came from in `source`

    @classmethod
    def of(cls, query: str) -> _Query:
        """Tokenise as entries are: words, Chinese runs apart from Latin, short forms folded."""
        source = unicodedata.normalize("NFC", query)
        words = _split(source)
        text, tokens, origin = "", [], []
        for word, spans in words:
            if text:
                text += " "
                origin.append((-1, -1))
            folded = _FOLD.get(word, word)
            tokens.append(_Token(folded, len(text), bool(_CJK.match(folded))))
            if folded == word:
                origin.extend(spans)
            else:  # a folded word maps as a whole
                origin.extend([(spans[0][0], spans[-1][1])] * len(folded))
            text += folded
        return cls(source, text, tuple(tokens), tuple(origin))

    def typed(self, span: Span) -> str:
        """What the user typed for a stretch of the matching text."""
        inside = [o for o in self.origin[span[0] : span[1]] if o[0] >= 0]
        if not inside:
            return ""
        return self.source[inside[0][0] : inside[-1][1]]

    @property
    def whole(self) -> Span:
        """The whole question."""
        return (0, len(self.text))


def _split(source: str) -> list[tuple[str, list[Span]]]:
    """Normalised words with the source span of each of their characters."""
    words: list[tuple[str, list[Span]]] = []
    spans: list[Span] = []
    word, cjk = "", False
    for i, char in enumerate(source):
        for c in unicodedata.normalize("NFKC", char).casefold():
            # Punctuation, symbols and emoji part words ("roadmap😀", "<!here> roadmap").
            if _SEPARATOR.match(c) or unicodedata.category(c)[0] not in "LNM":
                if word:
                    words.append((word, spans))
                word, spans = "", []
                continue
            is_cjk = bool(_CJK.match(c))
            if word and is_cjk != cjk:  # "prd评审" is two words
                words.append((word, spans))
                word, spans = "", []
            word, cjk = word + c, is_cjk
            spans.append((i, i + 1))
    if word:
        words.append((word, spans))
    return words


def _forms(text: str) -> list[str]:
    """A name in matching form as written, and with short forms folded ("technology choice",
    "tech choice"): a typo of the long form is still found."""
    words = [w for w, _ in _split(unicodedata.normalize("NFC", text))]
    plain, folded = " ".join(words), " ".join(_FOLD.get(w, w) for w in words)
    return [plain] if folded == plain else [plain, folded]


def _make_entries(
    target: Area | Role, names: Sequence[str], related: Sequence[str] = ()
) -> tuple[Entry, ...]:
    key = ("role" if isinstance(target, Role) else "area", target.key)
    seen: set[str] = set()
    entries = []
    # Own names first, so a hit reports 'Code Review' rather than the key 'code-review'.
    named = [(text, i < 3, False) for i, text in enumerate(names)]
    for text, primary, near in [*named, *((text, False, True) for text in related)]:
        for norm in _forms(text):
            flat = norm.replace(" ", "")
            if flat and flat not in seen:
                seen.add(flat)
                entries.append(Entry(target, text, norm, flat, primary, near, key))
    return tuple(entries)


@lru_cache(maxsize=8192)
def _entries_of(area: Area) -> tuple[Entry, ...]:
    # Cached per area: the default catalogue is put in matching form once per process.
    return _make_entries(area, (area.name_en, area.name_zh, area.key, *area.aliases))


@lru_cache(maxsize=8192)
def _related_of(area: Area) -> tuple[Entry, ...]:
    return _make_entries(area, (), area.related)


@lru_cache(maxsize=1024)
def _entries_of_role(role: Role) -> tuple[Entry, ...]:
    return _make_entries(role, (role.name_en, role.name_zh, role.key, *role.aliases))


class _Names:
    """Every name of a catalogue's areas and roles, ready to search; built once per catalogue."""

    def __init__(self, areas: tuple[Area, ...], roles: tuple[Role, ...]) -> None:
        self.entries = [e for a in areas for e in _entries_of(a)]
        self.entries += [e for r in roles for e in _entries_of_role(r)]
        self.related = [e for a in areas for e in _related_of(a)]
        self.related_flats = [e.flat for e in self.related]
        # Typos change a name's length by at most their edits: search names by length.
        self.by_length: dict[int, tuple[list[Entry], list[str]]] = {}
        for e in self.entries:
            entries, flats = self.by_length.setdefault(len(e.flat), ([], []))
            entries.append(e)
            flats.append(e.flat)
        self.lookalikes = [
            e for e in (*self.entries, *self.related) if e.key[0] == "area" and len(e.flat) >= 3
        ]
        # Which names share letter pairs with a question: WRatio is costly, so it only
        # scores names sharing at least half of the shorter one's pairs.
        self.pairs = [_pairs(e.flat) for e in self.lookalikes]
        self.by_pair: dict[str, list[int]] = {}
        for i, pairs in enumerate(self.pairs):
            for pair in pairs:
                self.by_pair.setdefault(pair, []).append(i)
        self._shared: dict[tuple[Target, str], bool] = {}

    def lookalike_candidates(self, flat: str) -> list[Entry]:
        """Names that could look like `flat` (WRatio ≥ 85 needs most letter pairs shared)."""
        mine = _pairs(flat)
        counts: dict[int, int] = {}
        for pair in mine:
            for i in self.by_pair.get(pair, ()):
                counts[i] = counts.get(i, 0) + 1
        return [
            self.lookalikes[i]
            for i, n in counts.items()
            if 2 * n >= min(len(mine), len(self.pairs[i]))
        ]

    def shared(self, entry: Entry) -> bool:
        """Whether another area or role uses this name inside one of its own: "review" is
        also in "performance review", "产品" in "产品愿景"; such a word is weak on its own."""
        memo = (entry.key, entry.flat)
        if memo not in self._shared:
            norm = entry.norm
            self._shared[memo] = any(
                norm in e.norm
                and e.key != entry.key
                and len(e.norm) > len(norm)
                and _occurs(norm, e.norm) >= 0
                for e in self.entries
            )
        return self._shared[memo]


def _pairs(flat: str) -> set[str]:
    return {flat[i : i + 2] for i in range(len(flat) - 1)} or {flat}


@lru_cache(maxsize=256)
def _names(areas: tuple[Area, ...], roles: tuple[Role, ...]) -> _Names:
    # Keyed by the areas themselves (not their ids, which a later catalogue may reuse).
    return _Names(areas, roles)


def _is_junk(norm: str) -> bool:
    flat = norm.replace(" ", "")
    if not _WORDY.search(flat) or len(norm) > MAX_QUERY:
        return True
    return len(flat) < 2  # a single letter names nothing


# ---- evidence ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    """A name found in the question: where, which, and as typed or with `distance` edits."""

    span: Span
    entry: Entry
    distance: int = 0

    @property
    def literal(self) -> bool:
        return self.distance == 0


def _strength(found: _Found) -> tuple[int, float]:
    # Typed as is beats a typo; then the longer name, less the edits it took.
    return (found.literal, len(found.entry.flat) - 3.0 * found.distance)


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _occurs(needle: str, text: str, start: int = 0) -> int:
    """Where `needle` occurs in `text` as whole Latin words (Chinese: anywhere), or -1."""
    latin_start, latin_end = not _is_cjk(needle[0]), not _is_cjk(needle[-1])
    at = text.find(needle, start)
    while at >= 0:
        end = at + len(needle)
        if (not latin_start or at == 0 or text[at - 1] == " ") and (
            not latin_end or end == len(text) or text[end] == " "
        ):
            return at
        at = text.find(needle, at + 1)
    return -1


def _exact(asked: _Query, names: _Names) -> MatchResult | None:
    """The whole question is a name: a role's wins, else the areas (with their kind)."""
    flat = asked.text.replace(" ", "")
    same = [e for e in names.entries if e.flat == flat]
    if not same:
        return None
    role = next((e.target for e in same if isinstance(e.target, Role)), None)
    if role is not None:
        return MatchResult(asked.source, role=role)
    typed = asked.typed(asked.whole)
    hits = [
        Hit(_area(e), e.text, EXACT if e.primary else ALIAS, 100.0 + e.primary, typed) for e in same
    ]
    return MatchResult(asked.source, tuple(_best_per_area(hits)[:MAX_HITS]))


def _phrase(asked: _Query, names: _Names) -> list[_Found]:
    """Names inside the question and near-misses of its words, the weaker ones dropped."""
    literal = _inside(asked.text, names.entries)
    # Topics the catalogue knows but no area owns ("定价") are words too: a typo may not
    # rewrite them ("产品定价" is not a typo of 产品定位).
    known = literal + _inside(asked.text, names.related)
    typos = [t for t in _typos(asked, literal, names) if _fair_typo(t, known)]
    found = literal + typos
    kept = [f for f in found if not any(_beats(o, f) for o in found)]
    best: dict[Target, _Found] = {}
    for f in kept:
        if f.entry.key not in best or _strength(f) > _strength(best[f.entry.key]):
            best[f.entry.key] = f
    return list(best.values())


def _inside(text: str, entries: list[Entry]) -> list[_Found]:
    return [
        _Found((at, at + len(e.norm)), e)
        for e in entries
        if len(e.flat) >= 2 and e.norm in text and (at := _occurs(e.norm, text)) >= 0
    ]


def _fair_typo(typo: _Found, literal: list[_Found]) -> bool:
    """A typo may cover names typed as is only when it keeps them ("code reveiw" keeps
    "code"; "prd review" as "pr review" would rewrite "prd"), and may not half-cover one."""
    for name in literal:
        (a, b), (c, d) = typo.span, name.span
        if b <= c or d <= a:
            continue  # elsewhere in the question
        if not (a <= c and d <= b):
            return False
        if name.entry.key != typo.entry.key and _occurs(name.entry.norm, typo.entry.norm) < 0:
            return False
    return True


def _beats(a: _Found, b: _Found) -> bool:
    """`a` covers `b`: a name inside a longer one is not a second meaning ("pr" in
    "pr review"); on the same words, typed beats a typo and a role beats an area."""
    if a is b or not (a.span[0] <= b.span[0] and b.span[1] <= a.span[1]):
        return False
    if a.span != b.span:
        return True
    rank_a = (a.literal, a.entry.key[0] == "role", _strength(a))
    rank_b = (b.literal, b.entry.key[0] == "role", _strength(b))
    return rank_a > rank_b


def _typos(asked: _Query, literal: list[_Found], names: _Names) -> list[_Found]:
    found = []
    for span, window in _windows(asked, literal):
        limit = _allowed_edits(window)
        for length in range(len(window) - limit, len(window) + limit + 1) if limit else ():
            entries, choices = names.by_length.get(length, ([], []))
            for _, distance, i in process.extract(
                window, choices, scorer=OSA.distance, score_cutoff=limit, limit=None
            ):
                entry = entries[i]
                if distance == 0 or distance > _allowed_edits(entry.flat):
                    continue
                # A Latin word's first letter is rarely the typo; requiring it keeps junk
                # out. Chinese typos are wrong characters from the input method, anywhere.
                if window[0] == entry.flat[0] or (has_cjk(window) and len(entry.flat) >= 4):
                    found.append(_Found(span, entry, int(distance)))
    return found


def _allowed_edits(text: str) -> int:
    if has_cjk(text):
        return 1 if len(text) >= 3 else 0
    return 0 if len(text) < 4 else 1 if len(text) < 8 else 2


def _windows(asked: _Query, literal: list[_Found]) -> list[tuple[Span, str]]:
    """Runs of up to MAX_WINDOW words, and the topic words of each Chinese run."""
    tokens = asked.tokens
    if len(tokens) > MAX_WORDS:
        return []
    found = {}
    for size in range(1, MAX_WINDOW + 1):
        for i in range(len(tokens) - size + 1):
            part = tokens[i : i + size]
            if all(t.text in _EN_FILLER for t in part):
                continue  # "who owns the" names nothing, misspelt or not
            span = (part[0].at, part[-1].at + len(part[-1].text))
            found[span] = "".join(t.text for t in part)
    for span, piece in _content(asked, [f.span for f in literal]):
        if _CJK.match(piece):
            found.setdefault(span, piece)
    return list(found.items())


def _content(asked: _Query, protected: list[Span]) -> list[tuple[Span, str]]:
    """The question's words less its filler ("who owns the", "谁负责"), outside names found."""
    pieces = []
    for token in asked.tokens:
        start, end = token.at, token.at + len(token.text)
        guarded = [(max(a, start), min(b, end)) for a, b in protected if a < end and start < b]
        if not token.cjk:
            if guarded or token.text not in _EN_FILLER:
                pieces.append(((start, end), token.text))
            continue
        keep = [True] * len(token.text)
        i = 0
        while i < len(token.text):
            at = start + i
            if any(a <= at < b for a, b in guarded):
                i += 1
                continue
            word = next((w for w in _ZH_FILLER if token.text.startswith(w, i)), None)
            if word and not any(a < at + len(word) and at < b for a, b in guarded):
                keep[i : i + len(word)] = [False] * len(word)
                i += len(word)
            else:
                i += 1
        i = 0
        while i < len(keep):
            if not keep[i]:
                i += 1
                continue
            j = i
            while j < len(keep) and keep[j]:
                j += 1
            pieces.append(((start + i, start + j), token.text[i:j]))
            i = j
    return pieces


def _unexplained(asked: _Query, found: list[_Found]) -> bool:
    """Whether the question says more than the names found in it ("legal" in "legal review")."""
    spans = [f.span for f in found]
    cjk_left = 0
    for (a, b), piece in _content(asked, spans):
        left = [i for i in range(a, b) if not any(s <= i < e for s, e in spans)]
        if not left:
            continue
        if _CJK.match(piece):
            cjk_left += len(left)
        elif len(piece) >= 2:  # a whole word: names cover Latin words whole
            return True
    return cjk_left >= 2  # one character ("要" in "设计稿找谁要") says nothing


def _joined(asked: _Query, found: list[_Found]) -> bool:
    """Whether the names found are joined as a list ("code review and the roadmap")."""
    spans = sorted(f.span for f in found)
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        if start < end:
            return False  # overlapping names are one phrase
        between = asked.text[end:start]
        if set(between.split()) & _AND_WORDS or any(w in between for w in _ZH_AND):
            continue
        # Punctuation is gone from the matching form: look at what was typed in between.
        typed = asked.source[asked.origin[end - 1][1] : asked.origin[start][0]]
        if not _AND_MARKS.search(typed):
            return False
    return True


def _decide(asked: _Query, found: list[_Found], names: _Names) -> MatchResult | None:
    """A confident answer from the names found, or None (then: partial names, suggestions)."""
    if not found:
        return None
    if len(found) == 1 and not _unexplained(asked, found):
        return _answer(asked, found)
    strong = [f for f in found if not names.shared(f.entry)]
    areas = [f for f in strong if f.entry.key[0] == "area"]
    if len(areas) > 1 and not _joined(asked, areas):
        return None  # "SEO strategy": one topic, two areas' words; nobody owns it as a whole
    if areas:
        return _answer(asked, areas)
    roles = [f for f in strong if f.entry.key[0] == "role"]
    if roles:
        return _answer(asked, [max(roles, key=_strength)])
    return None


def _answer(asked: _Query, found: list[_Found]) -> MatchResult:
    role = next((f.entry.target for f in found if isinstance(f.entry.target, Role)), None)
    if role is not None:
        return MatchResult(asked.source, role=role)
    hits = [
        Hit(
            _area(f.entry),
            f.entry.text,
            CONTAINS if f.literal else FUZZY,
            _strength(f)[1],
            asked.typed(f.span),
        )
        for f in found
    ]
    return MatchResult(asked.source, tuple(_best_per_area(hits)[:MAX_HITS]))


def _area(entry: Entry) -> Area:
    assert isinstance(entry.target, Area)
    return entry.target


def _best_per_area(hits: Iterable[Hit]) -> list[Hit]:
    best: dict[str, Hit] = {}
    for hit in hits:
        kept = best.get(hit.area.key)
        if kept is None or hit.score > kept.score:
            best[hit.area.key] = hit
    return sorted(best.values(), key=lambda h: -h.score)


def _partial(
    asked: _Query, names: _Names, found: list[_Found]
) -> tuple[list[Hit], list[Area | Role]]:
    """Names the question's topic is most of ("launch" → "launch date"), and the areas whose
    names merely hold it or one of its other words ("data" in "market data"), to suggest."""
    pieces = _content(asked, [])
    if not pieces:
        return [], []
    span = (pieces[0][0][0], pieces[-1][0][1])
    core = " ".join(p for _, p in pieces)
    flat = core.replace(" ", "")
    hits, near = [], []
    if len(flat) >= (2 if has_cjk(flat) else 4):
        typed = asked.typed(span)
        for e in names.entries:
            if (
                e.key[0] == "area"
                and core in e.norm
                and e.flat != flat
                and _occurs(core, e.norm) >= 0
            ):
                if len(flat) >= PARTIAL_SHARE * len(e.flat):
                    hits.append(Hit(_area(e), e.text, PARTIAL, -float(len(e.flat)), typed))
                else:
                    near.append(e.target)
    if len(pieces) > 1:
        for (a, b), piece in pieces:
            if any(s <= a and b <= e for s, e in (f.span for f in found)):
                continue  # already evidence ("review" in "legal review")
            if len(piece) >= (2 if _CJK.match(piece) else 4):
                near += [e.target for e in names.entries if _holds(e, piece)]
    return _best_per_area(hits), near


def _holds(entry: Entry, word: str) -> bool:
    return word in entry.norm and entry.key[0] == "area" and _occurs(word, entry.norm) >= 0


def _suggest(asked: _Query, weak: list[Area | Role], names: _Names) -> tuple[Area, ...]:
    """Up to MAX_SUGGESTIONS areas: those the catalogue says are near the topic ("pricing"),
    those whose words the question holds, then names that look most like it.

    WRatio weighs a question found inside a longer name ("bug" in "bug reports") above a
    mere same-letters neighbour ("budget"); names under three letters would match too much.
    """
    picked: list[Area] = []

    def add(targets: Iterable[Area | Role]) -> None:
        for target in targets:
            if isinstance(target, Area) and target not in picked:
                picked.append(target)

    core = " ".join(p for _, p in _content(asked, []))
    flat = core.replace(" ", "")
    add(f.entry.target for f in _inside(asked.text, names.related))
    limit = _allowed_edits(flat)
    if limit:
        near = process.extract(
            flat, names.related_flats, scorer=OSA.distance, score_cutoff=limit, limit=None
        )
        add(
            names.related[i].target
            for _, d, i in near
            if d <= _allowed_edits(names.related[i].flat)
        )
    add(weak)
    if len(picked) < MAX_SUGGESTIONS and 3 <= len(flat) <= 60:
        candidates = names.lookalike_candidates(flat)
        scored = process.extract(
            core,
            [e.norm for e in candidates],
            scorer=fuzz.WRatio,
            score_cutoff=SUGGEST_CUTOFF,
            limit=40,
        )
        add(candidates[i].target for _, _score, i in scored)
    return tuple(picked[:MAX_SUGGESTIONS])


_CODE_MARKS = re.compile(r"--|;|\*|=|[<>{}|\\$`]")


def is_topic(text: str) -> bool:
    """Whether text could be a topic at all (not empty, emoji, a letter, code or a wall)."""
    if len(_CODE_MARKS.findall(text)) >= 2:
        return False  # "'; DROP TABLE x;--" and the like: code, not a question
    return not _is_junk(normalize(text))
