"""Contacts found to be one person are merged: ``contact.merged_into_id``.

An SMS from a known customer's number made a second, client-less contact. Once two
contacts are merged, the tickets and replies of the one move to the other; the
merged row stays (the desk deletes nothing) and names where it went.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 05:42:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_contact_merged_into_id", ["merged_into_id"])
        batch_op.create_foreign_key(
            "fk_contact_merged_into_id_contact", "contact", ["merged_into_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_constraint("fk_contact_merged_into_id_contact", type_="foreignkey")
        batch_op.drop_index("ix_contact_merged_into_id")
        batch_op.drop_column("merged_into_id")
