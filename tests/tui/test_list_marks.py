"""A marked list row keeps its number in full."""

from __future__ import annotations

from regentra_tui.widgets.ticket_table import TicketTable

from .conftest import burst, settle, show_list
from .notices import Notices


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


async def test_taking_a_ticket_in_a_filtered_list_keeps_the_cursor_on_it(make_app, demo_db):
    """``A`` then Enter in "Unassigned": Enter opens the ticket taken, not the next
    one (the taken row leaves the view only once the cursor moves)."""
    from regentra_core import queries
    from regentra_tui.screens.detail import TicketScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await show_list(app, pilot)
        await burst(app, pilot, "right_square_bracket", "right_square_bracket")  # Unassigned
        table = app.screen.query_one(TicketTable)
        assert table.filter.assignee is not None
        await burst(app, pilot, "j")
        taken = table.selected
        assert taken is not None and taken.assignee is None
        below = table.page_rows[table.cursor_row + 1].number
        await burst(app, pilot, "A")
        assert queries.get_ticket(demo_db, taken.number).assignee == "alice"
        assert table.selected is not None and table.selected.number == taken.number
        await burst(app, pilot, "j")  # moving on: the taken row leaves the view
        assert table.selected is not None and table.selected.number == below
        assert taken.number not in [r.number for r in table.page_rows]
        await burst(app, pilot, "k", "A", "enter")
        assert isinstance(app.screen, TicketScreen)
        assert queries.get_ticket(demo_db, app.screen.number).assignee == "alice"


async def test_taking_a_card_in_a_filtered_board_says_where_the_cursor_went(make_app, demo_db):
    from regentra_core import queries
    from regentra_tui.widgets.board import Board

    app = make_app()
    notices = Notices(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, "right_square_bracket", "right_square_bracket")  # Unassigned
        board = app.screen.query_one(Board)
        taken = board.selected
        assert taken is not None and taken.assignee is None
        await burst(app, pilot, "A")
        assert queries.get_ticket(demo_db, taken.number).assignee == "alice"
        said = notices.messages
        assert any(f"#{taken.number} is yours and has left this view" in m for m in said)
