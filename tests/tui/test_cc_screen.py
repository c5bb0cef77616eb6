"""The ticket's Cc in the app: shown in the detail header, edited with ``w`` (issue #28)."""

from __future__ import annotations

from textual.widgets import Input, Static

from regentra_core import queries
from regentra_core.enums import Channel, Status
from regentra_core.queries import TicketFilter

from .conftest import burst, open_ticket, settle, until

SIZE = (120, 40)


def _email_ticket(db) -> int:
    """An open demo ticket answered by email."""
    rows = queries.list_tickets(db, TicketFilter(statuses=(Status.OPEN,)))
    return next(r.number for r in rows if r.channel == Channel.EMAIL and r.contact_email)


def _header(app) -> str:
    return str(app.screen.query_one("#header", Static).render())


async def test_w_edits_the_cc_and_the_header_shows_it(make_app, demo_db):
    number = _email_ticket(demo_db)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, number)
        assert "Cc:" not in _header(app)
        keys = {b.binding.key: b.binding.description for b in app.screen.active_bindings.values()}
        assert keys.get("w") == "Cc"  # in the footer and the key help, as the others are
        await pilot.press("w")
        await settle(app, pilot)
        assert app.screen.query_one("#body", Input).value == ""
        await pilot.press(*"sam@acme.example, Kim@Partner.example", "enter")
        await until(app, pilot, lambda: "Cc:" in _header(app))
        assert "Cc: sam@acme.example, kim@partner.example" in _header(app)
    assert queries.ticket_detail(demo_db, number).cc == [
        "sam@acme.example",
        "kim@partner.example",
    ]
    (change,) = [e for e in queries.ticket_history(demo_db, number) if e.kind == "cc_changed"]
    assert change.actor == "alice" and change.source == "tui"
    assert change.to_value == "sam@acme.example, kim@partner.example"


async def test_the_prompt_starts_from_the_list_and_empty_clears_it(make_app, demo_db):
    number = _email_ticket(demo_db)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, number)
        await pilot.press("w", *"sam@acme.example", "enter")
        await until(app, pilot, lambda: "Cc: sam@acme.example" in _header(app))
        await pilot.press("w")
        await settle(app, pilot)
        field = app.screen.query_one("#body", Input)
        assert field.value == "sam@acme.example"
        field.value = ""
        await pilot.press("enter")
        await until(app, pilot, lambda: "Cc:" not in _header(app))
    assert queries.ticket_detail(demo_db, number).cc == []


async def test_a_bad_address_keeps_the_prompt_open_with_one_line(make_app, demo_db):
    number = _email_ticket(demo_db)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, number)
        await pilot.press("w", *"kim@partner.example, bob at", "enter")
        error = app.screen.query_one("#error", Static) if app.screen.query("#error") else None
        await until(app, pilot, lambda: error is not None and str(error.render()))
        assert str(error.render()) == "not an email address mail can go to: 'bob'"
        assert app.screen.query_one("#body", Input).value == "kim@partner.example, bob at"
    assert queries.ticket_detail(demo_db, number).cc == []


async def test_w_and_the_addresses_typed_in_one_burst_all_reach_the_prompt(make_app, demo_db):
    number = _email_ticket(demo_db)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, number)
        await burst(app, pilot, "w", *"lee@acme.example", "enter")
        await until(app, pilot, lambda: "Cc: lee@acme.example" in _header(app))
    assert queries.ticket_detail(demo_db, number).cc == ["lee@acme.example"]
