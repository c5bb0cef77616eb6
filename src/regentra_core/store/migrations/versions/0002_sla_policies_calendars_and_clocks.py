"""SLA policies, business calendars and the tickets' clock bookkeeping.

Existing tickets get their resolution-clock pauses rebuilt from their status
Events, so clocks on an upgraded desk are the same as if SLA had always existed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 15:32:56.525039
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from regentra_core.store.migrations.status_history import spans_by_ticket

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "business_calendar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("always_open", sa.Boolean(), nullable=False),
        sa.Column("hours", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "holiday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["business_calendar.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("calendar_id", "day"),
    )
    with op.batch_alter_table("holiday", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_holiday_calendar_id"), ["calendar_id"], unique=False)

    op.create_table(
        "sla_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("at_risk_share", sa.Float(), nullable=False),
        sa.Column("escalate_status", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["business_calendar.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "sla_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(length=32), nullable=False),
        sa.Column("response_minutes", sa.Integer(), nullable=False),
        sa.Column("resolution_minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["sla_policy.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("policy_id", "priority"),
    )
    with op.batch_alter_table("sla_target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sla_target_policy_id"), ["policy_id"], unique=False)

    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sla_policy_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_client_sla_policy_id", "sla_policy", ["sla_policy_id"], ["id"]
        )

    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sla_pauses", sa.Text(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("sla_badge", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("response_breached", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "resolution_breached", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )

    _rebuild_pauses()


_RUNNING = {"open", "in_progress", "escalated"}


def _rebuild_pauses() -> None:
    # Never today's app code: a migration must rebuild the same spans whatever the
    # app becomes (status_history is frozen beside the migrations for that).
    conn = op.get_bind()
    pauses = spans_by_ticket(conn, lambda status: status not in _RUNNING)
    for ticket_id, spans in pauses.items():
        conn.execute(
            sa.text("UPDATE ticket SET sla_pauses = :p WHERE id = :id"),
            {"p": json.dumps(spans, separators=(",", ":")), "id": ticket_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("resolution_breached")
        batch_op.drop_column("response_breached")
        batch_op.drop_column("sla_badge")
        batch_op.drop_column("sla_pauses")

    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_constraint("fk_client_sla_policy_id", type_="foreignkey")
        batch_op.drop_column("sla_policy_id")

    with op.batch_alter_table("sla_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sla_target_policy_id"))

    op.drop_table("sla_target")
    op.drop_table("sla_policy")
    with op.batch_alter_table("holiday", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_holiday_calendar_id"))

    op.drop_table("holiday")
    op.drop_table("business_calendar")
