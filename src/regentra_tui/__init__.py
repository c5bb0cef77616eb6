"""Regentra TUI: the terminal app and the ``regentra`` command."""
