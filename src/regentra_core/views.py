"""Saved views: a ticket filter with a name, stored per technician as JSON.

Every technician starts with the same four views; saving a view under a default's
name replaces it for that technician only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .enums import Channel, Priority, Status
from .errors import ValidationError
from .sla import Badge
from .ticket_records import UNASSIGNED, TicketFilter

if TYPE_CHECKING:
    from .store.engine import Database

OPEN_STATUSES = (
    Status.OPEN,
    Status.IN_PROGRESS,
    Status.WAITING_ON_CUSTOMER,
    Status.ESCALATED,
)


@dataclass(frozen=True, slots=True)
class View:
    """A named filter, as tabs show it."""

    name: str
    filter: TicketFilter
    saved: bool = False
    """False for a built-in default the technician has not replaced."""


def default_views(username: str) -> list[View]:
    """The views every technician starts with."""
    return [
        View("All open", TicketFilter(statuses=OPEN_STATUSES)),
        View("My open", TicketFilter(statuses=OPEN_STATUSES, assignee=username)),
        View("Unassigned", TicketFilter(statuses=OPEN_STATUSES, assignee=UNASSIGNED)),
        View("Breached", TicketFilter(statuses=OPEN_STATUSES, sla=(Badge.BREACHED,))),
    ]


def dump_filter(f: TicketFilter) -> str:
    """A filter as stable JSON."""
    data: dict[str, Any] = {
        "statuses": [s.value for s in f.statuses],
        "priorities": [p.value for p in f.priorities],
        "assignee": f.assignee,
        "client": f.client,
        "since": f.since.isoformat() if f.since else None,
        "until": f.until.isoformat() if f.until else None,
        "text": f.text,
        "sla": [b.value for b in f.sla],
        "channels": [c.value for c in f.channels],
    }
    return json.dumps({k: v for k, v in data.items() if v}, sort_keys=True)


def load_filter(text: str) -> TicketFilter:
    """The inverse of :func:`dump_filter`; refuses what it cannot read."""
    try:
        data = json.loads(text)
        return TicketFilter(
            statuses=tuple(Status(s) for s in data.get("statuses", [])),
            priorities=tuple(Priority(p) for p in data.get("priorities", [])),
            assignee=data.get("assignee"),
            client=data.get("client"),
            since=datetime.fromisoformat(data["since"]) if data.get("since") else None,
            until=datetime.fromisoformat(data["until"]) if data.get("until") else None,
            text=data.get("text"),
            sla=tuple(Badge(b) for b in data.get("sla", [])),
            channels=tuple(Channel(c) for c in data.get("channels", [])),
        )
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        raise ValidationError(f"cannot read saved view: {exc}") from exc


def saved_views(db: Database, technician_id: int, username: str) -> list[View]:
    """The technician's tabs: defaults, replaced or extended by saved views."""
    from sqlmodel import col, select

    from .store.models import SavedView

    with db.read() as s:
        rows = s.exec(
            select(SavedView)
            .where(SavedView.technician_id == technician_id)
            .order_by(col(SavedView.position), col(SavedView.id))
        ).all()
    return views_of(username, [(row.name, row.filter_json, row.active) for row in rows])


def views_of(username: str, saved: list[tuple[str, str, bool]]) -> list[View]:
    """The defaults, replaced, extended or hidden by the technician's saved views
    (name, filter JSON, active), in their stored order: the ORM and the plain
    reader (the app's first paint) build the tabs alike."""
    views = {v.name: v for v in default_views(username)}
    for name, filter_json, active in saved:
        if active:
            views[name] = View(name, load_filter(filter_json), saved=True)
        else:
            views.pop(name, None)
    return list(views.values())
