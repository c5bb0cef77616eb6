"""What a technician met using #29's screens in tmux (the trial at 80x24 and 120x40).

``:1010⏎t10`` typed before #1010 had loaded: ``t`` was held for the ticket, but
the ``1`` of ``10`` left it for the board at once (``1`` is the board's key), so
``t`` and ``0`` played on the board and ctrl+s saved a view instead of the time.
A priority an automation rule set read "(automation, rule Outages are urgent by
automation:Outages are urgent, …)" in the ticket's header: the rule named twice.
A bulk change asked "Set status to waiting on customer on 3 tickets?" (the stored
value) after a picker that said "Waiting on Customer". Keys typed while the clients
or a client's contacts were still loading were lost (``j c`` opened the first
client's contacts, not the second's). The resolution note's button said "Save"
under a title that says ctrl+s resolves.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Button, DataTable, Static

from regentra_core import queries
from regentra_core.desk import Desk, resolve_os_technician
from regentra_core.enums import Channel, Priority
from regentra_tui.screens.confirm_dialog import ConfirmDialog
from regentra_tui.screens.contacts import ContactsScreen
from regentra_tui.screens.detail import TicketScreen
from regentra_tui.screens.main import MainScreen
from regentra_tui.screens.text_prompt import TextPrompt

from .conftest import FROZEN, burst, open_ticket, post_keys, settle, until

SIZE = (80, 24)


async def test_a_loading_ticket_keeps_a_board_key_typed_after_a_key_it_holds(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        fresh, loading = TicketScreen(1010), TicketScreen(1010)
        assert not fresh.holds(events.Key("1", "1"))  # nothing held: it leaves at once
        assert loading.holds(events.Key("t", "t"))
        assert loading.holds(events.Key("1", "1"))
        assert loading.holds(events.Key("q", "q"))
        assert not loading.holds(events.Key("escape", None))
        assert [k.key for k in loading.held] == ["t", "1", "q"]


async def test_digits_typed_after_a_held_key_go_where_that_key_led(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        before = queries.ticket_detail(demo_db, 1010).total_minutes
        await burst(app, pilot, "colon", *"1010", "enter", "t", *"10", "ctrl+s")
        assert await until(app, pilot, lambda: isinstance(app.screen, TicketScreen), 5)
        assert queries.ticket_detail(demo_db, 1010).total_minutes == before + 10


async def test_escape_still_leaves_a_loading_ticket_whatever_is_held(make_app):
    # The ticket's load waits until escape has been typed: on a fast machine it could
    # end before ``t`` arrives, and ``t`` then rightly opens the time dialog.
    import threading

    app = make_app()
    loading, asked = threading.Event(), threading.Event()
    detail = app.session.detail

    def slow_detail(number):
        asked.set()
        loading.wait(30)
        return detail(number)

    app.session.detail = slow_detail  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        post_keys(app, "colon", *"1010", "enter", "t", "escape")
        # (not ``until``: it settles first, and the load's worker waits for the test)
        for _ in range(1500):
            if asked.is_set() and isinstance(app.screen, MainScreen):
                break
            await pilot.pause(0.02)
        left = isinstance(app.screen, MainScreen)
        loading.set()
        await settle(app, pilot)
        assert left


async def test_a_priority_a_rule_set_names_the_rule_once(make_app, demo_db):
    desk = Desk(
        demo_db, resolve_os_technician(demo_db, "alice"), source="test", clock=lambda: FROZEN
    )
    number = desk.create_ticket(
        subject="Internet outage at the front desk",
        description="Nothing loads.",
        priority=Priority.MEDIUM,
        channel=Channel.MANUAL,
        contact_email="frontdesk@globexdental.example",
    ).number
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_ticket(app, pilot, number)
        header = str(app.screen.query_one("#header", Static).render())
        assert "Priority High (automation, rule Outages are urgent, 25 Nov 15:00)" in header
        assert "by automation:" not in header


async def test_a_bulk_change_asks_in_the_words_the_picker_showed(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, "2")
        await burst(app, pilot, "space", "space", "space")
        await burst(app, pilot, "s", *"waiting", "enter")
        assert await until(app, pilot, lambda: isinstance(app.screen, ConfirmDialog), 5)
        assert app.screen.question == "Set status to Waiting on Customer on 3 tickets?"
        await burst(app, pilot, "n")
        await burst(app, pilot, "p", *"crit", "enter")
        assert await until(app, pilot, lambda: isinstance(app.screen, ConfirmDialog), 5)
        assert app.screen.question == "Set priority to Critical on 3 tickets?"


async def test_keys_typed_while_the_clients_load_act_once_they_are_shown(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.action_clients()
        post_keys(app, "j", "c", "j")
        assert await until(app, pilot, lambda: isinstance(app.screen, ContactsScreen), 5)
        assert await until(app, pilot, lambda: len(app.screen.rows) > 1, 5)
        assert app.screen.client == "Globex Dental"
        assert app.screen.query_one(DataTable).cursor_row == 1


async def test_the_resolution_note_offers_to_resolve_not_to_save(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, "s", *"res", "enter")
        assert await until(app, pilot, lambda: isinstance(app.screen, TextPrompt), 5)
        assert str(app.screen.query_one("#save", Button).label) == "Resolve (ctrl+s)"
