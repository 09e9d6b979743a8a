"""Wiring: settings, the app factory, server, scheduler, CLI and shell."""
