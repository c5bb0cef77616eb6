"""A ticket's other people: ``ticket.cc``, copied on every public reply by mail.

A colleague of the customer who wrote on the thread, or was in its Cc, was dropped
from the next reply. The addresses are kept on the ticket (a JSON list), visible
and editable, as Zendesk's CCs are.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 05:41:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    conn = op.get_bind()
    json_type = postgresql.JSONB() if conn.dialect.name == "postgresql" else sa.Text()
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cc", json_type, server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("cc")
