"""The message catalogue: both languages everywhere, and every key the code uses exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

from i18n import lang_of, messages, singular_forms, t

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
    for (key, lang), one in singular_forms().items():
        assert fields(one) <= fields(messages()[key][lang]), key


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


# Every English message that shows a count, for 0, 1 and 2 (`{n}` stands for the count); its
# Chinese text for 1 is what it was before plural forms (Chinese has none).
PLURALS: list[tuple[str, dict[str, object], str, str, str]] = [
    (
        "deliveries.title",
        {},
        "*{n} messages could not be delivered.* Fix the cause, then retry:",
        "*1 message could not be delivered.* Fix the cause, then retry:",
        "*有 1 条消息未能送达。* 请先解决原因，再重试：",
    ),
    (
        "deliveries.retried",
        {},
        "{n} messages will be sent again.",
        "1 message will be sent again.",
        "1 条消息将重新发送。",
    ),
    (
        "deliveries.home",
        {},
        ":warning: {n} messages could not be delivered — `/rolecall deliveries` shows why.",
        ":warning: 1 message could not be delivered — `/rolecall deliveries` shows why.",
        ":warning: 有 1 条消息未能送达 — `/rolecall deliveries` 查看原因。",
    ),
    (
        "home.more.role",
        {},
        "_…and {n} more roles: `/role list` shows them all._",
        "_…and 1 more role: `/role list` shows them all._",
        "_……还有 1 个角色：`/role list` 可查看全部。_",
    ),
    (
        "owner.ask_backup.holders",
        {"backup": "@b", "people": "@a"},
        "Ask @b. Holders: @a.",
        "Ask @b. Holder: @a.",
        "请找 @b。担任者：@a。",
    ),
    ("issue.causes.period", {}, "the last {n} days", "the last day", "最近 1 天"),
    (
        "issue.causes.title",
        {"period": "P"},
        "*Root causes of the {n} tickets resolved in P* — what to fix for good:",
        "*Root cause of the 1 ticket resolved in P* — what to fix for good:",
        "*P解决的 1 个工单的根本原因* — 值得彻底解决的问题：",
    ),
    (
        "owner.list.more",
        {},
        "…and {n} more areas than one message can show. Ask `/owner &lt;area&gt;` for any one"
        " of them.",
        "…and 1 more area than one message can show. Ask `/owner &lt;area&gt;` for it.",
        "……还有 1 个领域，一条消息无法全部显示。可用 `/owner &lt;领域&gt;` 查询其中任何一个。",
    ),
    (
        "owner.others",
        {"areas": "`A`"},
        "Also: `A` — ask `/owner &lt;area&gt;` for any of these {n}.",
        "Also: `A` — ask `/owner &lt;area&gt;` for it.",
        "另有：`A`——可用 `/owner &lt;领域&gt;` 查询这 1 个中的任何一个。",
    ),
    (
        "standup.queue.oldest",
        {},
        "oldest open {n} days",
        "oldest open 1 day",
        "最早的未关闭工单已 1 天",
    ),
    (
        "standup.unscheduled",
        {"id": 3},
        "Schedule #3 removed; {n} prompts not sent yet were withdrawn.",
        "Schedule #3 removed; 1 prompt not sent yet was withdrawn.",
        "已删除日程 #3；撤回了 1 条尚未发送的提醒。",
    ),
]


def test_a_count_of_one_reads_singular_and_others_plural_in_english() -> None:
    for key, params, plural, one, chinese in PLURALS:
        for n in (0, 2, 12):
            assert t("en", key, count=n, **params) == plural.replace("{n}", str(n)), (key, n)
        assert t("en", key, count=1, **params) == one, key
        assert t("zh", key, count=1, **params) == chinese, key
        assert t("zh", key, count=2, **params) == chinese.replace("1", "2", 1), key


def test_no_english_message_hedges_its_plural() -> None:
    hedged = [key for key, texts in messages().items() if "(s)" in texts["en"]]
    assert hedged == []
