"""Persistence: models, repository functions and migrations."""
