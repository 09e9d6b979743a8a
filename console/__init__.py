"""`rolecall shell`'s console: people and channels, what the bot posted rendered as text,
modals to fill in. It drives the real app (built by `bot/shell.py`) over `slack_emulator`."""
