"""Domain rules: plain functions that know nothing of Slack or database sessions."""
