"""The SLA book read without the ORM: the same five row sets ``SlaBook.load`` reads,
built by the same ``SlaBook.from_rows``."""

from __future__ import annotations

from ..sla_book import SlaBook
from .connection import PlainDesk
from .values import day


def plain_sla_book(desk: PlainDesk) -> SlaBook:
    """Every policy, the default one, and which client uses which, as stored now."""
    holidays = [(cid, day(d)) for cid, d in desk.rows("SELECT calendar_id, day FROM holiday")]
    calendars = [
        (cid, name, tz, hours, bool(always))
        for cid, name, tz, hours, always in desk.rows(
            "SELECT id, name, timezone, hours, always_open FROM business_calendar"
        )
    ]
    targets = desk.rows(
        "SELECT policy_id, priority, response_minutes, resolution_minutes FROM sla_target"
    )
    policies = [
        (pid, name, calendar_id, float(share), bool(escalate), bool(default))
        for pid, name, calendar_id, share, escalate, default in desk.rows(
            "SELECT id, name, calendar_id, at_risk_share, escalate_status, is_default "
            "FROM sla_policy ORDER BY id"
        )
    ]
    clients = desk.rows("SELECT id, sla_policy_id FROM client WHERE sla_policy_id IS NOT NULL")
    return SlaBook.from_rows(holidays, calendars, targets, policies, clients)
