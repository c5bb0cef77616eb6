"""A reply that will reach nobody says so where it is written and once it is saved."""

from __future__ import annotations

from textual.widgets import Label

from regentra_core import queries
from regentra_core.desk import Desk, resolve_os_technician
from regentra_core.enums import Channel, Priority

from .conftest import FROZEN, open_ticket, settle, until
from .notices import Notices

SIZE = (120, 40)


def _said_reply(notices: Notices) -> bool:
    """The app has said what became of the reply (its worker's answer is drawn)."""
    return any(m.startswith("Reply") for m in notices.messages)


async def test_a_reply_on_a_manual_ticket_is_saved_not_sent_and_the_app_says_so(make_app, demo_db):
    alice = Desk(
        demo_db, resolve_os_technician(demo_db, "alice"), source="test", clock=lambda: FROZEN
    )
    manual = alice.create_ticket(
        subject="Phoned in: scanner offline",
        description="",
        priority=Priority.MEDIUM,
        channel=Channel.MANUAL,
        contact_email="sam@acme.example",
    )
    app = make_app()
    notices = Notices(app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_ticket(app, pilot, manual.number)
        await pilot.press("r")
        await settle(app, pilot)
        title = str(app.screen.query_one("#composer-title", Label).render())
        assert "not sent: manual ticket" in title
        await pilot.press(*"Called back")
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: _said_reply(notices))
        said = notices.messages
        assert any(m.startswith("Reply saved: not sent (manual ticket") for m in said), said
        assert not any(m.startswith("Reply sent") for m in said)
        bodies = [m.body for m in queries.ticket_detail(demo_db, manual.number).thread]
        assert "Called back" in bodies


async def test_a_reply_on_an_sms_ticket_without_sms_set_up_says_it_is_queued(make_app, demo_db):
    sms_ticket = 1010  # the demo's SMS ticket; the demo desk has no Twilio settings
    assert queries.get_ticket(demo_db, sms_ticket).channel == Channel.SMS
    app = make_app()
    notices = Notices(app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_ticket(app, pilot, sms_ticket)
        await pilot.press("r", *"On it", "ctrl+s")
        await until(app, pilot, lambda: _said_reply(notices))
        said = notices.messages
        assert any(m.startswith("Reply queued: SMS is not set up") for m in said), said
        assert not any(m.startswith("Reply sent") for m in said)
