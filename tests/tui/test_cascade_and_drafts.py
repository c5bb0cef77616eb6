"""Every way a master is resolved asks about its children; drafts outlive the screen
and the app, and a draft sent on a ticket a colleague changed meanwhile asks first."""

from __future__ import annotations

import stat

from regentra_core import queries
from regentra_core.desk import Desk, resolve_os_technician
from regentra_core.enums import Status
from regentra_tui.screens.cascade_dialog import CascadeDialog
from regentra_tui.screens.confirm_dialog import ConfirmDialog
from regentra_tui.screens.detail import TicketScreen
from regentra_tui.screens.main import MainScreen
from regentra_tui.screens.quit_dialog import QuitDialog

from .conftest import FROZEN, open_ticket, settle

SIZE = (120, 40)
MASTER, CHILD = 1007, 1014  # both open in the demo desk


def desk_of(db, who: str) -> Desk:
    return Desk(db, resolve_os_technician(db, who), source="test", clock=lambda: FROZEN)


def make_master(db) -> None:
    alice = desk_of(db, "alice")
    alice.promote(MASTER)
    alice.link(MASTER, CHILD)


async def test_reply_and_resolve_on_a_master_asks_about_its_open_children(make_app, demo_db):
    make_master(demo_db)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, MASTER)
        await pilot.press("r", *"Fixed at the provider", "ctrl+t", "ctrl+t")
        assert app.screen.composer.then == Status.RESOLVED
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, CascadeDialog)
        assert [c.number for c in app.screen.children_rows] == [CHILD]
        await pilot.press("y")
        await settle(app, pilot)
        assert queries.get_ticket(demo_db, MASTER).status == Status.RESOLVED
        child = queries.ticket_detail(demo_db, CHILD)
        assert child.ticket.status == Status.RESOLVED
        assert child.resolution == "Fixed at the provider"


async def test_a_bulk_resolve_asks_about_each_master_among_the_marked(make_app, demo_db):
    make_master(demo_db)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        main.bulk([MASTER, 1003], "status", "resolved")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(app, pilot)
        assert queries.get_ticket(demo_db, MASTER).status == Status.RESOLVED
        assert isinstance(app.screen, CascadeDialog)
        assert app.screen.master == MASTER
        await pilot.press("n")  # the technician's choice: the child stays open
        await settle(app, pilot)
        assert queries.get_ticket(demo_db, CHILD).status == Status.OPEN


async def test_a_reply_on_a_ticket_resolved_by_a_colleague_mid_draft_asks_first(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, CHILD)
        await pilot.press("r", *"Try restarting it")
        desk_of(demo_db, "bob").change_status(CHILD, Status.RESOLVED, resolution="done")
        await settle(app, pilot)  # the screen reloads on the change; the draft does not
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert f"#{CHILD} was resolved by bob" in app.screen.question
        await pilot.press("n")  # keep editing
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TicketScreen)
        assert screen.composer.is_open
        assert screen.composer.text_area.text == "Try restarting it"
        bodies = [m.body for m in queries.ticket_detail(demo_db, CHILD).thread]
        assert "Try restarting it" not in bodies
        await pilot.press("ctrl+s")  # now told: it goes, on the ticket as it is
        await settle(app, pilot)
        assert not screen.composer.is_open
        bodies = [m.body for m in queries.ticket_detail(demo_db, CHILD).thread]
        assert "Try restarting it" in bodies


async def test_a_hidden_draft_survives_leaving_the_ticket_and_a_restart(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, CHILD)
        await pilot.press("r", *"Half an answer", "escape", "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        await open_ticket(app, pilot, CHILD)
        assert app.screen.composer.is_open
        assert app.screen.composer.text_area.text == "Half an answer"
        path = app.drafts.path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        await open_ticket(again, pilot, CHILD)
        assert again.screen.composer.text_area.text == "Half an answer"
        await pilot.press("r", "ctrl+g")  # discarded here is discarded for good
        await settle(again, pilot)
        assert again.drafts.numbers() == []
        assert not again.screen.composer.is_open


async def test_quitting_with_drafts_asks_and_d_discards_them(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, CHILD)
        await pilot.press("r", *"Later", "escape", "escape")
        await settle(app, pilot)
        await pilot.press("q")
        await settle(app, pilot)
        assert isinstance(app.screen, QuitDialog)
        assert app.screen.numbers == [CHILD]
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen) and app.is_running
        await pilot.press("q")
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        assert app.drafts.numbers() == []
    assert app.return_code == 0 or app.return_code is None
