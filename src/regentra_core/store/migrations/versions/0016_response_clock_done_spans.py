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

from regentra_core.store.migrations.status_history import spans_by_ticket

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DONE = {"resolved", "closed"}


def upgrade() -> None:
    conn = op.get_bind()
    json_type = postgresql.JSONB() if conn.dialect.name == "postgresql" else sa.Text()
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sla_done_spans", json_type, server_default="[]", nullable=False)
        )
    _rebuild_done_spans()


def _rebuild_done_spans() -> None:
    # Never today's app code: a migration must rebuild the same spans whatever the
    # app becomes (status_history is frozen beside the migrations for that).
    conn = op.get_bind()
    spans_of = spans_by_ticket(conn, lambda status: status in _DONE)
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
