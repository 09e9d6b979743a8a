"""Rolecall within Slack's rules, however much there is to show.

The fake refuses what Slack refuses (and fails the test at its end if anything was), so
each test here only needs to make a lot of content and check what the user is told about
what did not fit. Also: command text decoded once, DMs answered, channel checks, cards.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from slack_emulator import payloads
from storage.areas import add_custom_area
from storage.models import TicketEvent
from tests.harness import Harness, visible_text
from tests.issue_fixtures import FORM, SUPPORT, dms, give_role, ticket

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def add_areas(app: Harness, count: int, role: str = "tech-lead", stem: str = "zone") -> None:
    """`count` areas owned by `role`, straight in the store."""
    with app.db.begin() as session:
        for n in range(count):
            name = f"{stem} {n:03d}"
            add_custom_area(session, "T0001", f"{stem}-{n:03d}", name, role, "UADMIN", NOW)


def share_buttons(blocks: list[dict[str, Any]]) -> int:
    return sum(1 for b in blocks if (b.get("accessory") or {}).get("action_id") == "owner_share")


# --- /owner ----------------------------------------------------------------------------------
def test_a_role_with_many_areas_answers_within_one_message(app: Harness) -> None:
    give_role(app, "UBOB", "tech-lead")
    add_areas(app, 200)
    reply = app.command("/owner", "tech lead", user="UALICE")
    blocks = reply.json["blocks"]
    assert len(blocks) <= 50 and share_buttons(blocks) == 20
    assert "<@UBOB>" in reply.text and "zone 000" in reply.text
    closing = visible_text({"blocks": blocks[-1:]})
    assert "Also:" in closing and "`/owner &lt;area&gt;`" in closing
    assert "zone 020" in closing and "…and" in closing and "more" in closing


def test_a_topic_matching_many_areas_answers_within_one_message(app: Harness) -> None:
    add_areas(app, 40, stem="billing")
    reply = app.command("/owner", "billing", user="UALICE")
    assert len(reply.json["blocks"]) <= 50 and share_buttons(reply.json["blocks"]) <= 20


def test_the_full_list_says_how_many_areas_it_left_out(app: Harness) -> None:
    # Who to ask is said once per role, so an area's line is short: long names fill it.
    add_areas(app, 300, stem="a zone with a name as long as some teams give their areas")
    reply = app.command("/owner", "list")
    blocks = reply.json["blocks"]
    assert len(blocks) <= 50
    assert "more areas than one message can show" in visible_text({"blocks": blocks[-1:]})
    assert "Product Manager" in visible_text(reply.json)  # the catalogue's roles come first


# --- /issue show and App Home ----------------------------------------------------------------
def test_show_keeps_the_latest_history_of_a_long_story(desk: Harness) -> None:
    desk.command("/issue", "printer jams", user="UALICE")
    stored = ticket(desk, 1)
    with desk.db.begin() as session:
        for n in range(300):
            at = stored.created_at + timedelta(minutes=n + 1)
            action = "assign" if n % 2 else "analyze"
            detail = {"assignee": "U0A1B2C3D4E5F"}  # real IDs are this long
            session.add(
                TicketEvent(
                    team_id="T0001",
                    ticket_id=stored.id,
                    action=action,
                    actor_id="U0A1B2C3D4E5F",
                    detail=detail,
                    at=at,
                )
            )
    shown = desk.command("/issue", "show 1")
    history = shown.json["blocks"][-1]["text"]["text"]
    assert len(history) <= 3000
    assert "earlier changes are not shown" in history and "filed it" not in history
    assert (stored.created_at + timedelta(minutes=300)).strftime("%H:%M") in history  # latest


def test_text_full_of_ampersands_is_cut_after_escaping(desk: Harness) -> None:
    desk.command("/issue", "&" * 300, user="UALICE")
    with desk.db.begin() as session:
        found = session.get(type(ticket(desk, 1)), ticket(desk, 1).id)
        assert found is not None
        found.description = "&<>" * 2000
    shown = desk.command("/issue", "show 1")
    for block in shown.json["blocks"]:
        text = (block.get("text") or {}).get("text", "")
        assert len(text) <= 3000
        assert not text.rstrip("…*").endswith(("&", "&a", "&am", "&amp", "&l", "&lt", "&g"))


def test_home_lists_what_fits_and_counts_the_rest(desk: Harness) -> None:
    for n in range(25):
        desk.command("/issue", f"[high] problem number {n} " + "details " * 30, user="UBOB")
    desk.event(payloads.app_home_opened(user_id="UBOB"))
    view = desk.slack.home_view("UBOB")
    assert view is not None
    tickets = view["blocks"][3]["text"]["text"]
    assert len(tickets) <= 3000 and "`/issue list mine` shows them all" in tickets


# --- command text ----------------------------------------------------------------------------
def test_command_text_is_decoded_once(desk: Harness) -> None:
    reply = desk.command("/issue", "customer: A&B Corp; printer <jams> & stops", user="UALICE")
    stored = ticket(desk, 1)
    assert stored.customer == "A&B Corp" and stored.summary == "printer <jams> & stops"
    assert "printer &lt;jams&gt; &amp; stops" in reply.text  # escaped once when shown
    added = desk.command("/owner", "add R&D lab tech lead")
    assert "R&amp;D lab" in added.text and "&amp;amp;" not in added.text
    assert "R&amp;D lab" in desk.command("/owner", "R&D lab").text


# --- the support channel and cards -----------------------------------------------------------
def test_a_private_support_channel_without_rolecall_is_reported(app: Harness) -> None:
    app.slack.add_channel("C0PRIVATE", "secret", private=True, member=False)
    saved = app.command("/rolecall", "config support_channel <#C0PRIVATE|secret>")
    assert "Saved" in saved.text
    (said,) = app.responses(saved.response_key)
    assert "cannot see <#C0PRIVATE>" in said["text"] and "/invite @Rolecall" in said["text"]


def test_an_archived_support_channel_is_reported(app: Harness) -> None:
    app.slack.add_channel("C0OLD", "old", archived=True)
    saved = app.command("/rolecall", "config support_channel <#C0OLD|old>")
    (said,) = app.responses(saved.response_key)
    assert "archived" in said["text"] and "/rolecall config support_channel" in said["text"]


def test_a_support_channel_rolecall_can_post_in_needs_no_word(app: Harness) -> None:
    app.slack.add_channel("C0OUTSIDE", "outside", member=False)  # public: chat:write.public
    for channel in ("<#C0SUPPORT|support>", "<#C0OUTSIDE|outside>"):
        saved = app.command("/rolecall", f"config support_channel {channel}")
        assert app.responses(saved.response_key) == []


def test_the_reporter_is_told_when_the_card_could_not_be_posted(desk: Harness) -> None:
    desk.slack.set_channel(SUPPORT, private=True, member=False)
    filed = desk.command("/issue", "printer jams", user="UALICE")
    assert "Filed #1" in filed.text and "goes to <#C0SUPPORT>" in filed.text
    (said,) = dms(desk, "UALICE")  # by DM, from the outbox, once Slack refused the card
    assert "could not be posted" in said and "/invite @Rolecall" in said
    assert ticket(desk, 1).card_ts is None
    desk.slack.set_channel(SUPPORT, member=True)  # /invite @Rolecall
    desk.command("/issue", "take 1", user="UADMIN")
    assert ticket(desk, 1).card_ts is not None  # posted at the next change


def test_a_modal_reporter_is_told_by_dm_when_the_card_could_not_be_posted(desk: Harness) -> None:
    desk.slack.set_channel(SUPPORT, archived=True)
    body = payloads.view_submission(
        team_id="T0001",
        user_id="UALICE",
        user_name="alice",
        callback_id="issue_file",
        values={"summary": {"value": {"type": "plain_text_input", "value": "printer jams"}}},
    )
    desk.post(body, FORM)
    desk.settle()
    (told,) = dms(desk, "UALICE")
    assert "#1" in told and "archived" in told


# --- direct messages -------------------------------------------------------------------------
def dm(user: str, text: str, **extra: object) -> dict[str, object]:
    """A message.im event, as in Slack's reference."""
    return {
        "type": "message",
        "channel": f"D{user}",
        "user": user,
        "text": text,
        "ts": "1700000000.000300",
        "event_ts": "1700000000.000300",
        "channel_type": "im",
        **extra,
    }


def test_a_dm_is_answered_with_help(app: Harness) -> None:
    assert app.event(dm("UALICE", "who owns billing?")).status == 200
    (answer,) = dms(app, "UALICE")
    assert "`/owner &lt;topic&gt;`" in answer and "`/rolecall help`" in answer
    app.event(dm("UCAROL", "谁负责路线图？"))
    assert "斜杠命令" in dms(app, "UCAROL")[0]


def test_edits_bots_and_rolecall_itself_get_no_answer(app: Harness) -> None:
    app.event(dm("UALICE", "edited", subtype="message_changed"))
    app.event(dm("UALICE", "from a bot", bot_id="B0OTHER"))
    app.event(dm("UBOT", "my own words"))
    app.event(dm("UALICE", "in a channel") | {"channel_type": "channel", "channel": "C0GENERAL"})
    assert app.slack.calls_to("chat.postMessage") == []


def test_tech_lead_holders_are_still_named_when_areas_are_many(app: Harness) -> None:
    give_role(app, "UBOB", "tech-lead")
    add_areas(app, 25, stem="pipeline")
    assert "<@UBOB>" in app.command("/owner", "pipeline 007").text


# --- trigger IDs -----------------------------------------------------------------------------
def test_a_form_that_cannot_open_in_time_says_so(app: Harness) -> None:
    stale = payloads.new_trigger_id()
    app.slack.expire_triggers(stale)  # the 3 s Slack allows have passed
    key, url = app.new_response_url(kind="command", channel="C0GENERAL", user="UALICE")
    body = payloads.slash_command(
        team_id="T0001",
        user_id="UALICE",
        user_name="alice",
        command="/issue",
        text="",
        response_url=url,
        trigger_id=stale,
    )
    assert app.post(body, FORM).status == 200
    app.settle()
    assert app.slack.views == []
    (said,) = app.responses(key)
    assert "could not open in time" in said["text"]


def test_a_fresh_trigger_opens_the_form(app: Harness) -> None:
    app.command("/issue", "", user="UALICE")
    assert [v["callback_id"] for v in app.slack.views] == ["issue_file"]
    assert [c.error for c in app.slack.calls_to("views.open")] == [None]
