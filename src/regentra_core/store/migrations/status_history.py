"""A ticket's status history as the migrations read it: the spans it spent in some states.

Migrations 0002 (the resolution clock's pauses) and 0016 (the response clock's done
spans) both rebuild stored spans from the status Events. Frozen on purpose: a
migration must make the same data whatever today's app code becomes, so this module
reads the event table with plain SQL, imports nothing of the app, and may only gain
functions, never change what one returns (an old desk upgraded next year runs it).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

MOVES = ("closed", "reopened", "resolved", "status_changed")
"""The Event kinds that move a ticket from one status to another."""


def spans_by_ticket(
    conn: Connection, inside: Callable[[str | None], bool]
) -> dict[int, list[list[str | None]]]:
    """Per ticket with status Events, the ``[start, end]`` spans (ISO 8601 with an
    offset, ``end`` None while still inside) of its moves into and out of the states
    ``inside`` accepts, oldest first."""
    events = conn.execute(
        sa.text(
            "SELECT ticket_id, at, from_value, to_value FROM event "
            "WHERE ticket_id IS NOT NULL AND kind IN :kinds ORDER BY ticket_id, at, id"
        ).bindparams(sa.bindparam("kinds", expanding=True)),
        {"kinds": list(MOVES)},
    ).all()
    spans_of: dict[int, list[list[str | None]]] = {}
    for ticket_id, at, before, after in events:
        stamp = at if isinstance(at, str) else at.isoformat()
        stamp = stamp.replace(" ", "T")
        if "+" not in stamp[10:]:
            stamp += "+00:00"
        spans = spans_of.setdefault(ticket_id, [])
        if inside(after) and not inside(before):
            spans.append([stamp, None])
        elif inside(before) and not inside(after) and spans and spans[-1][1] is None:
            spans[-1][1] = stamp
    return spans_of
