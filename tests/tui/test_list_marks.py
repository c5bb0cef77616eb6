"""A marked list row keeps its number in full."""

from __future__ import annotations

from regentra_tui.widgets.ticket_table import TicketTable

from .conftest import burst, show_list


async def test_a_marked_row_shows_its_whole_number(make_app):
    for size in ((120, 40), (160, 40)):  # the short and the full column sets
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await show_list(app, pilot)
            table = app.screen.query_one(TicketTable)
            row = table.selected
            assert row is not None
            await burst(app, pilot, "space")
            assert row.number in table.marked
            cell = table.get_cell(str(row.number), "number")
            assert cell.plain == f"● {row.number}"
            width = next(c for c in table.columns.values() if c.key.value == "number")
            assert width.get_render_width(table) - 2 * table.cell_padding >= cell.cell_len
