"""An in-memory Slack: the Web API and response_urls served on loopback, playing by Slack's
rules (block limits, channel access, trigger and response_url lifetimes).

It ships because `rolecall shell` runs on it, and the tests run against it too, like errbot's
text and test backends. It imports nothing of Rolecall's.
"""

from slack_emulator.emulator import *  # noqa: F403 (the package's face is the emulator's __all__)
from slack_emulator.emulator import __all__ as __all__
