"""Messages the app's widgets exchange (small dataclasses, as toolong does)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from regentra_core.queries import TicketFilter


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
