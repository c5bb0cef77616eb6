"""Reports read in hours and minutes and the SLA table fits 120 columns; the search
box says what it searches and one key searches everything."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from regentra_tui.screens.reports import ReportsScreen

from .conftest import burst, settle, until


def _cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]


def _headers(table: DataTable) -> list[str]:
    return [str(c.label) for c in table.columns.values()]


async def test_the_time_report_shows_hours_and_minutes_not_minutes(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, "F", "t")
        screen = app.screen
        assert isinstance(screen, ReportsScreen) and screen.kind == "time"
        table = screen.query_one(DataTable)
        assert _headers(table)[2:] == ["billable", "non-billable", "total"]
        rows = _cells(table)
        # the demo's total: 260 minutes of billable work
        assert rows[-1][0] == "(total)" and rows[-1][2:] == ["4h 20m", "0m", "4h 20m"]
        assert ["Umbra Architects", "carol", "2h 00m", "0m", "2h 00m"] in rows


@pytest.mark.parametrize("width", [120, 160])
async def test_the_sla_table_fits_the_screen_at_120_columns(make_app, width):
    app = make_app()
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, "F", "s")
        screen = app.screen
        assert isinstance(screen, ReportsScreen) and screen.kind == "sla"
        table = screen.query_one(DataTable)
        # The report is read in a worker thread; its table is drawn when that lands.
        assert await until(
            app,
            pilot,
            lambda: (
                table.row_count > 0
                and "resp.\nno reply" in _headers(table)
                and table.virtual_size.width > 0
            ),
        ), _headers(table)
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert "resp.\nno reply" in _headers(table)
        assert any(cell.endswith("%") for row in _cells(table) for cell in row[2:])


async def test_the_search_box_names_its_scope_and_ctrl_a_searches_every_status(demo_db, tmp_path):
    from regentra_core.desk import resolve_os_technician
    from regentra_core.search import SearchIndex
    from regentra_tui.app import RegentraApp
    from regentra_tui.session import DeskSession
    from regentra_tui.widgets.multi_pick import MultiPick
    from regentra_tui.widgets.search_box import SearchBox
    from regentra_tui.widgets.ticket_table import TicketTable

    from .conftest import FROZEN

    index = SearchIndex(tmp_path / "demo.index", demo_db)
    index.rebuild()
    session = DeskSession(demo_db, resolve_os_technician(demo_db, "alice"), lambda: FROZEN, index)
    app = RegentraApp(session, poll_seconds=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, "2", "slash")
        box = app.screen.query_one(SearchBox)
        assert box.placeholder.startswith("/ search open tickets")
        assert "ctrl+a: all" in box.placeholder
        # "Intune" is only in the resolution note of #1002, which is Closed
        await burst(app, pilot, *"intune")
        table = app.screen.query_one(TicketTable)

        def status_line() -> str:
            return str(app.screen.query_one("StatusLine").render())

        await until(app, pilot, lambda: "No open tickets match" in status_line())
        assert [r.number for r in table.page_rows] == []
        status = status_line()
        assert "No open tickets match: ctrl+a in the search box" in status
        await burst(app, pilot, "ctrl+a")
        assert app.screen.query_one("#f-status", MultiPick).values == ()
        assert box.value == "intune" and box.placeholder == "/ search all tickets"
        assert [r.number for r in table.page_rows] == [1002]
    index.close()
