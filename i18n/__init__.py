"""The message catalogue: every user-facing string, in English and Chinese.

Messages live in `i18n/messages/*.yml`, one file per surface, each key with `en` and `zh`.
Placeholders use `str.format` syntax; values are escaped by the caller before they get here,
and the templates' own text is made inert for Slack (`<topic>` is sent as `&lt;topic&gt;`).

A message that shows a number may give a language `one` and `other` forms instead of one
text; the `count` parameter chooses (`one` for exactly 1). Chinese has no plural: one text.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

MESSAGES = Path(__file__).resolve().parent / "messages"
LANGS = ("en", "zh")


PLURAL_FORMS = ("one", "other")


@cache
def _catalogue() -> tuple[dict[str, dict[str, str]], dict[tuple[str, str], str]]:
    """Every message by key (a plural one by its `other` form), and the `one` forms by
    (key, lang), merged from all files (loaded once, on first use)."""
    merged: dict[str, dict[str, str]] = {}
    singular: dict[tuple[str, str], str] = {}
    for path in sorted(MESSAGES.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, texts in data.items():
            if key in merged:
                raise ValueError(f"{path.name}: message {key!r} is defined twice")
            merged[key] = {}
            for lang, text in texts.items():
                if isinstance(text, dict):
                    if set(text) != set(PLURAL_FORMS):
                        raise ValueError(f"{path.name}: {key}.{lang} needs `one` and `other`")
                    singular[key, lang] = _inert(text["one"])
                    text = text["other"]
                merged[key][lang] = _inert(text)
    return merged, singular


def messages() -> dict[str, dict[str, str]]:
    """Every message by key; a plural message by its `other` form."""
    return _catalogue()[0]


def singular_forms() -> dict[tuple[str, str], str]:
    """The `one` forms of plural messages, by (key, lang)."""
    return _catalogue()[1]


def _inert(template: str) -> str:
    # Slack reads `<…>` as a link or mention and `&` as an entity, even inside backticks, so
    # `<topic>` in a usage line must be sent as `&lt;topic&gt;`. Real mentions arrive through
    # the parameters, which are formatted in afterwards.
    return template.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def t(lang: str, key: str, /, **params: Any) -> str:
    """The message `key` in `lang` (English when the language has no text); a plural
    message in the form its `count` calls for."""
    texts = messages()[key]
    lang = lang if texts.get(lang) else "en"
    template = texts[lang]
    if params.get("count") == 1:
        template = singular_forms().get((key, lang), template)
    return template.format(**params) if params else template


def joined(lang: str, items: Iterable[str]) -> str:
    """Items listed the reader's way: "a, b" in English, "a、b" in Chinese."""
    return t(lang, "list.separator").join(items)


def lang_of(locale: str | None) -> str:
    """The reply language for a Slack locale such as 'zh-CN' or 'en-US'."""
    return "zh" if locale and locale.lower().startswith("zh") else "en"
