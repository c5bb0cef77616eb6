"""Saved views: a technician's named filters (tabs in the terminal app)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from ..errors import NotFoundError
from ..events import EventKind
from ..queries import TicketFilter
from ..records import ViewRecord
from ..store.models import SavedView
from ..views import dump_filter
from ._base import DeskBase, clean_text


class ViewCases(DeskBase):
    """Save and remove the acting technician's views."""

    def save_view(self, name: str, f: TicketFilter) -> ViewRecord:
        """Save (or replace) a named filter for the acting technician."""
        tech_id = self._require_technician()
        name = clean_text(name, what="view name", limit=60)
        with self._write() as s:
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
                    created_at=self.clock(),
                )
                s.add(view)
            else:
                view.filter_json = dump_filter(f)
                view.active = True
            self._event(s, None, EventKind.VIEW_SAVED, to=name, detail=view.filter_json)
        return ViewRecord.of(view)

    def remove_view(self, name: str) -> None:
        """Hide a saved view (kept, deactivated)."""
        tech_id = self._require_technician()
        with self._write() as s:
            view = s.exec(
                select(SavedView).where(SavedView.technician_id == tech_id, SavedView.name == name)
            ).first()
            if view is None or not view.active:
                raise NotFoundError(f"no saved view named {name!r}")
            view.active = False
            self._event(s, None, EventKind.VIEW_REMOVED, from_=name)
