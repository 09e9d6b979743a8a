"""domain/config: `/rolecall config` values checked and stored, and defaults overridden."""

from __future__ import annotations

import pytest

from domain.config import (
    CONFIG_KEYS,
    DEFAULT_FIRST_RESPONSE,
    BadValue,
    effective_config,
    normalize_value,
    parse_first_response,
)
from i18n import messages


def test_first_response_targets_in_hours_or_minutes() -> None:
    assert parse_first_response(DEFAULT_FIRST_RESPONSE) == {
        "urgent": 60,
        "high": 240,
        "normal": 1440,
        "low": 4320,
    }
    assert parse_first_response("urgent=30m, high=1.5h, normal=8, low=48h") == {
        "urgent": 30,
        "high": 90,
        "normal": 480,
        "low": 2880,
    }


@pytest.mark.parametrize(
    "text",
    ["urgent=1h,high=4h,normal=24h", "urgent=0h,high=4h,normal=24h,low=72h", "soon", "urgent=1x"],
)
def test_first_response_refuses_missing_zero_or_garbled_targets(text: str) -> None:
    with pytest.raises(ValueError):
        parse_first_response(text)


@pytest.mark.parametrize(
    ("key", "raw", "stored"),
    [
        ("support_channel", "<#C0SUPPORT|support>", "C0SUPPORT"),
        ("admins", "<@UALICE|alice>, <@UBOB>", "UALICE,UBOB"),
        ("default_tz", " Asia/Shanghai ", "Asia/Shanghai"),
        ("holidays", "cn", "CN"),
        (
            "first_response",
            "urgent=2h,high=4h,normal=24h,low=30m",
            "urgent=120m,high=240m,normal=1440m,low=30m",
        ),
        ("language", "ZH", "zh"),
        ("language", "中文", "zh"),
        ("language", "Chinese", "zh"),
        ("language", "英文", "en"),
        ("language", " english ", "en"),
    ],
)
def test_values_are_stored_in_one_form(key: str, raw: str, stored: str) -> None:
    assert normalize_value(key, raw) == stored


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("support_channel", "support"),
        ("admins", "alice"),
        ("default_tz", "Mars/Olympus"),
        ("holidays", "XX"),
        ("holidays", "China"),
        ("first_response", "fast"),
        ("language", "fr"),
        ("language", "zh-TW-ish"),
    ],
)
def test_bad_values_are_refused_with_a_hint(key: str, raw: str) -> None:
    with pytest.raises(BadValue) as refused:
        normalize_value(key, raw)
    assert refused.value.reason.key in messages()  # said in the reader's language, later


def test_every_config_key_is_checked() -> None:
    for key in CONFIG_KEYS:
        with pytest.raises(ValueError):
            normalize_value(key, "?")


def test_without_overrides_the_environment_holds() -> None:
    config = effective_config(
        support_channel="C0ENV",
        admins=("UOPS",),
        default_tz="UTC",
        holidays=None,
        first_response=DEFAULT_FIRST_RESPONSE,
        overrides={},
    )
    assert (config.support_channel, config.admins, config.default_tz, config.holidays) == (
        "C0ENV",
        ("UOPS",),
        "UTC",
        None,
    )
    assert config.first_response_minutes["urgent"] == 60


def test_overrides_win_and_workspace_admins_are_added_to_the_operators() -> None:
    config = effective_config(
        support_channel="C0ENV",
        admins=("UOPS",),
        default_tz="UTC",
        holidays=None,
        first_response=DEFAULT_FIRST_RESPONSE,
        overrides={
            "support_channel": "C0SUPPORT",
            "admins": "UALICE,UOPS",
            "default_tz": "Europe/Berlin",
            "holidays": "DE",
            "first_response": "urgent=30m,high=60m,normal=120m,low=240m",
        },
    )
    assert config.support_channel == "C0SUPPORT"
    assert config.admins == ("UOPS", "UALICE")  # the operators can never be locked out
    assert config.default_tz == "Europe/Berlin"
    assert config.holidays == "DE"
    assert config.first_response_minutes == {"urgent": 30, "high": 60, "normal": 120, "low": 240}
