"""The last ticket number handed out, kept in the desk's one state row.

Numbers were ``max(number) + 1``, safe only while SQLite let one writer in at a
time: on PostgreSQL eight processes creating tickets at once picked the same numbers
and most of their transactions failed. An ``UPDATE ... RETURNING`` on one row makes
concurrent creators queue for it (the row lock lasts until each commits), so numbers
stay unique and, unlike a sequence, a rolled-back creation gives its number back.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 23:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("desk_state", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_ticket_number", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE desk_state SET last_ticket_number = (SELECT COALESCE(MAX(number), 0) FROM ticket)"
    )


def downgrade() -> None:
    with op.batch_alter_table("desk_state", schema=None) as batch_op:
        batch_op.drop_column("last_ticket_number")
