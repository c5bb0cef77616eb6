"""The app's thread view folds an Outlook reply as it folds Gmail's and Thunderbird's:
the header block with no separator line, the history below it and the legal
disclaimer above it, behind ``e``. (The rules are tested in
tests/core/test_outlook_folding.py; this is the app showing them.)"""

from __future__ import annotations

from regentra_core import queries
from regentra_tui.widgets.thread_view import ThreadView

from .conftest import open_ticket, settle

SIZE = (120, 40)

OUTLOOK_REPLY = """The label printer in dispatch still prints blank labels.

Regards,
Tom Becker

This email and any attachments to it are confidential and are intended solely for
the use of the individual to whom it is addressed.

From: Help Desk <help@desk.example>
Sent: Tuesday, November 24, 2026 10:02 AM
To: Tom Becker <tom@northwind.example>
Subject: RE: Label printer [#1007]

Please reinstall the driver. SECRET-OLD-LINE"""


async def test_an_outlook_reply_is_folded_in_the_thread_and_e_unfolds_it(make_app, demo_db):
    from regentra_core.desk import Desk, resolve_os_technician

    Desk(demo_db, resolve_os_technician(demo_db, "alice"), source="email").add_customer_reply(
        1007, OUTLOOK_REPLY
    )

    def thread_text(app) -> str:
        return app.screen.query_one(ThreadView).plain

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, 1007)
        assert "still prints blank labels" in thread_text(app) and "Tom Becker" in thread_text(app)
        assert "SECRET-OLD-LINE" not in thread_text(app)
        assert "are confidential" not in thread_text(app)
        assert "disclaimer and quoted history, 9 lines folded (e shows)" in thread_text(app)
        await pilot.press("e")
        await settle(app, pilot)
        assert "SECRET-OLD-LINE" in thread_text(app) and "are confidential" in thread_text(app)
    assert queries.ticket_detail(demo_db, 1007).thread[-1].body == OUTLOOK_REPLY
