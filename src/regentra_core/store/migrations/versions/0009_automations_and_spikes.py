"""Automation rules and their execution log, ticket spikes, notes written by rules.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 16:50:00
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    desk_state = op.create_table(
        "desk_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.String(length=32), nullable=False),
        sa.Column("sla_version", sa.Integer(), nullable=False),
        sa.Column("rules_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(
        desk_state,
        [{"id": 1, "desk_id": uuid.uuid4().hex, "sla_version": 0, "rules_version": 0}],
    )
    op.create_table(
        "automation_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("stop_after_match", sa.Boolean(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("automation_rule", schema=None) as batch_op:
        batch_op.create_index("ix_automation_rule_trigger", ["trigger"])
    op.create_table(
        "automation_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("rule_name", sa.String(length=100), nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False, server_default=""),
        sa.Column("rules", sa.Text(), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("automation_run", schema=None) as batch_op:
        batch_op.create_index("ix_automation_run_at", ["at"])
        batch_op.create_index("ix_automation_run_rule_id", ["rule_id"])
        batch_op.create_index("ix_automation_run_ticket_id", ["ticket_id"])
    op.create_table(
        "ticket_spike",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.Column("first_number", sa.Integer(), nullable=False),
        sa.Column("master_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["master_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ticket_spike", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_spike_key", ["key"])
        batch_op.create_index("ix_ticket_spike_detected_at", ["detected_at"])
    op.create_table(
        "spike_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spike_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["spike_id"], ["ticket_spike.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("spike_id", "ticket_id"),
    )
    with op.batch_alter_table("spike_member", schema=None) as batch_op:
        batch_op.create_index("ix_spike_member_spike_id", ["spike_id"])
        batch_op.create_index("ix_spike_member_ticket_id", ["ticket_id"])
    with op.batch_alter_table("internalnote", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_name", sa.String(length=200), nullable=True))
        batch_op.alter_column("technician_id", existing_type=sa.Integer(), nullable=True)
    # The spike policy asks for a client's newest tickets on every creation.
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_client_created", ["client_id", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_client_created")
    with op.batch_alter_table("internalnote", schema=None) as batch_op:
        batch_op.alter_column("technician_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("author_name")
    op.drop_table("spike_member")
    op.drop_table("ticket_spike")
    op.drop_table("automation_run")
    op.drop_table("automation_rule")
    op.drop_table("desk_state")
