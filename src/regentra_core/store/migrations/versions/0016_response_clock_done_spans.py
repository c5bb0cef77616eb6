"""The intervals a ticket spent Resolved or Closed, for the response clock.

A ticket resolved without any reply has not answered its customer: its response
clock is held while the ticket is done and goes on from the time it had used if
the ticket reopens. The resolution clock's pauses also include Waiting on
Customer, when the response clock runs, so these intervals are kept apart
(``ticket.sla_done_spans``) and rebuilt here from each ticket's status history.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 02:20:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DONE = {"resolved", "closed"}
_MOVES = {"status_changed", "resolved", "closed", "reopened"}


def upgrade() -> None:
    conn = op.get_bind()
    json_type = postgresql.JSONB() if conn.dialect.name == "postgresql" else sa.Text()
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sla_done_spans", json_type, server_default="[]", nullable=False)
        )
    _rebuild_done_spans()


def _rebuild_done_spans() -> None:
    # Self-contained on purpose: a migration must not depend on today's app code.
    conn = op.get_bind()
    events = conn.execute(
        sa.text(
            "SELECT ticket_id, at, from_value, to_value FROM event "
            "WHERE ticket_id IS NOT NULL AND kind IN :kinds ORDER BY ticket_id, at, id"
        ).bindparams(sa.bindparam("kinds", expanding=True)),
        {"kinds": sorted(_MOVES)},
    ).all()
    spans_of: dict[int, list[list[str | None]]] = {}
    for ticket_id, at, before, after in events:
        stamp = at if isinstance(at, str) else at.isoformat()
        stamp = stamp.replace(" ", "T")
        if "+" not in stamp[10:]:
            stamp += "+00:00"
        spans = spans_of.setdefault(ticket_id, [])
        if after in _DONE and before not in _DONE:
            spans.append([stamp, None])
        elif before in _DONE and after not in _DONE and spans and spans[-1][1] is None:
            spans[-1][1] = stamp
    value = "CAST(:p AS jsonb)" if conn.dialect.name == "postgresql" else ":p"
    for ticket_id, spans in spans_of.items():
        if spans:
            conn.execute(
                sa.text(f"UPDATE ticket SET sla_done_spans = {value} WHERE id = :id"),
                {"p": json.dumps(spans, separators=(",", ":")), "id": ticket_id},
            )


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("sla_done_spans")
