"""Saved views: a technician's named filters (tabs in the terminal app), saved and
removed by use cases over the transaction they run in (``Desk`` lists them)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from ..errors import NotFoundError
from ..events import EventKind
from ..queries import TicketFilter
from ..records import ViewRecord
from ..store.models import SavedView
from ..views import dump_filter
from .moves import clean_text
from .tx import Tx


def save_view(tx: Tx, name: str, f: TicketFilter) -> ViewRecord:
    """Save (or replace) a named filter for the acting technician."""
    tech_id = tx.require_technician()
    name = clean_text(name, what="view name", limit=60)
    s = tx.session
    view = s.exec(
        select(SavedView).where(SavedView.technician_id == tech_id, SavedView.name == name)
    ).first()
    if view is None:
        last = s.exec(
            select(func.max(SavedView.position)).where(SavedView.technician_id == tech_id)
        ).one()
        view = SavedView(
            technician_id=tech_id,
            name=name,
            filter_json=dump_filter(f),
            position=(last or 0) + 1,
            created_at=tx.now(),
        )
        s.add(view)
    else:
        view.filter_json = dump_filter(f)
        view.active = True
    s.flush()  # the record names the view's id
    tx.event(None, EventKind.VIEW_SAVED, to=name, detail=view.filter_json)
    return ViewRecord.of(view)


def remove_view(tx: Tx, name: str) -> None:
    """Hide a saved view (kept, deactivated)."""
    tech_id = tx.require_technician()
    view = tx.session.exec(
        select(SavedView).where(SavedView.technician_id == tech_id, SavedView.name == name)
    ).first()
    if view is None or not view.active:
        raise NotFoundError(f"no saved view named {name!r}")
    view.active = False
    tx.event(None, EventKind.VIEW_REMOVED, from_=name)
