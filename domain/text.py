"""Text normalisation shared by matching and parsing."""

from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[\s\-_/·・,，.。!！?？:：;；'\"“”‘’()（）\[\]【】&+]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def normalize(text: str) -> str:
    """Case-, width- and punctuation-insensitive form: 'Code-Review' == 'code review'."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _PUNCT.sub(" ", folded).strip()


def compact(text: str) -> str:
    """`normalize` without spaces, for comparing 'codereview' with 'code review'."""
    return normalize(text).replace(" ", "")


def has_cjk(text: str) -> bool:
    """Whether the text holds Chinese characters (a hint for the reply language)."""
    return bool(_CJK.search(text))
