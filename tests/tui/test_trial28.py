"""What a technician met using #28's screens in tmux (the trial at 80x24 and 120x40).

``j``/``k`` did nothing in the attachment screen's list of files (every other list
answers to them), and the prompts that attach a file or run a command offered a
"Save (ctrl+s)" button. An address pasted from a mail client with its display
name (``Mike Ross <mike@…>``) was refused by the Cc prompt as ``'Mike'``. The
contacts table ran off an 80-column terminal (Client cut, Tickets gone) and did not
answer to ``j``/``k`` either. A reply by SMS said nothing of its cost (messages,
encoding) until it was sent.
"""

from __future__ import annotations

from textual.widgets import Button, DataTable, Input, Label, OptionList, TextArea

from regentra_core import queries
from regentra_core.config import load_settings
from regentra_core.desk import Desk, Upload, resolve_os_technician
from regentra_core.enums import Channel, Status
from regentra_core.queries import TicketFilter
from regentra_tui.screens.attachments import AttachmentsScreen
from regentra_tui.screens.contacts import ContactsScreen
from regentra_tui.screens.text_prompt import TextPrompt

from .conftest import FROZEN, burst, open_ticket, settle, until

SIZE = (80, 24)
TICKET = 1001


def _attach(db, *names: str) -> None:
    desk = Desk(
        db,
        resolve_os_technician(db, "alice"),
        source="test",
        clock=lambda: FROZEN,
        config=load_settings().desk_config(),
    )
    desk.attach_files(TICKET, [Upload(name, f"{name}\n".encode()) for name in names])


async def _open_files(app, pilot) -> OptionList:
    await open_ticket(app, pilot, TICKET)
    await pilot.press("f")
    await until(app, pilot, lambda: isinstance(app.screen, AttachmentsScreen))
    files = app.screen.query_one("#files", OptionList)
    await until(app, pilot, lambda: files.option_count == 3)
    return files


async def test_motion_keys_move_through_the_attachment_list(make_app, demo_db):
    _attach(demo_db, "a.txt", "b.txt", "c.txt")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        files = await _open_files(app, pilot)
        assert files.highlighted == 0
        await burst(app, pilot, "j", "j", "k")
        assert files.highlighted == 1
        await burst(app, pilot, "G")
        assert files.highlighted == 2
        await burst(app, pilot, "g", "j", "enter")
        assert files.highlighted == 1
        await until(app, pilot, lambda: app.screen.shown is not None)
        assert app.screen.shown.filename == "b.txt"


async def test_the_pipe_prompt_offers_to_run_not_to_save(make_app, demo_db):
    _attach(demo_db, "a.txt", "b.txt", "c.txt")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_files(app, pilot)
        await pilot.press("vertical_line")
        await until(app, pilot, lambda: isinstance(app.screen, TextPrompt))
        assert str(app.screen.query_one("#save", Button).label) == "Run (ctrl+s)"


async def test_the_composers_file_prompt_offers_to_attach_not_to_save(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, TICKET)
        await pilot.press("r", *"Here it is", "ctrl+o")
        await until(app, pilot, lambda: isinstance(app.screen, TextPrompt))
        assert str(app.screen.query_one("#save", Button).label) == "Attach (ctrl+s)"
        await settle(app, pilot)


async def test_the_cc_prompt_takes_addresses_pasted_with_display_names(make_app, demo_db):
    rows = queries.list_tickets(demo_db, TicketFilter(statuses=(Status.OPEN,)))
    number = next(r.number for r in rows if r.channel == Channel.EMAIL and r.contact_email)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, number)
        await pilot.press("w")
        await until(app, pilot, lambda: isinstance(app.screen, TextPrompt))
        pasted = 'Mike Ross <mike@partner.example>; "Lee, Kim" <Kim@Partner.example>, '
        app.screen.query_one("#body", Input).value = pasted + "ann@partner.example"
        await pilot.press("enter")
        await until(app, pilot, lambda: not isinstance(app.screen, TextPrompt))
    assert queries.ticket_detail(demo_db, number).cc == [
        "mike@partner.example",
        "kim@partner.example",
        "ann@partner.example",
    ]


async def _every_contact(app, pilot):
    await settle(app, pilot)
    app.action_clients()
    await settle(app, pilot)
    await pilot.press("C")
    await until(app, pilot, lambda: isinstance(app.screen, ContactsScreen))
    screen = app.screen
    await until(app, pilot, lambda: bool(screen.rows))
    return screen, screen.query_one(DataTable)


async def test_every_contact_column_fits_at_80_columns(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        _screen, table = await _every_contact(app, pilot)
        await settle(app, pilot)
        assert table.virtual_size.width <= table.scrollable_content_region.width, (
            f"{table.virtual_size.width} columns of table in {table.size.width}"
        )
        cells = [str(cell) for cell in table.get_row_at(0)]
        assert cells[3] == "Acme Logistics" and cells[4] == "2", cells


async def test_motion_keys_move_through_the_contacts(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen, table = await _every_contact(app, pilot)
        await burst(app, pilot, "j", "j", "k")
        assert table.cursor_row == 1
        await burst(app, pilot, "G")
        assert table.cursor_row == len(screen.rows) - 1
        await burst(app, pilot, "g")
        assert table.cursor_row == 0


async def test_a_reply_by_sms_counts_its_messages_as_it_is_typed(make_app, demo_db):
    rows = queries.list_tickets(demo_db, TicketFilter(statuses=(Status.OPEN,)))
    number = next(r.number for r in rows if r.channel == Channel.SMS)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, number)
        await burst(app, pilot, "r", *"Please restart it")
        title = app.screen.query_one("#composer-title", Label)
        assert await until(app, pilot, lambda: "17 chars · 1 SMS (GSM-7)" in str(title.render()))
        app.screen.query_one("#composer-text", TextArea).insert(" ✓" + "x" * 60)
        assert await until(app, pilot, lambda: "2 SMS (UCS-2)" in str(title.render())), str(
            title.render()
        )


async def test_the_composers_heading_wraps_at_80_columns_instead_of_being_cut(make_app, demo_db):
    rows = queries.list_tickets(demo_db, TicketFilter(statuses=(Status.OPEN,)))
    number = next(r.number for r in rows if r.channel == Channel.SMS)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, number)
        await burst(app, pilot, "r", *"Please restart the copier")
        title = app.screen.query_one("#composer-title", Label)
        assert await until(app, pilot, lambda: "1 SMS (GSM-7)" in str(title.render()))
        await settle(app, pilot)
        assert len(str(title.render())) > 78  # longer than a line of the composer here
        assert title.size.width <= 78 and title.size.height == 2, title.size
