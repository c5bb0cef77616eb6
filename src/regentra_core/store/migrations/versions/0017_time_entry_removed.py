"""Time entries are withdrawn, not deleted: ``timeentry.removed_at`` and who did it.

A time entry logged by mistake is removed from the ticket's totals and the time
report, yet stays in the table beside the ``time_removed`` Event that names it:
the desk deletes nothing, and billing disputes read both.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 03:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("timeentry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("removed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_timeentry_removed_by_id_technician", "technician", ["removed_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("timeentry", schema=None) as batch_op:
        batch_op.drop_constraint("fk_timeentry_removed_by_id_technician", type_="foreignkey")
        batch_op.drop_column("removed_by_id")
        batch_op.drop_column("removed_at")
