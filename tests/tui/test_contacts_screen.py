"""The contacts in the app (issue #28, "One person, one contact"): a client's
contacts reached from the clients screen, added and edited with their number in
any spelling, and two contacts of one person merged by keyboard."""

from __future__ import annotations

from sqlmodel import select

from regentra_core.desk import Desk, resolve_os_technician
from regentra_core.enums import Channel, Priority
from regentra_core.queries.contacts import contact_rows
from regentra_core.store.models import Ticket
from regentra_tui.screens.choice_prompt import ChoicePrompt
from regentra_tui.screens.confirm_dialog import ConfirmDialog
from regentra_tui.screens.contacts import ContactForm, ContactsScreen

from .conftest import FROZEN, settle, until

SIZE = (120, 40)


def _contact(db, **where):
    return next(
        r
        for r in contact_rows(db, merged=True)
        if all(getattr(r, k) == v for k, v in where.items())
    )


async def _contacts_of(app, pilot, client: str | None) -> ContactsScreen:
    """From the clients screen, ``c`` on ``client`` (``C`` for everyone's)."""
    await settle(app, pilot)
    app.action_clients()
    await settle(app, pilot)
    if client is None:
        await pilot.press("C")
    else:
        screen = app.screen
        names = [r.name for r in screen.rows]
        screen.query_one("DataTable").move_cursor(row=names.index(client))
        await pilot.press("c")
    assert await until(app, pilot, lambda: isinstance(app.screen, ContactsScreen))
    screen = app.screen
    assert await until(app, pilot, lambda: bool(screen.rows))
    return screen


def _on(screen: ContactsScreen, contact_id: int) -> None:
    ids = [r.id for r in screen.rows]
    screen.query_one("DataTable").move_cursor(row=ids.index(contact_id))


async def test_a_clients_contact_is_added_with_a_typed_number_and_a_taken_one_is_refused(
    make_app, demo_db
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _contacts_of(app, pilot, "Acme Logistics")
        assert {r.name for r in screen.rows} == {"Priya Raman", "Tom Becker"}
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactForm)
        await pilot.press(*"Sam Lee", "tab", *"sam@acme-logistics.example", "tab")
        await pilot.press(*"(555) 010-0199", "ctrl+s")
        assert await until(app, pilot, lambda: app.screen is screen)
        sam = _contact(demo_db, name="Sam Lee")
        assert (sam.phone, sam.client) == ("+15550100199", "Acme Logistics")
        assert await until(app, pilot, lambda: "Sam Lee" in {r.name for r in screen.rows})

        _on(screen, sam.id)
        await pilot.press("e")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        form.query_one("#contact-phone").value = "+1 555 010 0101"  # Priya's
        await pilot.press("ctrl+s")
        error = form.query_one("#contact-error")
        assert await until(app, pilot, lambda: "Priya Raman" in str(error.render()))
        assert app.screen is form  # refused, and what was typed is kept
        assert "+15550100101 is already the number of Priya Raman" in str(error.render())
        assert form.query_one("#contact-phone").value == "+1 555 010 0101"
        await pilot.press("escape")
        await settle(app, pilot)
        assert _contact(demo_db, id=sam.id).phone == "+15550100199"


async def test_an_sms_strangers_contact_is_merged_into_the_customer_by_keyboard(make_app, demo_db):
    desk = Desk(
        demo_db, resolve_os_technician(demo_db, "alice"), source="test", clock=lambda: FROZEN
    )
    sms = desk.create_ticket(
        subject="printer",
        description="Priya here, from my mobile: printer jammed",
        priority=Priority.LOW,
        channel=Channel.SMS,
        contact_phone="+15550100999",
    )
    priya = _contact(demo_db, name="Priya Raman")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _contacts_of(app, pilot, None)
        _on(screen, sms.contact_id)
        await pilot.press("m")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoicePrompt)
        await pilot.press(*"Priya", "enter")
        assert await until(app, pilot, lambda: sms.contact_id not in {r.id for r in screen.rows})
    with demo_db.read() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == sms.number)).one()
    assert ticket.contact_id == priya.id
    assert ticket.client_id is not None  # Acme Logistics's now, with its SLA
    assert _contact(demo_db, id=sms.contact_id).merged_into == priya.id


async def test_merging_a_contact_of_another_client_asks_first(make_app, demo_db):
    dana = _contact(demo_db, name="Dana Whitfield")
    priya = _contact(demo_db, name="Priya Raman")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _contacts_of(app, pilot, "Globex Dental")
        _on(screen, dana.id)
        await pilot.press("m")
        await settle(app, pilot)
        await pilot.press(*"Priya", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "another client" in app.screen.question
        await pilot.press("n")  # not merged
        await settle(app, pilot)
        assert _contact(demo_db, id=dana.id).merged_into is None
        await pilot.press("m")
        await settle(app, pilot)
        await pilot.press(*"Priya", "enter")
        await settle(app, pilot)
        await pilot.press("y")
        assert await until(app, pilot, lambda: dana.id not in {r.id for r in screen.rows})
    assert _contact(demo_db, id=dana.id).merged_into == priya.id
