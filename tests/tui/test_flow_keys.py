"""A dialog flow (dialogs asked in turn, ``push_screen_wait``) typed in one burst:
every key reaches the dialog it was typed for, also when the burst began while the
ticket was still loading (its keys are played once it is shown)."""

from __future__ import annotations

from regentra_core import queries
from regentra_tui.screens.detail import TicketScreen

from .conftest import burst, settle

SIZE = (120, 40)
TICKET = 1010  # the demo's master, with time logged on it


async def test_a_time_entry_removed_in_a_burst_typed_while_the_ticket_loads(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        before = queries.ticket_detail(demo_db, TICKET).time_entries
        assert before, "the demo's ticket has time logged"
        # Opened as Enter in the : prompt opens it, with no key held before (the
        # keys the ticket holds while it loads were once waited for from the time
        # the app's queue last began: long ago, so they played at once, past the
        # flow still opening its first dialog: "r" of "remove" opened a reply).
        app.open_ticket(TICKET)
        # T: pick the entry (Enter), then what to do with it ("remove"), then a yes.
        await burst(app, pilot, "T", "enter", *"remove", "enter", "y")
        after = queries.ticket_detail(demo_db, TICKET)
        assert len(after.time_entries) == len(before) - 1
        screen = app.screen
        assert isinstance(screen, TicketScreen) and screen.number == TICKET
        assert not screen.composer.is_open  # no key of the burst reached the ticket itself
