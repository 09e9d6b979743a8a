"""The message catalogue: both languages everywhere, and every key the code uses exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

from i18n import lang_of, messages, t

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("handlers", "services", "domain")


def test_every_message_has_english_and_chinese() -> None:
    for key, texts in messages().items():
        assert set(texts) == {"en", "zh"}, key
        assert texts["en"].strip() and texts["zh"].strip(), key


def test_both_languages_use_the_same_placeholders() -> None:
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, texts in messages().items():
        assert fields(texts["en"]) == fields(texts["zh"]), key


def test_every_key_in_the_code_exists() -> None:
    prefixes = {key.split(".")[0] for key in messages()}
    alternatives = "|".join(sorted(prefixes))
    literal = re.compile(rf'"((?:{alternatives})\.[a-z0-9_.]+)"')
    missing = []
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            for key in literal.findall(path.read_text(encoding="utf-8")):
                if key not in messages() and not key.endswith("."):
                    missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert missing == []


def test_language_of_a_slack_locale() -> None:
    assert lang_of("zh-CN") == "zh" and lang_of("zh-TW") == "zh"
    assert lang_of("en-US") == "en" and lang_of(None) == "en" and lang_of("ja-JP") == "en"
    assert t("zh", "error.too_long", length=5, limit=3) == "内容太长（5 个字符；最多 3 个）。"
