"""Layout snapshots of the board, the list, a ticket (with its composer open) and the
cascade dialog, at the sizes technicians use: 80x24 (a laptop SSH window), 120x40
and 200x60 (the preview pane beside the list).

Update after an intended change with ``pytest tests/tui/test_snapshots.py
--snapshot-update`` and look at the report before committing.
"""

from __future__ import annotations

import pytest

from regentra_core.enums import Status
from regentra_tui.screens.cascade_dialog import CascadeDialog

from .conftest import settle

SIZE = (120, 40)
SIZES = pytest.mark.parametrize(
    "size", [(80, 24), (120, 40), (200, 60)], ids=lambda s: "x".join(map(str, s))
)


class TestBoard:
    @SIZES
    def test_board(self, snap_compare, make_app, size):
        async def ready(pilot):
            await settle(pilot.app, pilot)

        assert snap_compare(make_app(), run_before=ready, terminal_size=size)


class TestList:
    @SIZES
    def test_list_sorted_by_sla(self, snap_compare, make_app, size):
        async def ready(pilot):
            await settle(pilot.app, pilot)
            await pilot.press("2")
            await pilot.pause(0.3)  # the preview reads the ticket once the cursor rests
            await settle(pilot.app, pilot)

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

        assert snap_compare(make_app(), run_before=ready, terminal_size=SIZE)


class TestCascadeDialog:
    def test_cascade_question(self, snap_compare, make_app):
        async def ready(pilot):
            await settle(pilot.app, pilot)
            detail = pilot.app.session.detail(1010)
            pilot.app.push_screen(CascadeDialog(1010, Status.RESOLVED, detail.children))
            await settle(pilot.app, pilot)

        assert snap_compare(make_app(), run_before=ready, terminal_size=SIZE)
