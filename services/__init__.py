"""Use cases: storage plus domain rules, called by handlers with (session, team_id, ...).

Nothing here imports Slack; each function works inside the caller's transaction.
"""
