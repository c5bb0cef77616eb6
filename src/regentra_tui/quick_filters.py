"""The quick filter keys of the board and the list: each toggles one filter.

``!`` high and critical priority, ``@`` assigned to me, ``u`` unassigned, ``b``
SLA breached. Pure: a filter in, the toggled filter out; the filter bar shows
the result in its controls (the line that says which filters are on).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from regentra_core import UNASSIGNED, Badge, Priority, TicketFilter

Quick = Literal["urgent", "mine", "unassigned", "breached"]

URGENT = (Priority.CRITICAL, Priority.HIGH)
"""What ``!`` shows: the priorities someone should look at first."""

QUICK_KEYS: dict[Quick, str] = {
    "urgent": "!",
    "mine": "@",
    "unassigned": "u",
    "breached": "b",
}


def toggled(f: TicketFilter, quick: Quick, me: str) -> TicketFilter:
    """``f`` with ``quick`` switched: on when it was not exactly on, else off.

    A filter already partly like it (High only) becomes the quick one; pressing
    the key again clears that part of the filter, the rest kept."""
    if quick == "urgent":
        on = set(f.priorities) == set(URGENT)
        return replace(f, priorities=() if on else URGENT)
    if quick == "breached":
        on = f.sla == (Badge.BREACHED,)
        return replace(f, sla=() if on else (Badge.BREACHED,))
    who = me if quick == "mine" else UNASSIGNED
    return replace(f, assignee=None if f.assignee == who else who)
