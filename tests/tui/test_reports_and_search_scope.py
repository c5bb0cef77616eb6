"""Reports read in hours and minutes and the SLA table fits 120 columns; the search
box says what it searches and one key searches everything."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from regentra_tui.screens.reports import ReportsScreen

from .conftest import burst, settle


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
        assert table.row_count > 0
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert "resp.\nno reply" in _headers(table)
        assert any(cell.endswith("%") for row in _cells(table) for cell in row[2:])
