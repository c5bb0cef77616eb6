"""Text, not VARCHAR(n), for what people and channels write into the desk.

SQLite never enforced the lengths; PostgreSQL does, and refused what arrived (an
event's source naming a long automation rule, a sender's long display name): an
email dropped for a column's width. Names people type keep their limits, checked by
the Desk with a clear message.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 23:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WIDENED = {
    "event": {"source": 32, "from_value": 200, "to_value": 200},
    "contact": {"name": 200},
    "reply": {"author_name": 200},
    "internalnote": {"author_name": 200},
    "inbound_message": {"sender": 320, "agent": 200},
}


def upgrade() -> None:
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, length in columns.items():
                batch_op.alter_column(column, existing_type=sa.String(length), type_=sa.Text())


def downgrade() -> None:
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, length in columns.items():
                batch_op.alter_column(column, existing_type=sa.Text(), type_=sa.String(length))
