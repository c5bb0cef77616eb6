"""Screens and widgets reach the desk through the session's methods, never its database.

A screen that reads ``session.db`` runs a query of its own choosing in whatever
thread it happens to be in, beside the session's reads that the app's workers
are built around: the session (``regentra_tui/session.py``) is the one place the
app's reads are listed. Read from the source, so a new screen is held to it too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import regentra_tui

PACKAGE = Path(regentra_tui.__file__).parent
UI_MODULES = sorted([*(PACKAGE / "screens").glob("*.py"), *(PACKAGE / "widgets").glob("*.py")])


def _database_reads(source: str) -> list[int]:
    """Lines where an attribute named ``db`` is read, or asked for by name."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "db":
            lines.append(node.lineno)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr")
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "db"
        ):
            lines.append(node.lineno)
    return lines


def test_the_check_finds_a_screen_reading_the_sessions_database():
    source = "def load(self):\n    return rows(self.rapp.session.db)\n"
    assert _database_reads(source) == [2]
    assert _database_reads("x = getattr(session, 'db')\n") == [1]


def test_no_screen_or_widget_reads_the_sessions_database():
    assert UI_MODULES, "no screen or widget modules found"
    offenders = {
        f"{path.parent.name}/{path.name}": lines
        for path in UI_MODULES
        if (lines := _database_reads(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "call a DeskSession method instead of session.db"
