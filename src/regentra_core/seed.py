"""Seed SLA calendars and policies from ``data/sla.toml`` through the Desk.

``regentra init`` seeds an empty desk so SLA badges work from the first ticket;
the demo seeds the same file. Seeding goes through Desk methods, so it is audited
like any other configuration change.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from sqlmodel import select

from .desk import Desk
from .durations import parse_duration
from .enums import Priority
from .store.models import SlaPolicy


def data_dir() -> Path:
    """The demo data: packaged with the wheel, or ``data/`` in a source checkout."""
    packaged = resources.files("regentra_core") / "_demo_data"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "data"


def has_sla_policies(desk: Desk) -> bool:
    with desk.db.read() as s:
        return s.exec(select(SlaPolicy.id).limit(1)).first() is not None


def seed_sla(desk: Desk, folder: Path | None = None) -> int:
    """Create the calendars and policies of ``sla.toml``; returns policies made."""
    with ((folder or data_dir()) / "sla.toml").open("rb") as fh:
        spec = tomllib.load(fh)
    year = desk.clock().year
    for cal in spec.get("calendar", []):
        desk.add_calendar(
            cal["name"],
            timezone=cal.get("timezone", "UTC"),
            hours=cal.get("hours", ""),
            always_open=bool(cal.get("always_open")),
        )
        if cal.get("holidays_country"):
            desk.seed_holidays(cal["name"], cal["holidays_country"], [year, year + 1])
    made = 0
    for pol in spec.get("policy", []):
        desk.add_policy(
            pol["name"],
            calendar=pol["calendar"],
            at_risk_share=float(pol.get("at_risk_share", 0.75)),
            escalate_status=bool(pol.get("escalate_status", False)),
            default=bool(pol.get("default", False)),
        )
        for priority, (response, resolution) in pol["targets"].items():
            desk.set_target(
                pol["name"],
                Priority.parse(priority),
                response_minutes=int(parse_duration(response).total_seconds() // 60),
                resolution_minutes=int(parse_duration(resolution).total_seconds() // 60),
            )
        made += 1
    return made
