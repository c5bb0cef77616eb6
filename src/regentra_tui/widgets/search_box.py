"""The list's search box: it says which tickets it searches, and ctrl+a widens it.

Search is limited by the view's status filter ("All open" finds nothing in
Resolved tickets), which only the status line used to say, after the fact. The
box says it before: its placeholder names the statuses searched, and ctrl+a in
it searches every status (the filter bar drops the status filter and keeps the
words typed).
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from regentra_core import OPEN_STATUSES, Status

EVERYTHING_KEY = "ctrl+a"


def scope_text(statuses: Iterable[Status]) -> str:
    """The placeholder for a search within ``statuses`` (none: every status)."""
    chosen = set(statuses)
    if not chosen or chosen == set(Status):
        return "/ search all tickets"
    if chosen == set(OPEN_STATUSES):
        within = "open tickets"
    else:
        within = ", ".join(s.label for s in Status if s in chosen)
    return f"/ search {within} · ctrl+a: all"


class SearchBox(Input):
    """A one-line search ``Input`` whose ctrl+a asks to search every status.

    | Key(s) | Description |
    | :- | :- |
    | ctrl+a | Search all (every status) |

    It adds no reactives to ``Input``'s.
    """

    BINDINGS = [
        Binding(EVERYTHING_KEY, "everything", "Search all", id="search.everything"),
    ]

    class Everything(Message):
        """ctrl+a in the box: search every status, not only the view's."""

    def action_everything(self) -> None:
        self.post_message(self.Everything())

    def show_scope(self, statuses: Iterable[Status]) -> None:
        """Say in the box which statuses a search looks in."""
        text = scope_text(statuses)
        self.placeholder = text
        self.tooltip = (
            f"{text.removeprefix('/ ')}: search looks only in the statuses the status "
            "filter shows; ctrl+a here searches every status"
            if "ctrl+a" in text
            else "search subjects, descriptions, replies, notes and resolutions"
        )
