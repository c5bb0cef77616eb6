"""How a report's table reads to a person, in the app and on the command line.

The core's ``Report`` keeps plain values (minutes as whole numbers, shares as
floats) for JSON and CSV; a person reads ``2h 45m``, not ``165``, and ``57.1%``.
Headers are two short lines ("resp." over "breached") so the SLA table's eleven
columns fit 120 columns; the clock a column counts is on its top line.
"""

from __future__ import annotations

from regentra_core import format_minutes

_CLOCKS = {"response": "resp.", "resolution": "resol."}
_WORDS = {
    "met": "met",
    "breached": "breached",
    "pending": "pending",
    "no_reply": "no reply",
    "met_pct": "met %",
}
TEXT_COLUMNS = frozenset({"by", "group", "client", "technician", "age"})
"""Columns of words (left-aligned); the others are figures (right-aligned)."""


def header(column: str) -> str:
    """``resp.\\nbreached`` for ``response_breached``, ``billable`` for
    ``billable_minutes``, ``share %`` for ``share_pct``; two lines at most."""
    clock, _, rest = column.partition("_")
    if clock in _CLOCKS and rest in _WORDS:
        return f"{_CLOCKS[clock]}\n{_WORDS[rest]}"
    if column.endswith("_minutes"):
        return column.removesuffix("_minutes").replace("_", "-")
    if column.endswith("_pct"):
        return column.removesuffix("_pct").replace("_", " ") + " %"
    return column.replace("_", " ")


def cell(column: str, value: object) -> str:
    """A value as a person reads it: minutes as hours and minutes, a share with %."""
    if value is None:
        return ""
    if column.endswith("_minutes") and isinstance(value, int):
        return format_minutes(value)
    if column.endswith("_pct") and isinstance(value, float):
        return f"{value:g}%"
    return str(value)
