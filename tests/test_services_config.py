"""services/config: the configuration in force and `/rolecall config` changes, in the store."""

from __future__ import annotations

import pytest

from domain.errors import UsageError
from services.config import change_config, configured_keys, workspace_config
from storage.db import Database
from tests.services_fixtures import OTHER, TEAM, Env


def test_a_change_is_stored_normalized_and_applies_to_that_workspace_only(db: Database) -> None:
    with db.begin() as session:
        assert change_config(session, TEAM, "support-channel", "<#C0SUPPORT|support>") == (
            "C0SUPPORT"
        )
        assert change_config(session, TEAM, "ADMINS", "<@UALICE>") == "UALICE"
    with db.begin() as session:
        mine = workspace_config(session, Env(), TEAM)
        theirs = workspace_config(session, Env(), OTHER)
        assert configured_keys(session, TEAM) == {"support_channel", "admins"}
        assert configured_keys(session, OTHER) == set()
    assert (mine.support_channel, mine.admins) == ("C0SUPPORT", ("UOPS", "UALICE"))
    assert (theirs.support_channel, theirs.admins) == (None, ("UOPS",))


def test_reset_goes_back_to_the_environment(db: Database) -> None:
    with db.begin() as session:
        change_config(session, TEAM, "default_tz", "Asia/Shanghai")
        assert workspace_config(session, Env(), TEAM).default_tz == "Asia/Shanghai"
        assert change_config(session, TEAM, "default_tz", "reset") is None
    with db.begin() as session:
        assert workspace_config(session, Env(default_tz="Europe/Berlin"), TEAM).default_tz == (
            "Europe/Berlin"
        )
        assert configured_keys(session, TEAM) == set()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("colour", "blue", "rolecall.config.unknown_key"),
        ("holidays", "XX", "rolecall.config.bad_value"),
    ],
)
def test_an_unknown_key_or_bad_value_is_refused_and_nothing_is_stored(
    db: Database, key: str, value: str, message: str
) -> None:
    with db.begin() as session, pytest.raises(UsageError) as refused:
        change_config(session, TEAM, key, value)
    assert refused.value.key == message
    with db.begin() as session:
        assert configured_keys(session, TEAM) == set()
