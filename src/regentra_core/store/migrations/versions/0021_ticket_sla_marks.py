"""Tickets store their SLA marks: when the badge turns At Risk and Breached, when
the soonest running clock is due, when the sweep next has work, and under which
generation of the SLA set-up they were made (``regentra_core.sla_marks``).

The columns are added empty and every ticket starts stale (generation 0 under the
desk's 1): the first SLA sweep marks them, in chunks, each its own short write. The
migration does not compute them because that needs the calendars' business time
(the desk's code, not the schema's) and would keep a 100k desk from opening for tens
of seconds; until they are marked, lists compute badges live as before.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = (
    ("ix_ticket_status_sla_due", ["status", "sla_due_at"]),
    ("ix_ticket_status_sla_risk", ["status", "sla_risk_at"]),
    ("ix_ticket_status_sla_breach", ["status", "sla_breach_at"]),
    ("ix_ticket_sla_sweep_at", ["sla_sweep_at"]),
    ("ix_ticket_sla_marks_gen", ["sla_marks_gen"]),
)


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sla_rest", sa.String(length=16), nullable=True))
        for name in ("sla_risk_at", "sla_breach_at", "sla_due_at", "sla_sweep_at"):
            batch_op.add_column(sa.Column(name, sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("sla_marks_gen", sa.Integer(), nullable=False, server_default="0")
        )
        for name, columns in _INDEXES:
            batch_op.create_index(name, columns)
    with op.batch_alter_table("desk_state", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sla_marks_gen", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("sla_marks_key", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("desk_state", schema=None) as batch_op:
        batch_op.drop_column("sla_marks_key")
        batch_op.drop_column("sla_marks_gen")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        for name, _ in reversed(_INDEXES):
            batch_op.drop_index(name)
        for name in ("sla_marks_gen", "sla_sweep_at", "sla_due_at", "sla_breach_at"):
            batch_op.drop_column(name)
        batch_op.drop_column("sla_risk_at")
        batch_op.drop_column("sla_rest")
