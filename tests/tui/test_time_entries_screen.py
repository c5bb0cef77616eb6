"""``T`` on a ticket: a mistyped time entry is edited or removed (asked first), and the
time box refuses minutes over 59 after hours as the command line does."""

from __future__ import annotations

from sqlmodel import select

from regentra_core import queries
from regentra_core.desk import Desk, resolve_os_technician
from regentra_core.store.models import Event
from regentra_tui.screens.choice_prompt import ChoicePrompt
from regentra_tui.screens.confirm_dialog import ConfirmDialog
from regentra_tui.screens.time_prompt import TimePrompt

from .conftest import FROZEN, open_ticket, settle

SIZE = (120, 40)


def _log(db, minutes: int, note: str) -> int:
    desk = Desk(db, resolve_os_technician(db, "alice"), source="test", clock=lambda: FROZEN)
    desk.log_time(1007, minutes, note=note)
    return queries.ticket_detail(db, 1007).time_entries[-1].entry_id


def _kinds(db, kind: str) -> list[Event]:
    with db.read() as s:
        return list(s.exec(select(Event).where(Event.kind == kind)).all())


async def test_T_lists_the_entries_and_edits_the_one_picked(make_app, demo_db):
    entry_id = _log(demo_db, 135, "typed 1h75 for 1h15")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, 1007)
        await pilot.press("T")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoicePrompt)
        assert f"[{entry_id}]" in str(
            app.screen.query_one("OptionList").get_option_at_index(0).prompt
        )
        await pilot.press("enter")  # the newest entry
        await settle(app, pilot)
        await pilot.press("enter")  # Edit this entry
        await settle(app, pilot)
        assert isinstance(app.screen, TimePrompt)
        assert app.screen.query_one("#minutes").value == "2h 15m"
        await pilot.press(*"1h15", "ctrl+s")  # typed over the entry's time
        await settle(app, pilot)
        assert not isinstance(app.screen, TimePrompt)
    [entry] = [
        e for e in queries.ticket_detail(demo_db, 1007).time_entries if e.entry_id == entry_id
    ]
    assert entry.minutes == 75 and entry.note == "typed 1h75 for 1h15"
    [event] = _kinds(demo_db, "time_edited")
    assert "2h 15m" in (event.from_value or "") and "1h 15m" in (event.to_value or "")


async def test_T_removes_an_entry_only_once_confirmed(make_app, demo_db):
    entry_id = _log(demo_db, 30, "wrong ticket")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, 1007)
        await pilot.press("T")
        await settle(app, pilot)
        await pilot.press("enter", "down", "enter")  # the newest entry, Remove
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(app, pilot)
        ids = [e.entry_id for e in queries.ticket_detail(demo_db, 1007).time_entries]
        assert entry_id in ids
        await pilot.press("T")
        await settle(app, pilot)
        await pilot.press("enter", "down", "enter")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
    ids = [e.entry_id for e in queries.ticket_detail(demo_db, 1007).time_entries]
    assert entry_id not in ids
    [event] = _kinds(demo_db, "time_removed")
    assert "wrong ticket" in (event.from_value or "")


async def test_the_time_box_refuses_1h75_and_logs_nothing(make_app, demo_db):
    before = queries.ticket_detail(demo_db, 1007).total_minutes
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, 1007)
        await pilot.press("t")
        await settle(app, pilot)
        await pilot.press(*"1h75", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, TimePrompt)
        assert "minutes after hours" in str(app.screen.query_one("#error").render())
    assert queries.ticket_detail(demo_db, 1007).total_minutes == before


async def test_the_palette_offers_time_entries_on_a_ticket_only(make_app):
    from regentra_tui.commands import TicketCommands

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "Time entries" not in {n for n, _, _ in TicketCommands(app.screen)._available()}
        await open_ticket(app, pilot, 1007)
        assert "Time entries" in {n for n, _, _ in TicketCommands(app.screen)._available()}
