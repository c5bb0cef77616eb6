"""Messages the app's widgets exchange (small dataclasses, as toolong does)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from regentra_core import TicketFilter

if TYPE_CHECKING:
    from regentra_core import LeaseView


@dataclass
class DeskChanged(Message, bubble=False):
    """Someone (another technician, the worker, this app) changed the desk."""

    marker: int
    tickets: frozenset[int] = frozenset()
    """Numbers of the tickets that changed (screens showing one ticket check it)."""
    everything: bool = False
    """Reload regardless (e.g. after this app's own write)."""

    def can_replace(self, message: Message) -> bool:
        # A newer change notice replaces an older one only if it covers it.
        return isinstance(message, DeskChanged) and (
            self.everything or self.tickets >= message.tickets
        )


@dataclass
class FilterChanged(Message):
    """The filter bar (or a view tab) now asks for this filter."""

    filter: TicketFilter


@dataclass
class OpenTicket(Message):
    """Open a ticket's detail screen."""

    number: int


@dataclass
class Polled(Message, bubble=False):
    """What one look for other people's changes found, from the poll's thread: the
    app stores it on the UI thread."""

    lease: LeaseView | None
    """Who runs the jobs now (the status line says)."""
    marker: int
    """The newest Event id seen."""
    tickets: set[int] | None
    """The tickets changed since the last look; None when nothing changed."""


@dataclass
class TechniciansRead(Message, bubble=False):
    """The technicians, reread in a thread (a new one shows in the next picker)."""

    names: list[str]
