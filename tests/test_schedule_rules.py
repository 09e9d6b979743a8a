"""Schedule rules, directly: parsing what admins type, and when each prompt is due in
Asia/Shanghai and America/New_York, across daylight saving, weekends and public holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import combinations

import pytest

from domain.availability import (
    HolidayCalendar,
    Presence,
    absence_reason,
    holiday_name,
    is_available,
    is_makeup_workday,
    is_public_holiday,
    parse_skip,
)
from domain.errors import UsageError
from domain.schedule_parsing import (
    format_days,
    format_time,
    is_window,
    parse_day,
    parse_days,
    parse_schedule,
    parse_time,
    parse_window,
    stored_schedule,
)
from domain.schedules import (
    ANSWERED,
    MISSED,
    PENDING,
    PROMPTED,
    REMINDED,
    SKIPPED,
    STATES,
    Schedule,
    Slot,
    can_move,
    digest_window,
    due_slots,
    next_slot,
    occurrence_key,
    open_slot,
    participant_key,
    prompt_instant,
    runs_on,
    slot,
    sources_of,
    zone_or_default,
)
from i18n import messages

SH, NY = "Asia/Shanghai", "America/New_York"
MON, WED, FRI = 0, 2, 4
USAGE = "standup.usage"


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def standup(days: str = "weekdays", at: str = "09:30", window: int = 240) -> Schedule:
    return Schedule(7, "standup", ("tech-lead",), parse_days(days), parse_time(at), "C1", window)


# --- parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("daily", {0, 1, 2, 3, 4, 5, 6}),
        ("Daily", {0, 1, 2, 3, 4, 5, 6}),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("Mon - Thu", {0, 1, 2, 3}),
        ("fri-mon", {4, 5, 6, 0}),
        ("mon,wed,fri", {MON, WED, FRI}),
        ("Monday, Wednesday, Friday", {MON, WED, FRI}),
        ("tue/thu", {1, 3}),
        ("weekends", {5, 6}),
        ("每天", {0, 1, 2, 3, 4, 5, 6}),
        ("工作日", {0, 1, 2, 3, 4}),
        ("周一,周三", {MON, WED}),
        ("周一，周三，周五", {MON, WED, FRI}),
        ("星期一、星期五", {MON, FRI}),
        ("周一至周五", {0, 1, 2, 3, 4}),
        ("周一到周四", {0, 1, 2, 3}),
        ("周一三五", {MON, WED, FRI}),
        ("周六,周日", {5, 6}),
        ("星期天", {6}),
        ("周末", {5, 6}),
    ],
)
def test_days_are_read_in_english_and_chinese(text: str, days: set[int]) -> None:
    assert parse_days(text) == frozenset(days)


@pytest.mark.parametrize("text", ["", "someday", "mon-", "mon-fri-sat", "mon,funday", "周八"])
def test_bad_days_get_the_usage(text: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_days(text, USAGE)
    assert raised.value.key == "standup.error.bad_days"
    assert raised.value.usage == USAGE and raised.value.params == {"text": text.strip()}
    assert raised.value.key in messages() and USAGE in messages()


def test_every_set_of_days_has_one_canonical_text_that_reads_back() -> None:
    seen = set()
    for size in range(1, 8):
        for chosen in combinations(range(7), size):
            text = format_days(chosen)
            assert parse_days(text) == frozenset(chosen)
            seen.add(text)
    assert len(seen) == 127
    assert format_days(range(7)) == "daily" and format_days(range(5)) == "weekdays"
    assert format_days({FRI, MON, WED}) == "mon,wed,fri"


def test_a_weekly_day_is_one_day() -> None:
    assert (
        parse_day("fri") == parse_day("Friday") == parse_day("周五") == parse_day("星期五") == FRI
    )
    for bad in ("mon-fri", "weekdays", "mon,fri", "someday"):
        with pytest.raises(UsageError) as raised:
            parse_day(bad, "progress.usage")
        assert (
            raised.value.key == "standup.error.bad_day" and raised.value.usage == "progress.usage"
        )


@pytest.mark.parametrize(
    ("text", "at"),
    [("09:30", time(9, 30)), ("9:30", time(9, 30)), ("0:05", time(0, 5)), ("23:59", time(23, 59))],
)
def test_times(text: str, at: time) -> None:
    assert parse_time(text) == at
    assert parse_time(text.replace(":", "：")) == at  # a Chinese keyboard's colon


@pytest.mark.parametrize("text", ["24:00", "9", "9:5", "09:60", "nine", "9:30pm", "-1:00", ""])
def test_bad_times(text: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_time(text, USAGE)
    assert raised.value.key == "standup.error.bad_time" and raised.value.usage == USAGE


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("4h", 240), ("90m", 90), ("1h30m", 90), ("1.5h", 90), ("2 hours", 120), ("4小时", 240)]
    + [("90分钟", 90), ("window=45m", 45), ("24h", 1440), ("15m", 15)],
)
def test_windows(text: str, minutes: int) -> None:
    assert parse_window(text) == minutes
    assert is_window(text)


def test_windows_out_of_range_or_unreadable() -> None:
    for text, key in (("10m", "window_range"), ("25h", "window_range"), ("4x", "bad_window")):
        with pytest.raises(UsageError) as raised:
            parse_window(text, "standup", USAGE)
        assert raised.value.key == f"standup.error.{key}"
    assert parse_window("72h", "progress") == 72 * 60  # a weekly update may stay open longer
    assert not is_window("#standup") and not is_window("09:30")


def test_a_schedule_command_is_read_from_the_right() -> None:
    request = parse_schedule("standup", "tech lead, pm mon, wed, fri 9:30 <#C0STAND|standup> 90m")
    assert request.role_names == ("tech lead", "pm")
    assert request.days == {MON, WED, FRI} and request.at == time(9, 30)
    assert request.channel == "C0STAND" and request.window_minutes == 90
    everyone = parse_schedule("standup", "all mon - fri 09:30 C0STAND")
    assert everyone.role_names == () and everyone.days == frozenset(range(5))
    assert everyone.window_minutes == 240
    zh = parse_schedule("standup", "技术负责人 工作日 9:30 <#C0STAND>")
    assert zh.role_names == ("技术负责人",) and zh.days == frozenset(range(5))
    weekly = parse_schedule("progress", "全部 周五 16:00 <#C0STAND> 2h")
    assert weekly.role_names == () and weekly.days == {FRI} and weekly.window_minutes == 120


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("pm daily 9:30", "standup.error.missing"),
        ("daily 9:30 #x", "standup.error.missing"),
        ("pm someday 9:30 <#C0STAND>", "standup.error.bad_days"),
        ("pm daily 25:00 <#C0STAND>", "standup.error.bad_time"),
        ("pm daily 9:30 standup", "error.bad_channel"),
        ("pm daily 9:30 <#C0STAND> 5m", "standup.error.window_range"),
    ],
)
def test_bad_schedule_commands_name_the_problem(text: str, key: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_schedule("standup", text, USAGE)
    assert raised.value.key == key and raised.value.usage == USAGE
    assert key in messages()


def test_a_weekly_schedule_takes_one_day() -> None:
    with pytest.raises(UsageError) as raised:
        parse_schedule("progress", "pm mon-fri 16:00 <#C0STAND>", "progress.usage")
    assert raised.value.key == "standup.error.bad_day"


def test_a_stored_schedule_reads_back_as_the_one_typed() -> None:
    request = parse_schedule("standup", "pm mon,wed,fri 9:05 <#C0STAND> 90m")
    stored = stored_schedule(
        3, "standup", ["product-manager"], format_days(request.days), format_time(request.at),
        request.channel, request.window_minutes,
    )  # fmt: skip
    assert stored == Schedule(
        3, "standup", ("product-manager",), frozenset({MON, WED, FRI}), time(9, 5), "C0STAND", 90
    )
    assert format_time(request.at) == "09:05" and not stored.everyone


# --- when prompts are due --------------------------------------------------------------


def test_each_participant_is_prompted_at_their_own_local_time() -> None:
    schedule = standup()
    monday = date(2026, 3, 9)
    shanghai, new_york = slot(schedule, SH, monday), slot(schedule, NY, monday)
    assert shanghai.prompt_at == utc(2026, 3, 9, 1, 30)  # 09:30 CST (UTC+8)
    assert new_york.prompt_at == utc(2026, 3, 9, 13, 30)  # 09:30 EDT (UTC-4), DST began 8 March
    assert shanghai.cutoff_at == utc(2026, 3, 9, 5, 30)
    assert shanghai.remind_at == utc(2026, 3, 9, 4, 30)  # one hour before the cut-off
    assert shanghai.key == new_york.key == occurrence_key(7, monday) == "schedule:7:2026-03-09"


def test_the_digest_opens_with_the_first_zone_and_is_final_after_the_last() -> None:
    opened, final = digest_window(standup(), {SH, NY}, date(2026, 3, 9)) or (None, None)
    assert opened == utc(2026, 3, 9, 1, 30) and final == utc(2026, 3, 9, 17, 30)
    assert digest_window(standup(), {SH, NY}, date(2026, 3, 7)) is None  # a Saturday


def test_spring_forward_a_missing_local_time_is_sent_after_the_gap() -> None:
    schedule = standup("daily", "02:30")
    sunday = date(2026, 3, 8)  # 02:00 EST → 03:00 EDT: 02:30 does not exist
    shifted = slot(schedule, NY, sunday)
    assert shifted.prompt_at == utc(2026, 3, 8, 7, 30)  # = 03:30 EDT
    assert slot(schedule, NY, date(2026, 3, 7)).prompt_at == utc(2026, 3, 7, 7, 30)  # 02:30 EST
    assert slot(schedule, NY, date(2026, 3, 9)).prompt_at == utc(2026, 3, 9, 6, 30)  # 02:30 EDT
    ticks = _every(utc(2026, 3, 7, 0, 0), utc(2026, 3, 10, 0, 0), timedelta(minutes=10))
    found = _due_in_ticks(schedule, {NY}, ticks)
    assert [s.local_date for s in found] == [date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)]


def test_fall_back_an_ambiguous_local_time_is_sent_once_the_first_time() -> None:
    schedule = standup("daily", "01:30")
    sunday = date(2026, 11, 1)  # 02:00 EDT → 01:00 EST: 01:30 happens twice
    assert slot(schedule, NY, sunday).prompt_at == utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    ticks = _every(utc(2026, 10, 31, 0, 0), utc(2026, 11, 3, 0, 0), timedelta(minutes=10))
    found = _due_in_ticks(schedule, {NY}, ticks)
    assert [s.local_date for s in found] == [
        date(2026, 10, 31),
        date(2026, 11, 1),
        date(2026, 11, 2),
    ]
    assert [s.prompt_at.hour for s in found] == [5, 5, 6]


def test_the_window_is_real_time_across_a_clock_change() -> None:
    early = slot(standup("daily", "00:30"), NY, date(2026, 3, 8))
    assert early.prompt_at == utc(2026, 3, 8, 5, 30)
    # Four real hours: the cut-off is 09:30 UTC, which the wall clock shows as 05:30 EDT.
    assert early.cutoff_at == utc(2026, 3, 8, 9, 30)


def test_no_prompts_on_excluded_days_and_none_twice_whatever_the_ticks() -> None:
    schedule = standup("weekdays")
    start, end = utc(2026, 3, 1, 0, 0), utc(2026, 3, 15, 0, 0)  # two weeks over the DST change
    everything = due_slots(schedule, {SH, NY}, start, end)
    for step in (timedelta(minutes=1), timedelta(minutes=7), timedelta(hours=5)):
        assert _due_in_ticks(schedule, {SH, NY}, _every(start, end, step)) == everything
    by_zone = {tz: [s.local_date for s in everything if s.tz == tz] for tz in (SH, NY)}
    weekdays = [d for d in _dates(date(2026, 3, 1), date(2026, 3, 14)) if d.weekday() < 5]
    assert by_zone[SH] == weekdays and by_zone[NY] == weekdays
    assert all(s.local_date.weekday() < 5 for s in everything)


def test_due_slots_cover_a_half_open_interval() -> None:
    schedule = standup("daily")
    at = utc(2026, 3, 9, 1, 30)
    assert [s.tz for s in due_slots(schedule, {SH, NY}, at - timedelta(minutes=1), at)] == [SH]
    assert due_slots(schedule, {SH, NY}, at, at + timedelta(minutes=1)) == []


def test_public_holidays_are_off_and_make_up_workdays_are_on() -> None:
    cn, us = HolidayCalendar("CN"), HolidayCalendar("us")
    weekdays, mwf = standup("weekdays"), standup("mon,wed,fri")
    national_day = date(2026, 10, 1)  # a Thursday
    assert not runs_on(weekdays, national_day, cn) and runs_on(weekdays, national_day)
    assert runs_on(weekdays, date(2026, 9, 30), cn)
    observed = date(2026, 7, 3)  # Independence Day falls on a Saturday: observed Friday
    assert not runs_on(weekdays, observed, us) and runs_on(weekdays, observed, cn)
    makeup = date(2026, 10, 10)  # a Saturday worked in China instead of 7 October
    assert runs_on(weekdays, makeup, cn) and not runs_on(weekdays, makeup)
    assert not runs_on(mwf, makeup, cn)  # only schedules that run every weekday
    zones = {SH}
    week = due_slots(weekdays, zones, utc(2026, 9, 27, 0, 0), utc(2026, 10, 12, 0, 0), cn)
    assert [s.local_date.isoformat() for s in week] == [
        "2026-09-28", "2026-09-29", "2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10",
    ]  # fmt: skip


def test_next_and_open_slots() -> None:
    schedule = standup("mon,wed,fri")
    friday_evening = utc(2026, 3, 13, 20, 0)
    following = next_slot(schedule, SH, friday_evening)
    assert following is not None and following.local_date == date(2026, 3, 16)
    assert next_slot(schedule, NY, friday_evening, HolidayCalendar("US")) is not None
    during = utc(2026, 3, 9, 15, 0)
    assert (open_slot(schedule, NY, during) or slot(schedule, SH, date(2020, 1, 1))).tz == NY
    assert open_slot(schedule, SH, during) is None  # Shanghai's cut-off was 05:30 UTC
    weekly = Schedule(8, "progress", (), frozenset({FRI}), time(16, 0), "C1", 72 * 60)
    sunday = utc(2026, 3, 15, 12, 0)
    friday = open_slot(weekly, SH, sunday)
    assert friday is not None and friday.local_date == date(2026, 3, 13)
    assert open_slot(weekly, SH, utc(2026, 3, 16, 8, 0)) is None  # 72 h after Friday 16:00


def test_reminder_goes_inside_the_window() -> None:
    short = slot(standup(window=60), SH, date(2026, 3, 9))
    assert short.remind_at - short.prompt_at == timedelta(minutes=30)
    long = slot(standup(window=24 * 60), SH, date(2026, 3, 9))
    assert long.cutoff_at - long.remind_at == timedelta(hours=1)


def test_keys_are_stable_strings() -> None:
    day = date(2026, 3, 9)
    assert participant_key(7, day, "U1", "prompt") == "schedule:7:2026-03-09:U1:prompt"
    assert slot(standup(), SH, day).key == slot(standup(), NY, day).key
    assert prompt_instant(day, time(9, 30), SH) == prompt_instant(day, time(9, 30), SH)


def test_unknown_zones_fall_back_to_the_default() -> None:
    assert zone_or_default("Mars/Olympus", NY) == NY
    assert zone_or_default(None, NY) == NY and zone_or_default(SH, NY) == SH


def test_state_moves() -> None:
    assert can_move(PENDING, PROMPTED) and can_move(PROMPTED, REMINDED)
    assert can_move(ANSWERED, ANSWERED) and can_move(SKIPPED, PENDING)
    assert not can_move(REMINDED, PROMPTED) and not can_move(MISSED, PROMPTED)
    assert set(sources_of(ANSWERED)) == {PENDING, PROMPTED, REMINDED, ANSWERED, SKIPPED}
    assert all(state in STATES for state in sources_of(SKIPPED))


# --- availability ----------------------------------------------------------------------


def test_holiday_names_and_calendars() -> None:
    assert holiday_name("CN", date(2026, 10, 1), "zh") == "国庆节"
    assert holiday_name("cn", date(2026, 10, 1)) == "National Day"
    assert is_public_holiday("US", date(2026, 7, 3)) and not is_public_holiday(
        "US", date(2026, 7, 6)
    )
    assert is_makeup_workday("CN", date(2026, 10, 10)) and not is_makeup_workday(
        "US", date(2026, 10, 10)
    )
    assert not is_public_holiday(None, date(2026, 10, 1))
    assert not is_public_holiday("XX", date(2026, 1, 1))  # not a calendar: no holidays


def test_away_pause_and_skip() -> None:
    day = date(2026, 3, 9)
    assert absence_reason(Presence(), day) is None and is_available(Presence(), day)
    assert absence_reason(Presence(away_until=day), day) == "away"
    assert absence_reason(Presence(away_until=day - timedelta(days=1)), day) is None
    assert absence_reason(Presence(paused=True), day) == "paused"
    assert absence_reason(Presence(skip_until=day), day) == "skipped"
    assert absence_reason(Presence(skip_until=day), day + timedelta(days=1)) is None
    assert absence_reason(Presence(away_until=day, paused=True), day) == "away"


def test_skip_text() -> None:
    today = date(2026, 3, 9)
    assert parse_skip("", today) == parse_skip("today", today) == parse_skip("今天", today) == today
    assert parse_skip("tomorrow", today) == date(2026, 3, 10)
    assert (
        parse_skip("until 2026-03-20", today)
        == parse_skip("2026-03-20", today)
        == date(2026, 3, 20)
    )
    for text, key in (
        ("until 2026-03-01", "standup.error.skip_past"),
        ("until 2028-01-01", "standup.error.skip_far"),
        ("until 2026-02-30", "error.bad_date"),
        ("until next week", "standup.error.bad_skip"),
        ("for a while now", "standup.error.bad_skip"),
    ):
        with pytest.raises(UsageError) as raised:
            parse_skip(text, today, USAGE)
        assert raised.value.key == key and key in messages()


# --- helpers ---------------------------------------------------------------------------


def _every(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    ticks = [start]
    while ticks[-1] < end:
        ticks.append(min(ticks[-1] + step, end))
    return ticks


def _due_in_ticks(schedule: Schedule, zones: set[str], ticks: list[datetime]) -> list[Slot]:
    found: list[Slot] = []
    for since, now in zip(ticks, ticks[1:], strict=False):
        found += due_slots(schedule, zones, since, now)
    assert len(found) == len(set(found)), "a slot was due twice"
    return sorted(found, key=lambda s: (s.prompt_at, s.tz))


def _dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
