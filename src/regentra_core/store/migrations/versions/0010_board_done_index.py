"""Tickets by status and update time: the board's recent Resolved and Closed.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 21:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The board's done columns hold the last week's tickets; with only the status
    # index, finding them read every closed ticket of the desk's history.
    op.create_index("ix_ticket_status_updated", "ticket", ["status", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_ticket_status_updated", table_name="ticket")
