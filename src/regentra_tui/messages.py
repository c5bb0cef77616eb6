"""Messages the app's widgets exchange (small dataclasses, as toolong does)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from regentra_core.queries import TicketFilter


@dataclass
class DeskChanged(Message, bubble=False):
    """Someone (another technician, the worker, this app) changed the desk."""

    marker: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DeskChanged)


@dataclass
class FilterChanged(Message):
    """The filter bar (or a view tab) now asks for this filter."""

    filter: TicketFilter


@dataclass
class OpenTicket(Message):
    """Open a ticket's detail screen."""

    number: int
