"""AI suggestions: analyses and reply drafts, kept for the review queue.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 13:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ai_suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("suggested_priority", sa.String(length=32), nullable=True),
        sa.Column("security", sa.Boolean(), nullable=False),
        sa.Column("frustration", sa.Boolean(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("body", sa.Text(), nullable=False, server_default=""),
        sa.Column("articles", sa.Text(), nullable=False, server_default=""),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ai_suggestion", schema=None) as batch_op:
        batch_op.create_index("ix_ai_suggestion_ticket_id", ["ticket_id"])
        batch_op.create_index("ix_ai_suggestion_event_id", ["event_id"])
        batch_op.create_index("ix_ai_suggestion_created_at", ["created_at"])


def downgrade() -> None:
    op.drop_table("ai_suggestion")
