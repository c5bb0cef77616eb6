"""Load the demo desk from ``data/``, replaying every ticket's story through ``Desk``.

The demo data is written as stories ("created 5 h ago, assigned after 6 min, ...")
rather than rows, and replayed in time order with the Desk's clock set to each
step's moment, so the demo's timestamps, versions and audit trail are exactly what
real use would have produced, relative to the time the demo is loaded.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import select

from .clock import utcnow
from .desk import Desk
from .desk_config import DeskConfig
from .durations import parse_duration
from .enums import ActorKind, Channel, Priority, Role, Status
from .errors import ValidationError
from .identity import Actor
from .seed import data_dir, seed_sla
from .store.engine import Database
from .store.models import Technician, Ticket


@dataclass(frozen=True, slots=True)
class _Step:
    at: datetime
    order: int
    ticket_key: str
    by: str
    do: str
    args: dict[str, Any]


def _read(folder: Path, name: str) -> dict[str, Any]:
    with (folder / name).open("rb") as fh:
        return tomllib.load(fh)


def load_demo(
    db: Database,
    *,
    operator: str | None = None,
    now: datetime | None = None,
    config: DeskConfig | None = None,
) -> dict[str, int]:
    """Fill an empty database with the demo desk; returns counts of what it made.

    ``operator`` (the OS account running the demo) is registered as a lead;
    ``config`` is the desk's policies (its mail names the settings' support domain).
    """
    now = now or utcnow()
    folder = data_dir()
    with db.read() as s:
        if s.exec(select(Ticket.id).limit(1)).first() is not None:
            raise ValidationError("the database already has tickets; the demo needs an empty one")
    clock_time = [now]
    system = Desk(
        db, Actor.system("demo"), source="demo", clock=lambda: clock_time[0], config=config
    )

    seed_sla(system, folder)
    lead = _load_technicians(folder, system, operator)
    desks = _desks(db, clock_time, config)
    _load_clients(folder, desks[lead])
    _load_kb(folder, desks[lead])
    # Rules first, so the demo's tickets went through them: the log has a history.
    desks["alice"].import_rules((folder / "automations.toml").read_text(encoding="utf-8"))
    tickets = _read(folder, "tickets.toml")["ticket"]
    numbers: dict[str, int] = {}
    steps: list[_Step] = []
    for order, spec in enumerate(tickets):
        created = now - parse_duration(spec["age"])
        steps.append(_Step(created, order * 1000, spec["key"], "customer", "create", spec))
        for i, step in enumerate(spec.get("steps", []), start=1):
            at = created + parse_duration(step["after"])
            args = {k: v for k, v in step.items() if k not in ("after", "by", "do")}
            steps.append(_Step(at, order * 1000 + i, spec["key"], step["by"], step["do"], args))
    steps.sort(key=lambda st: (st.at, st.order))
    for step in steps:
        clock_time[0] = step.at
        _apply(step, desks, system, numbers)
    clock_time[0] = now
    closed = system.run_auto_close(now)
    system.run_sla_sweep(now)
    return {"tickets": len(numbers), "steps": len(steps), "auto_closed": len(closed)}


def _load_technicians(folder: Path, system: Desk, operator: str | None) -> str:
    """Register the demo's technicians (and ``operator``, a lead); returns the first
    lead of ``technicians.toml``, who adds the clients (a VIP flag needs a lead)."""
    lead = ""
    for tech in _read(folder, "technicians.toml")["technician"]:
        role = Role.parse(tech["role"])
        system.add_technician(tech["username"], tech["display_name"], role)
        lead = lead or (tech["username"] if role == Role.LEAD else "")
    if operator:
        system.add_technician(operator, None, Role.LEAD)
    if not lead:
        raise ValidationError("technicians.toml names no lead to add the demo's clients")
    return lead


def _load_clients(folder: Path, desk: Desk) -> None:
    """Clients and their contacts through the Desk's use cases, each with its Event,
    as a technician adding them would leave them."""
    for spec in _read(folder, "clients.toml")["client"]:
        desk.add_client(spec["name"], vip=bool(spec.get("vip")), sla_policy=spec.get("sla_policy"))
        for person in spec.get("contacts", []):
            desk.add_contact(
                person["name"],
                email=person.get("email"),
                phone=person.get("phone"),
                client=spec["name"],
            )


def _load_kb(folder: Path, desk: Desk) -> None:
    """The articles of ``kb/`` as ``regentra kb import`` adds them (slug: file name)."""
    articles = sorted((folder / "kb").glob("*.md"))
    files = [(path.stem, path.read_text(encoding="utf-8")) for path in articles]
    desk.import_articles(files)


def _desks(db: Database, clock_time: list[datetime], config: DeskConfig | None) -> dict[str, Desk]:
    with db.read() as s:
        techs = s.exec(select(Technician)).all()
    return {
        t.username: Desk(
            db,
            Actor(ActorKind.TECHNICIAN, t.username, t.id, t.role),
            source="demo",
            clock=lambda: clock_time[0],
            config=config,
        )
        for t in techs
    }


def _apply(step: _Step, desks: dict[str, Desk], system: Desk, numbers: dict[str, int]) -> None:
    a = step.args
    if step.do == "create":
        ticket = system.create_ticket(
            subject=a["subject"],
            description=a["description"],
            priority=Priority.parse(a["priority"]),
            channel=Channel.parse(a["channel"]),
            contact_email=a["contact"],
        )
        numbers[step.ticket_key] = ticket.number
        return
    number = numbers[step.ticket_key]
    if step.do == "customer-reply":
        system.add_customer_reply(number, a["body"], channel=Channel.EMAIL)
        return
    desk = desks[step.by]
    match step.do:
        case "status":
            desk.change_status(number, Status.parse(a["to"]), resolution=a.get("resolution"))
        case "reply":
            desk.add_technician_reply(number, a["body"])
        case "note":
            desk.add_note(number, a["body"])
        case "time":
            desk.log_time(number, int(a["minutes"]), billable=bool(a.get("billable", True)))
        case "assign":
            desk.assign(number, a["to"])
        case "priority":
            desk.change_priority(number, Priority.parse(a["to"]))
        case "master":
            desk.promote(number)
        case "link":
            desk.link(number, numbers[a["child"]])
        case _:
            raise ValidationError(f"unknown demo step {step.do!r} in {step.ticket_key}")
