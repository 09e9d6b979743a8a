"""One subcommand dispatcher's rules for every command: which subcommand a first word names,
and which one a near miss (a typo) probably meant, so that a typo is never taken for text
(a ticket summary, an area) and acted on."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

# Words people type for "help" in either language.
HELP_WORDS = frozenset({"help", "?", "？", "帮助", "-h", "--help"})
# `/issue -- close button missing`: what follows is text even if it starts with a subcommand.
LITERAL = "--"
_NUMBER = re.compile(r"^#?\d+$")
_GLUED = re.compile(r"^([a-z]+)(#?\d+)$")


@dataclass(frozen=True)
class Resolved:
    """What a first word names: a subcommand, a guess at one, or neither (plain text)."""

    name: str | None = None  # the subcommand, when the word names one
    suggestion: str | None = None  # "list" / "show 1": what a near miss probably meant


def distance(a: str, b: str) -> int:
    """Edit distance with adjacent transpositions (optimal string alignment)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _tolerance(word: str) -> int:
    return 1 if len(word) <= 6 else 2


def nearest(word: str, names: Collection[str]) -> str | None:
    """The one subcommand within a small edit distance of `word` (None when none or a tie)."""
    scored = sorted((distance(word, name), name) for name in names)
    if not scored or scored[0][0] > _tolerance(word) or len(word) < 2:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]


def resolve(
    word: str,
    rest: str,
    names: Collection[str],
    aliases: Mapping[str, str] | None = None,
    *,
    takes: Mapping[str, Collection[str]] | None = None,
) -> Resolved:
    """Which subcommand `word` names. A near miss counts as a typo (never as text) when it
    cannot be a sentence's first word: a transposition or a glued number (`lsit`, `show1`),
    or when it is followed by what the subcommand takes (nothing, a number, a filter word).
    `takes` maps subcommands to the words they take: one of those alone (`/issue mine`)
    means the subcommand that takes it (`list mine`), never a one-word text."""
    word = word.lower()
    takes = takes or {}
    argument_words = {w for words in takes.values() for w in words}
    if word in names:
        return Resolved(name=word)
    if aliases and word in aliases:
        return Resolved(name=aliases[word])
    if word in HELP_WORDS and "help" in names:
        return Resolved(name="help")
    if not rest.strip() and (owner := next((n for n, ws in takes.items() if word in ws), None)):
        return Resolved(suggestion=f"{owner} {word}")
    if glued := _GLUED.match(word):
        head = glued.group(1)
        guess = head if head in names else nearest(head, names)
        if guess:
            return Resolved(suggestion=f"{guess} {glued.group(2)}")
    guess = nearest(word, names)
    if guess is None:
        return Resolved()
    first = (rest.split() or [""])[0].lower()
    shaped = not first or bool(_NUMBER.match(first)) or first in argument_words
    if shaped or sorted(word) == sorted(guess):
        number = f" {first}" if _NUMBER.match(first) else ""
        return Resolved(suggestion=f"{guess}{number}")
    return Resolved()
