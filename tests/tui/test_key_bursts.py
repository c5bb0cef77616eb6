"""Every key of a burst counts, in order, across dialogs closing and opening.

Each burst is posted whole before the app handles its first key (``burst``): a
key typed right after a confirm reached a prompt being dismissed, or a screen
whose write had not finished, and was lost.
"""

from __future__ import annotations

from regentra_core import queries
from regentra_core.enums import Priority
from regentra_tui.screens.detail import TicketScreen
from regentra_tui.screens.main import MainScreen

from .conftest import burst, open_ticket, settle, show_list, until

SIZE = (120, 40)


async def test_a_key_right_after_a_pick_on_a_card_moves_the_cursor(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        column = main.board.current
        first, second = column.row_at(0), column.row_at(1)
        assert first is not None and second is not None
        await burst(app, pilot, "a", *"car", "enter", "j")
        assert queries.get_ticket(demo_db, first.number).assignee == "carol"
        assert main.board.selected is not None and main.board.selected.number == second.number


async def test_assign_move_and_priority_in_one_burst_on_the_board(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        column = main.board.current
        first, second = column.row_at(0), column.row_at(1)
        assert first is not None and second is not None
        await burst(app, pilot, "a", *"bob", "enter", "j", "p", *"low", "enter")
        assert queries.get_ticket(demo_db, first.number).assignee == "bob"
        assert queries.get_ticket(demo_db, second.number).priority == Priority.LOW


async def test_assign_move_and_priority_in_one_burst_in_the_list(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show_list(app, pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        first, second = main.table.selected, None
        assert first is not None
        await burst(app, pilot, "a", *"bob", "enter", "j", "p", *"low", "enter")
        second = main.table.selected
        assert second is not None and second.number != first.number
        assert queries.get_ticket(demo_db, first.number).assignee == "bob"
        assert queries.get_ticket(demo_db, second.number).priority == Priority.LOW


async def test_two_links_typed_in_one_burst_both_link(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, 1010)  # a master
        await burst(app, pilot, "L", *"1009", "enter", "L", *"1014", "enter")
        assert queries.get_ticket(demo_db, 1009).master == 1010
        assert queries.get_ticket(demo_db, 1014).master == 1010


async def test_a_link_then_an_unlink_in_one_burst_both_count(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, 1010)  # a master
        await burst(app, pilot, "L", *"1009", "enter", "U", *"1009", "enter")
        assert isinstance(app.screen, TicketScreen)
        kinds = [e.kind for e in queries.ticket_history(demo_db, 1009)]
        assert "linked_to_master" in kinds and "unlinked_from_master" in kinds
        assert queries.get_ticket(demo_db, 1009).master is None


async def test_a_note_then_time_in_one_burst_both_save(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, 1007)
        before = queries.ticket_detail(demo_db, 1007)
        await burst(app, pilot, "n", *"Checked the cable", "ctrl+s", "t", *"20m", "ctrl+s")

        def logged() -> bool:  # the writes are workers: on a loaded machine, after settle
            return len(queries.ticket_detail(demo_db, 1007).time_entries) > len(before.time_entries)

        assert await until(app, pilot, logged)
        after = queries.ticket_detail(demo_db, 1007)
        assert len(after.time_entries) == len(before.time_entries) + 1
        assert after.time_entries[-1].minutes == 20
        assert any("Checked the cable" in item.body for item in after.thread)


async def test_time_typed_with_its_save_logs_every_digit(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, 1007)
        await burst(app, pilot, "t", "2", "5", "ctrl+s", "t", "4", "0", "ctrl+s")
        entries = queries.ticket_detail(demo_db, 1007).time_entries
        assert [e.minutes for e in entries[-2:]] == [25, 40]
        assert isinstance(app.screen, TicketScreen)


async def test_assign_then_priority_in_one_burst_on_the_ticket(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, 1007)
        await burst(app, pilot, "a", *"bob", "enter", "j", "p", *"low", "enter")
        ticket = queries.get_ticket(demo_db, 1007)
        assert ticket.assignee == "bob" and ticket.priority == Priority.LOW
