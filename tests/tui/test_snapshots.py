"""Layout snapshots of the board, the list, a ticket (with its composer open) and the
cascade dialog, at the sizes technicians use: 80x24 (a laptop SSH window), 120x40
and 200x60 (the preview pane beside the list). Resolved and Closed are muted in each
of the board, the list and the ticket (TestMutedDone shows both beside active work).

Update after an intended change with ``pytest tests/tui/test_snapshots.py
--snapshot-update`` and look at the report before committing.
"""

from __future__ import annotations

import pytest

from regentra_core.enums import Status
from regentra_core.queries import SortKey, TicketFilter
from regentra_tui.messages import FilterChanged
from regentra_tui.screens.cascade_dialog import CascadeDialog
from regentra_tui.widgets.filter_bar import FilterBar
from regentra_tui.widgets.ticket_table import TicketTable
from tests.helpers.waiting import pilot_wait

from .conftest import settle

SIZE = (120, 40)
SIZES = pytest.mark.parametrize(
    "size", [(80, 24), (120, 40), (200, 60)], ids=lambda s: "x".join(map(str, s))
)


async def previewed(pilot) -> None:
    """Wait until the preview shows the ticket under the list's cursor: it reads the
    ticket once the cursor has rested (shown or not, at 80 columns it is hidden)."""
    from textual.widgets import Static

    from regentra_tui.widgets.preview import Preview

    app = pilot.app
    await settle(app, pilot)
    table = app.screen.query_one(TicketTable)
    body = app.screen.query_one(Preview).query_one(Static)
    wanted = f"#{table.selected.number}  " if table.selected else "No ticket selected"
    assert await pilot_wait(pilot, lambda: str(body.render()).startswith(wanted))
    await settle(app, pilot)


class TestBoard:
    @SIZES
    def test_board(self, snap_compare, make_app, size):
        async def ready(pilot):
            await settle(pilot.app, pilot)

        assert snap_compare(make_app(), run_before=ready, terminal_size=size)


class TestBars:
    """The one-line bars at the bottom of the board, at 80x24: the board undimmed."""

    def test_goto_bar(self, snap_compare, make_app):
        async def ready(pilot):
            await settle(pilot.app, pilot)
            await pilot.press("colon", *"10")
            # The cursor drawn steadily: a blinking one is in the picture or not by
            # when the shot is taken.
            pilot.app.screen.query_one("#goto").cursor_blink = False
            await settle(pilot.app, pilot)

        assert snap_compare(make_app(), run_before=ready, terminal_size=(80, 24))

    def test_priority_checklist_bar(self, snap_compare, make_app):
        async def ready(pilot):
            await settle(pilot.app, pilot)
            pilot.app.screen.set_focus(pilot.app.screen.query_one("#f-priority"))
            await pilot.press("enter", "space", "right")
            await settle(pilot.app, pilot)

        assert snap_compare(make_app(), run_before=ready, terminal_size=(80, 24))


class TestList:
    @SIZES
    def test_list_sorted_by_sla(self, snap_compare, make_app, size):
        async def ready(pilot):
            await settle(pilot.app, pilot)
            await pilot.press("2")
            await previewed(pilot)

        assert snap_compare(make_app(), run_before=ready, terminal_size=size)


class TestDetail:
    @SIZES
    def test_master_ticket(self, snap_compare, make_app, size):
        async def ready(pilot):
            await settle(pilot.app, pilot)
            await pilot.press("colon", *"1010", "enter")
            await settle(pilot.app, pilot)

        assert snap_compare(make_app(), run_before=ready, terminal_size=size)

    def test_replying_under_the_conversation(self, snap_compare, make_app):
        async def ready(pilot):
            await settle(pilot.app, pilot)
            await pilot.press("colon", *"1010", "enter")
            await settle(pilot.app, pilot)
            await pilot.press("r", *"Rebooted the sign-in server; please try again.", "ctrl+t")
            await settle(pilot.app, pilot)
            # The cursor drawn steadily: a blinking one is in the picture or not by
            # the time of day the snapshot is taken.
            pilot.app.screen.query_one("#composer-text").cursor_blink = False
            await settle(pilot.app, pilot)

        assert snap_compare(make_app(), run_before=ready, terminal_size=SIZE)


class TestCascadeDialog:
    def test_cascade_question(self, snap_compare, make_app):
        async def ready(pilot):
            await settle(pilot.app, pilot)
            detail = pilot.app.session.detail(1010)
            pilot.app.push_screen(CascadeDialog(1010, Status.RESOLVED, detail.children))
            await settle(pilot.app, pilot)

        assert snap_compare(make_app(), run_before=ready, terminal_size=SIZE)


class TestMutedDone:
    """Resolved and Closed beside active work, muted, at every size."""

    @SIZES
    def test_list_of_every_status_by_number(self, snap_compare, make_app, size):
        async def ready(pilot):
            await settle(pilot.app, pilot)
            await pilot.press("2")
            await settle(pilot.app, pilot)
            screen = pilot.app.screen
            screen.query_one(TicketTable).sort_key = SortKey.NUMBER  # #1001 Closed on top
            every = TicketFilter()
            screen.query_one(FilterBar).set_filter(every)
            screen.post_message(FilterChanged(every))
            await previewed(pilot)

        assert snap_compare(make_app(), run_before=ready, terminal_size=size)

    @SIZES
    def test_master_with_resolved_and_closed_children(self, snap_compare, make_app, size):
        async def ready(pilot):
            desk = pilot.app.session.desk()
            desk.change_status(1011, Status.RESOLVED)
            desk.change_status(1013, Status.CLOSED)
            await settle(pilot.app, pilot)
            await pilot.press("colon", *"1010", "enter")
            await settle(pilot.app, pilot)

        assert snap_compare(make_app(), run_before=ready, terminal_size=size)
