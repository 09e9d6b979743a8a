"""Settings: parsing, defaults, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("ROLECALL_ADMINS", "ROLECALL_DEFAULT_TZ", "PORT", "ROLECALL_SUPPORT_CHANNEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///rolecall.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.default_tz == "UTC" and settings.port == 3000 and settings.admins == ()


def test_language_of_channel_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().language == "en"
    monkeypatch.setenv("ROLECALL_LANGUAGE", "中文")
    assert load_settings().language == "zh"


def test_admins_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLECALL_ADMINS", "U01ABC, U02DEF,")
    assert load_settings().admins == ("U01ABC", "U02DEF")


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ROLECALL_SUPPORT_CHANNEL=C0SUPPORT\nPORT=8080\n")
    settings = load_settings()
    assert settings.support_channel == "C0SUPPORT" and settings.port == 8080


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORT", "eighty", "PORT: "),
        ("PORT", "70000", "PORT: "),
        ("ROLECALL_ADMINS", "alice", "ROLECALL_ADMINS: 'alice' is not a Slack user ID"),
        ("ROLECALL_DEFAULT_TZ", "Mars/Base", "ROLECALL_DEFAULT_TZ: unknown time zone"),
        ("ROLECALL_SUPPORT_CHANNEL", "#support", "ROLECALL_SUPPORT_CHANNEL: '#support' is not"),
        ("ROLECALL_SLACK_API_URL", "slack.com/api", "ROLECALL_SLACK_API_URL: must be an http"),
        ("ROLECALL_FIRST_RESPONSE", "urgent=soon", "ROLECALL_FIRST_RESPONSE: write it like"),
        ("ROLECALL_LANGUAGE", "klingon", "ROLECALL_LANGUAGE: use `en` (English) or `zh`"),
    ],
)
def test_malformed_setting_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_required_setting_is_named() -> None:
    with pytest.raises(SettingsError, match="^SLACK_SIGNING_SECRET is not set$"):
        load_settings().require("slack_signing_secret")
