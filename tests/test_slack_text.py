"""Slack message markup read as a person reads it (handlers.slack_text), and the emulator's
encoding of human messages the way Slack stores them."""

from __future__ import annotations

from handlers.slack_text import decoded, mentioned_users, readable
from slack_emulator.markup import slack_encoded


def test_mentions_use_the_label_then_the_lookup_then_the_id() -> None:
    names = {"UCAROL": "carol"}.get
    assert readable("<@U123|bob> says hi") == "@bob says hi"
    assert readable("ping <@UCAROL> and <@UNOBODY>", names) == "ping @carol and @UNOBODY"
    assert readable("<@U1>") == "@U1"
    assert readable("<@U1|bob>", lambda _: "robert") == "@bob"


def test_channels_broadcasts_and_user_groups() -> None:
    assert readable("see <#C123|general> or <#C9>") == "see #general or #C9"
    assert readable("<!here> <!channel> <!everyone>") == "@here @channel @everyone"
    assert readable("<!subteam^S1|@support> help") == "@support help"
    assert readable("due <!date^1392734382^{date}|Feb 18, 2014>") == "due Feb 18, 2014"


def test_links_keep_their_address() -> None:
    assert (
        readable("<https://x.test/a?b=1&amp;c=2|the docs>") == "the docs (https://x.test/a?b=1&c=2)"
    )
    assert readable("<https://x.test>") == "https://x.test"
    assert readable("<http://acme.test|acme.test>") == "http://acme.test"
    assert readable("<mailto:bob@acme.test|bob@acme.test>") == "bob@acme.test"
    assert readable("<https://x.test|a &amp; b>") == "a & b (https://x.test)"


def test_entities_are_decoded_once() -> None:
    assert readable("export &gt; 10MB fails &amp; more") == "export > 10MB fails & more"
    assert readable("&amp;lt;b&amp;gt; is literal") == "&lt;b&gt; is literal"
    assert decoded("a &lt; b &quot;") == "a < b &quot;"
    assert readable("") == "" and readable("plain text") == "plain text"


def test_text_that_is_not_markup_is_left_alone() -> None:
    assert readable("a <b and c> d") == "a <b and c> d"  # not Slack markup: kept
    assert readable("x < y") == "x < y"
    assert readable("多行\n<@U1|鲍勃> 说：导出失败") == "多行\n@鲍勃 说：导出失败"


def test_mentioned_users_lists_the_unlabelled_once() -> None:
    assert mentioned_users("<@U1> <@U2|bob> <@U1> <#C1> <!here>") == ["U1"]


def test_the_emulator_stores_human_text_as_slack_does() -> None:
    sent = "<@UBOB|bob> says export > 10MB fails & more, see <https://x.test|a> <!here> <#C1>"
    assert slack_encoded(sent) == (
        "<@UBOB|bob> says export &gt; 10MB fails &amp; more, see <https://x.test|a> <!here> <#C1>"
    )
    assert slack_encoded("a <b> c") == "a &lt;b&gt; c"
    assert readable(slack_encoded(sent)) == (
        "@bob says export > 10MB fails & more, see a (https://x.test) @here #C1"
    )
