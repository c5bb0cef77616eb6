"""JSON kept as text becomes JSONB on PostgreSQL (SQLite keeps TEXT).

SLA pauses, saved views' filters and automation rules' conditions and actions are
JSON the code reads as text (``store.types.JSONText``); on PostgreSQL the database
now checks it is JSON and can query it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 00:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    ("ticket", "sla_pauses", "'[]'"),
    ("saved_view", "filter_json", None),
    ("automation_rule", "conditions", None),
    ("automation_rule", "actions", None),
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no JSON type: the column stays TEXT
    for table, column, default in COLUMNS:
        if default:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE JSONB USING {column}::jsonb")
        if default:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {default}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, default in COLUMNS:
        if default:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE TEXT USING {column}::text")
        if default:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {default}")
