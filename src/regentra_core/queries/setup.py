"""The SLA set-up as the app and ``sla show`` list it: calendars and policies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from ..enums import Priority
from ..store.engine import Database
from ..store.models import (
    BusinessCalendarRow,
    Client,
    Holiday,
    SlaPolicy,
    SlaTarget,
)


@dataclass(frozen=True, slots=True)
class CalendarView:
    name: str
    timezone: str
    hours: str
    always_open: bool
    holidays: list[tuple[date, str]]


@dataclass(frozen=True, slots=True)
class PolicyView:
    name: str
    calendar: str
    default: bool
    at_risk_share: float
    escalate_status: bool
    targets: dict[str, tuple[int, int]]
    """priority -> (response minutes, resolution minutes)."""
    clients: list[str]


@dataclass(frozen=True, slots=True)
class SlaConfig:
    calendars: list[CalendarView]
    policies: list[PolicyView]


def sla_config(db: Database) -> SlaConfig:
    """Every calendar and policy, with holidays, targets and the clients using them."""
    with db.read() as s:
        holidays: dict[int, list[tuple[date, str]]] = {}
        for h in s.exec(select(Holiday).order_by(col(Holiday.day))).all():
            holidays.setdefault(h.calendar_id, []).append((h.day, h.name))
        cals = s.exec(select(BusinessCalendarRow).order_by(col(BusinessCalendarRow.name))).all()
        names = {c.id: c.name for c in cals}
        calendars = [
            CalendarView(c.name, c.timezone, c.hours, c.always_open, holidays.get(c.id or 0, []))
            for c in cals
        ]
        targets: dict[int, dict[str, tuple[int, int]]] = {}
        for t in s.exec(select(SlaTarget)).all():
            targets.setdefault(t.policy_id, {})[t.priority.value] = (
                t.response_minutes,
                t.resolution_minutes,
            )
        users: dict[int | None, list[str]] = {}
        for c in s.exec(select(Client).order_by(col(Client.name))).all():
            users.setdefault(c.sla_policy_id, []).append(c.name)
        policies = []
        for p in s.exec(select(SlaPolicy).order_by(col(SlaPolicy.name))).all():
            order = {pr.value: pr.rank for pr in Priority}
            ordered = dict(sorted(targets.get(p.id or 0, {}).items(), key=lambda kv: -order[kv[0]]))
            clients = users.get(p.id, []) + (users.get(None, []) if p.is_default else [])
            policies.append(
                PolicyView(
                    p.name,
                    names.get(p.calendar_id, "?"),
                    p.is_default,
                    p.at_risk_share,
                    p.escalate_status,
                    ordered,
                    sorted(clients),
                )
            )
        return SlaConfig(calendars, policies)
