"""Layout snapshots at 120x40 of the board, the list, a ticket and the cascade dialog.

Update after an intended change with ``pytest tests/tui/test_snapshots.py
--snapshot-update`` and look at the report before committing.
"""

from __future__ import annotations

from regentra_core.enums import Status
from regentra_tui.screens.cascade_dialog import CascadeDialog

from .conftest import settle

SIZE = (120, 40)


class TestBoard:
    def test_board(self, snap_compare, make_app):
        async def ready(pilot):
            await settle(pilot.app, pilot)

        assert snap_compare(make_app(), run_before=ready, terminal_size=SIZE)


class TestList:
    def test_list_sorted_by_sla(self, snap_compare, make_app):
        async def ready(pilot):
            await settle(pilot.app, pilot)
            await pilot.press("2")
            await settle(pilot.app, pilot)

        assert snap_compare(make_app(), run_before=ready, terminal_size=SIZE)


class TestDetail:
    def test_master_ticket(self, snap_compare, make_app):
        async def ready(pilot):
            await settle(pilot.app, pilot)
            await pilot.press("colon", *"1010", "enter")
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
