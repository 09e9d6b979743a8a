"""What a Chinese reader is told when Rolecall refuses something is Chinese throughout: the
reason inside the sentence too (how to write a setting, a ticket's status, an area's name),
not English built where the refusal was decided. English readers keep their English."""

from __future__ import annotations

import re

import pytest

from i18n import messages
from services.config import configured_keys
from tests.harness import Harness
from tests.issue_fixtures import give_role

CAROL = "UCAROL"  # Slack locale zh-CN

# What may stay ASCII in a Chinese sentence: `code` (commands, keys, example values),
# mentions and channels, emoji names, ticket numbers.
_ALLOWED = re.compile(r"`[^`]*`|<[@#!][^>]*>|:[a-z0-9_+-]+:|#\d+")


def assert_chinese(text: str, *values: str) -> None:
    """No English word in `text` outside code, mentions and the user's own `values`."""
    rest = _ALLOWED.sub(" ", text)
    for value in values:
        rest = rest.replace(value, " ")
    words = re.findall(r"[A-Za-z]{2,}", rest)
    assert words == [], f"English {words} in: {text}"
    assert re.search(r"[\u4e00-\u9fff]", text), text


# Names and examples a Chinese text may keep as they are.
_KEPT = {"Rolecall", "Slack", "NUL", "TA", "alice", "support"}


def test_no_chinese_message_carries_english_words() -> None:
    """The catalogue's side of it: English in a Chinese text is code, a name or an example."""
    english = {}
    for key, texts in messages().items():
        rest = _ALLOWED.sub(" ", re.sub(r"\{[^}]*\}|&[a-z]+;", " ", texts["zh"]))
        words = set(re.findall(r"[A-Za-z]{2,}", rest)) - _KEPT
        if words:
            english[key] = sorted(words)
    assert english == {}


def test_the_helper_catches_english_and_allows_code() -> None:
    assert_chinese("`timezone` 不能设为 Mars：请使用 `Asia/Shanghai`。<@UBOB> #12", "Mars")
    with pytest.raises(AssertionError):
        assert_chinese("`x` 不能设为 y：use a time zone name")


BAD_VALUES = [
    ("support_channel", "support", "#support"),
    ("admins", "alice", "@alice @bob"),
    ("default_tz", "Mars/Base", "Europe/Berlin"),
    ("holidays", "XX", "two-letter country code"),
    ("first_response", "fast", "write it like `urgent=1h,high=4h,normal=24h,low=72h`"),
    ("first_response", "urgent=0h,high=4h,normal=24h,low=72h", "above zero"),
    ("first_response", "urgent=1h,high=4h", "missing `normal, low`"),
    ("language", "fr", "`en` (English) or `zh` (Chinese)"),
]


@pytest.mark.parametrize(("key", "value", "english"), BAD_VALUES)
def test_a_refused_setting_says_why_in_the_readers_language(
    app: Harness, key: str, value: str, english: str
) -> None:
    app.command("/role", f"assign <@{CAROL}> product-owner")  # an admin
    chinese = app.command("/rolecall", f"config {key} {value}", user=CAROL).text
    assert f"`{key}` 不能设为 {value}：" in chinese and "用法：" in chinese
    assert "`/rolecall config &lt;键&gt; &lt;值&gt;`" in chinese  # the usage line, too
    assert_chinese(chinese, value)
    plain = app.command("/rolecall", f"config {key} {value}").text
    assert f"`{key}` cannot be {value}: " in plain and english in plain
    assert "Usage:" in plain and "`/rolecall config &lt;key&gt; &lt;value&gt;`" in plain
    with app.db.begin() as session:
        assert key not in configured_keys(session, "T0001")


def test_a_refused_ticket_change_names_its_status_in_the_readers_words(desk: Harness) -> None:
    give_role(desk, "UBOB", "customer-support")
    give_role(desk, CAROL, "customer-support")
    desk.command("/issue", "help", user=CAROL)  # her profile (and so her locale) cached
    desk.command("/issue", "export crashes", user="UALICE")
    reopen = desk.command("/issue", "reopen 1", user=CAROL).text
    assert "新建" in reopen and "new" not in reopen
    assert_chinese(reopen)
    assert "still open (new)" in desk.command("/issue", "reopen 1", user="UBOB").text
    desk.command("/issue", "resolve 1 root cause: a; solution: b", user="UBOB")
    take = desk.command("/issue", "escalate 1", user=CAROL).text
    assert "已解决" in take
    assert_chinese(take)
    assert (
        "#1 is resolved; reopen it first" in desk.command("/issue", "escalate 1", user="UBOB").text
    )


def test_an_area_in_a_refusal_is_named_in_the_readers_language(app: Harness) -> None:
    app.command("/role", f"assign <@{CAROL}> product-owner")  # an admin, her profile cached
    app.command("/role", "assign <@UALICE> pm")
    app.command("/role", "assign <@UBOB> tech-lead")
    unset = app.command("/owner", "unset roadmap", user=CAROL).text
    assert_chinese(unset)
    assert "Nobody is set as the owner of Roadmap" in app.command("/owner", "unset roadmap").text
    exists = app.command("/owner", "add roadmap pm", user=CAROL).text
    assert "已是现有领域" in exists
    assert_chinese(exists, "roadmap")
    assert "already an area: Roadmap" in app.command("/owner", "add roadmap pm").text


def test_several_areas_in_a_refusal_are_named_in_the_readers_language(app: Harness) -> None:
    app.command("/role", f"assign <@{CAROL}> product-owner")
    topic = "code review and roadmap"
    several = app.command("/owner", f"unset {topic}", user=CAROL).text
    assert "代码评审、产品路线图" in several and "用法：" in several
    assert_chinese(several, topic)
    assert "(Code Review, Roadmap)" in app.command("/owner", f"unset {topic}").text


@pytest.mark.parametrize(
    ("command", "text", "echoed", "english"),
    [
        ("/issue", "list weird", "weird", "use open, mine, all, urgent or feedback"),
        ("/issue", "[superurgent] x", "superurgent", "a severity (low, normal, high, urgent)"),
        (
            "/rolecall",
            "config timezone Mars/Base",
            "timezone",
            "Settings: `support_channel`, `admins`",
        ),
    ],
)
def test_the_words_a_refusal_offers_are_the_readers(
    desk: Harness, command: str, text: str, echoed: str, english: str
) -> None:
    desk.command("/role", f"assign <@{CAROL}> product-owner")
    chinese = desk.command(command, text, user=CAROL).text
    assert "用法：" in chinese
    assert_chinese(chinese, echoed)
    assert english in desk.command(command, text).text
