"""The filter bar: status, priority, assignee, client, SLA, channel, dates, subject text.

Every control is one line (compact). Changing any of them posts FilterChanged with
the combined filter; a view tab sets them all at once without echoing back. Status
and priority take several values (Open and In Progress); the dates are creation
dates, typed as people say them (``7d``, ``yesterday``, ``last week``, ISO).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Select

from regentra_core import (
    OPEN_STATUSES,
    UNASSIGNED,
    Badge,
    Channel,
    Priority,
    Status,
    TicketFilter,
    ValidationError,
    parse_day,
)

from ..messages import FilterChanged
from ..quick_filters import Quick, toggled
from .multi_pick import MultiPick
from .search_box import SearchBox

_SINCE = "Created since: 7d, yesterday, last week, 2026-11-01"
_UNTIL = "Created until (that day included): yesterday, 2026-11-30"


class FilterBar(Horizontal):
    """Combinable list filters, shown as one row.

    The search box comes first and stretches; the date boxes come last, so a narrow
    terminal clips the least used controls.

    It binds no keys of its own (its fields and pickers do) and has no reactives.
    """

    DEFAULT_CSS = """
    FilterBar { height: 1; background: $panel; overflow: hidden hidden; }
    FilterBar Select { width: 13; margin-right: 1; }
    FilterBar MultiPick { width: 14; }
    FilterBar #f-status { width: 12; }
    FilterBar #f-assignee { width: 12; }
    FilterBar #f-sla { width: 11; }
    FilterBar Input { width: 11; margin-right: 1; }
    FilterBar #search { width: 1fr; min-width: 14; }
    """

    def __init__(
        self, me: str, technicians: list[str], clients: list[str], today: Callable[[], date]
    ) -> None:
        super().__init__()
        self.me = me
        self.technicians = technicians
        self.clients = clients
        self.today = today
        """The desk's today (UTC), for ``yesterday`` and ``7d``."""

    def compose(self) -> ComposeResult:
        yield SearchBox(placeholder="/ search", id="search", compact=True)
        yield MultiPick(
            [(s.label, s.value) for s in Status],
            prompt="Any status",
            title="Show tickets that are…",
            names={tuple(s.value for s in OPEN_STATUSES): "All open"},
            id="f-status",
        )
        yield MultiPick(
            [(p.label, p.value) for p in reversed(Priority)],
            prompt="Any priority",
            title="Show priorities…",
            id="f-priority",
        )
        people = [("Me", self.me), ("Unassigned", UNASSIGNED)]
        people += [(t, t) for t in self.technicians if t != self.me]
        yield Select(people, prompt="Anyone", id="f-assignee", compact=True)
        yield Select(
            [(c, c) for c in self.clients], prompt="Any client", id="f-client", compact=True
        )
        yield Select(
            [(b.label, b.value) for b in Badge], prompt="Any SLA", id="f-sla", compact=True
        )
        yield MultiPick(
            [(c.label, c.value) for c in Channel],
            prompt="Any channel",
            title="Show tickets that came by…",
            id="f-channel",
        )
        # Placeholders that fit the box at 120 columns ("created since" read "creat").
        yield Input(placeholder="since: 7d", id="f-since", compact=True, tooltip=_SINCE)
        yield Input(placeholder="until: day", id="f-until", compact=True, tooltip=_UNTIL)

    # -- reading and writing -------------------------------------------------------

    def current(self) -> TicketFilter:
        """The filter the controls describe; bad dates are ignored (and flagged)."""
        statuses = tuple(Status(v) for v in self.query_one("#f-status", MultiPick).values)
        priorities = tuple(Priority(v) for v in self.query_one("#f-priority", MultiPick).values)
        channels = tuple(Channel(v) for v in self.query_one("#f-channel", MultiPick).values)
        sla = self._value("f-sla")
        text = self.query_one("#search", Input).value.strip()
        return TicketFilter(
            statuses=statuses,
            priorities=priorities,
            assignee=self._value("f-assignee"),
            client=self._value("f-client"),
            since=self._date("f-since"),
            until=self._date("f-until", next_day=True),
            text=text or None,
            sla=(Badge(sla),) if sla else (),
            channels=channels,
        )

    def set_filter(self, f: TicketFilter) -> None:
        """Show ``f`` in the controls without posting FilterChanged."""
        with self.prevent(Select.Changed, Input.Changed):
            statuses = tuple(s.value for s in f.statuses)
            self.query_one("#f-status", MultiPick).set_values(statuses, quiet=True)
            priorities = tuple(p.value for p in f.priorities)
            self.query_one("#f-priority", MultiPick).set_values(priorities, quiet=True)
            channels = tuple(c.value for c in f.channels)
            self.query_one("#f-channel", MultiPick).set_values(channels, quiet=True)
            assignee = (
                f.assignee if f.assignee in {self.me, UNASSIGNED, *self.technicians} else None
            )
            self._set("f-assignee", assignee or Select.NULL)
            self._set("f-client", f.client if f.client in self.clients else Select.NULL)
            self._set("f-sla", f.sla[0].value if f.sla else Select.NULL)
            self.query_one("#f-since", Input).value = f.since.date().isoformat() if f.since else ""
            until = (f.until - timedelta(days=1)).date().isoformat() if f.until else ""
            self.query_one("#f-until", Input).value = until
            self.query_one("#search", Input).value = f.text or ""
        self.query_one(SearchBox).show_scope(f.statuses)

    def _set(self, widget_id: str, value: Any) -> None:
        select: Select[str] = self.query_one(f"#{widget_id}", Select)
        select.value = value

    def _value(self, widget_id: str) -> str | None:
        value = self.query_one(f"#{widget_id}", Select).value
        return value if isinstance(value, str) else None

    def _date(self, widget_id: str, *, next_day: bool = False) -> datetime | None:
        field = self.query_one(f"#{widget_id}", Input)
        text = field.value.strip()
        if not text:
            field.remove_class("-invalid")
            return None
        try:
            day = parse_day(text, self.today())
        except ValidationError as exc:
            field.add_class("-invalid")
            field.tooltip = str(exc)
            return None
        field.remove_class("-invalid")
        field.tooltip = _SINCE if widget_id == "f-since" else _UNTIL
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return start + timedelta(days=1) if next_day else start

    # -- events --------------------------------------------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(FilterChanged(self.current()))

    def on_multi_pick_changed(self, event: MultiPick.Changed) -> None:
        event.stop()
        current = self.current()
        self.query_one(SearchBox).show_scope(current.statuses)
        self.post_message(FilterChanged(current))

    def on_search_box_everything(self, event: SearchBox.Everything) -> None:
        """ctrl+a in the search box: every status, the words typed kept."""
        event.stop()
        self.query_one("#f-status", MultiPick).set_values((), quiet=True)
        self.query_one(SearchBox).show_scope(())
        self.post_message(FilterChanged(self.current()))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(FilterChanged(self.current()))

    def toggle(self, quick: Quick) -> TicketFilter:
        """A quick filter key (``!``, ``@``, ``u``, ``b``): the controls show it, and
        one FilterChanged carries it (not one per control changed)."""
        f = toggled(self.current(), quick, self.me)
        self.set_filter(f)
        self.post_message(FilterChanged(f))
        return f

    def focus_search(self) -> None:
        # At once, not ``focus()`` (which waits for the next idle): the letters typed
        # right after ``/`` are already on their way and must land in the box.
        self.screen.set_focus(self.query_one("#search", Input))
