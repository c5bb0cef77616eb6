"""The main screen's one-line bars (``:`` and the filter checklists) and its quick
filter keys: nothing is pushed over the board, Escape gives the focus back where it
was, keys typed in one burst all count, and it all fits at 80x24."""

from __future__ import annotations

from dataclasses import replace

from regentra_core import UNASSIGNED, Badge, Priority, queries
from regentra_core.enums import Status
from regentra_core.queries import TicketFilter
from regentra_tui.screens.detail import TicketScreen
from regentra_tui.screens.main import MainScreen
from regentra_tui.widgets.board import Board
from regentra_tui.widgets.board_column import BoardColumn
from regentra_tui.widgets.filter_bar import FilterBar
from regentra_tui.widgets.goto_bar import GOTO_WORDS, GotoBar
from regentra_tui.widgets.key_footer import KeyFooter
from regentra_tui.widgets.multi_pick import MultiPick
from regentra_tui.widgets.pick_bar import PickBar
from regentra_tui.widgets.status_line import StatusLine
from regentra_tui.widgets.ticket_table import TicketTable

from .conftest import burst, settle, show_list, until

SMALL = (80, 24)


def _board_numbers(app) -> set[int]:
    numbers = set()
    for column in app.screen.query(BoardColumn):
        for index in range(column.total):
            row = column.row_at(index)
            if row is None:
                break
            numbers.add(row.number)
    return numbers


def _expected(app, f: TicketFilter) -> set[int]:
    return {r.number for r in queries.list_tickets(app.session.db, f, limit=10_000)}


async def test_colon_opens_a_bar_that_says_what_it_is_for_with_the_board_in_view(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        board = app.screen.query_one(Board)
        came_from = app.focused
        height = board.size.height
        await pilot.press("colon")
        bar = app.screen.query_one(GotoBar)
        assert isinstance(app.screen, MainScreen) and len(app.screen_stack) == 2
        assert bar.is_open and not app.screen.query_one(StatusLine).display
        assert app.focused is bar.field
        await pilot.pause()
        assert board.size.height == height  # the bar takes the status line's row
        assert bar.region.bottom <= 24 and bar.region.width == 80
        assert GOTO_WORDS in "".join(str(s.text) for s in app.screen._compositor.render_strips())
        await pilot.press("escape")
        assert not bar.is_open and app.screen.query_one(StatusLine).display
        assert app.focused is came_from


async def test_colon_a_number_and_enter_typed_in_one_burst_open_that_ticket(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, "colon", *"1007", "enter", "r", *"On it")
        assert isinstance(app.screen, TicketScreen) and app.screen.number == 1007
        assert app.screen.composer.is_open
        assert app.screen.composer.text_area.text == "On it"
        main = app.screen_stack[-2]
        assert isinstance(main, MainScreen) and not main.query_one(GotoBar).is_open


async def test_colon_from_the_list_then_escape_and_a_key_in_one_burst(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await show_list(app, pilot)
        table = app.screen.query_one(TicketTable)
        await burst(app, pilot, "colon", *"10", "escape", "1")  # left the bar, then the board
        assert not app.screen.query_one(GotoBar).is_open
        assert app.screen.showing_board and table is not app.focused


async def test_a_priority_checklist_bar_typed_in_one_burst_filters_the_board(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        pick = app.screen.query_one(FilterBar).query_one("#f-priority", MultiPick)
        app.screen.set_focus(pick)
        await settle(app, pilot)
        # Open, none ticked, Critical, High, apply: all before a frame is drawn.
        await burst(app, pilot, "enter", "ctrl+n", "space", "right", "space", "enter")
        assert pick.values == (Priority.CRITICAL.value, Priority.HIGH.value)
        assert len(app.screen_stack) == 2 and not app.screen.query_one(PickBar).is_open
        assert app.focused is pick
        want = _expected(app, TicketFilter(priorities=(Priority.CRITICAL, Priority.HIGH)))
        assert await until(app, pilot, lambda: _board_numbers(app) == want)
        assert want


async def test_escape_leaves_a_checklist_bar_and_the_filter_as_they_were(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        pick = app.screen.query_one(FilterBar).query_one("#f-channel", MultiPick)
        app.screen.set_focus(pick)
        await pilot.press("enter")
        bar = app.screen.query_one(PickBar)
        assert bar.is_open and app.focused is bar
        assert "Show tickets that came by" in str(bar.render())
        await pilot.press("space", "escape")
        await settle(app, pilot)
        assert pick.values == () and not bar.is_open and app.focused is pick


async def test_letters_typed_into_a_checklist_bar_move_its_cursor_and_act_nowhere_else(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        filters = app.screen.query_one(FilterBar)
        pick = filters.query_one("#f-priority", MultiPick)
        app.screen.set_focus(pick)
        before = filters.current()
        # q would quit, u and b would toggle quick filters behind the bar.
        await burst(app, pilot, "enter", "q", "u", "b", "m", "space", "enter")
        assert len(app.screen_stack) == 2 and app.is_running
        bar = app.screen.query_one(PickBar)
        assert not bar.is_open
        assert pick.values == (Priority.MEDIUM.value,)  # "m" moved to Medium, space ticked it
        await settle(app, pilot)
        assert replace(filters.current(), priorities=()) == before


async def test_the_footer_offers_a_checklist_bars_own_keys_not_the_letters_it_keeps(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        pick = app.screen.query_one(FilterBar).query_one("#f-priority", MultiPick)
        app.screen.set_focus(pick)
        await pilot.press("enter")
        await settle(app, pilot)
        shown = {k.description for k in app.screen.query_one(KeyFooter).keys}
        assert {"Apply", "Cancel", "Tick"} <= shown
        assert not shown & {"Quit", "Board", "Status", "Take"}  # q, 1, s, A pick choices here
        await pilot.press("escape")
        await settle(app, pilot)
        shown = {k.description for k in app.screen.query_one(KeyFooter).keys}
        assert "Quit" in shown and "Apply" not in shown


async def test_a_click_on_a_footer_key_presses_that_key(make_app):
    from textual.widgets import ContentSwitcher

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        footer = app.screen.query_one(KeyFooter)
        await pilot.click(KeyFooter, offset=(footer.text.index("2 List") + 2, 0))
        assert await until(
            app, pilot, lambda: app.screen.query_one(ContentSwitcher).current == "list"
        )


async def test_the_status_checklist_bar_keeps_the_cursor_in_view_at_80_columns(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        pick = app.screen.query_one(FilterBar).query_one("#f-status", MultiPick)
        app.screen.set_focus(pick)
        await pilot.press("enter", *["right"] * (len(Status) - 1))
        await pilot.pause()
        bar = app.screen.query_one(PickBar)
        text = str(bar.render())
        assert "Show tickets that are" in text
        assert list(Status)[-1].label in text[: bar.size.width]  # the last, under the cursor
        await pilot.press("ctrl+n", "space", "enter")  # that one only
        await settle(app, pilot)
        assert pick.values == (list(Status)[-1].value,)


async def test_quick_keys_toggle_their_filter_and_the_filter_bar_shows_it(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        bar = app.screen.query_one(FilterBar)
        focused = app.focused
        base = bar.current()
        await burst(app, pilot, "!")
        urgent = (Priority.CRITICAL, Priority.HIGH)
        assert bar.current().priorities == urgent
        assert "Critical, High" in str(bar.query_one("#f-priority", MultiPick).render())
        want = _expected(app, replace(bar.current(), statuses=()))  # the board: every status
        assert await until(app, pilot, lambda: _board_numbers(app) == want)
        assert app.focused is focused  # the board keeps the focus
        await burst(app, pilot, "@")
        assert bar.current().assignee == app.session.username
        await burst(app, pilot, "u")  # unassigned replaces mine
        assert bar.current().assignee == UNASSIGNED
        await burst(app, pilot, "b")
        assert bar.current().sla == (Badge.BREACHED,)
        assert str(bar.query_one("#f-sla").value) == Badge.BREACHED.value
        await burst(app, pilot, "!", "u", "b")  # each off again, in one burst
        assert bar.current() == base
        want = _expected(app, replace(base, statuses=()))
        assert await until(app, pilot, lambda: _board_numbers(app) == want)


async def test_quick_keys_filter_the_list_too(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await show_list(app, pilot)
        table = app.screen.query_one(TicketTable)
        await burst(app, pilot, "u")
        assert await until(
            app,
            pilot,
            lambda: bool(table.page_rows) and all(not r.assignee for r in table.page_rows),
        )
        assert app.focused is table
        channel = app.screen.query_one(FilterBar).query_one("#f-channel", MultiPick)
        assert channel.values == ()  # the other filters stay as they were


async def test_a_bar_closes_when_the_focus_goes_elsewhere_on_the_screen(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        column = app.screen.query(BoardColumn).first()
        await pilot.press("colon")
        goto = app.screen.query_one(GotoBar)
        assert goto.is_open
        await pilot.click(column)  # a click on the board
        assert await until(app, pilot, lambda: not goto.is_open)
        assert app.screen.query_one(StatusLine).display
        pick = app.screen.query_one(FilterBar).query_one("#f-priority", MultiPick)
        app.screen.set_focus(pick)
        await pilot.press("enter")
        checklist = app.screen.query_one(PickBar)
        assert checklist.is_open
        app.screen.set_focus(column)
        assert await until(app, pilot, lambda: not checklist.is_open)
        assert pick.values == () and app.focused is column
