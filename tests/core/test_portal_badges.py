"""The portal draws a ticket's status as the app does: Resolved and Closed muted,
the statuses still being worked on solid, in the list and on the ticket's page."""

from __future__ import annotations

import re

from regentra_core.enums import Status

from .test_portal import _sign_in, tickets, web, wiring  # noqa: F401 (fixtures)


def _badge(html: str, number: int) -> str:
    """The classes of the status badge in ``number``'s row of the list."""
    row = re.search(rf'<tr[^>]*>\s*<td><a href="/tickets/{number}">.*?</tr>', html, re.S)
    assert row, html
    found = re.search(r'<span class="(badge[^"]*)">(Open|Resolved)</span>', row.group(0))
    assert found, row.group(0)
    return found.group(1)


def test_the_portal_mutes_a_resolved_ticket_and_not_an_open_one(
    web, db, smtp, clock, tickets, desk, new_ticket  # noqa: F811 (fixtures)
):
    still_open = new_ticket(subject="Sam's monitor", contact_email="sam@acme.example").number
    done = tickets["sam"]
    desk.change_status(done, Status.RESOLVED)
    _sign_in(web, db, smtp, clock, "sam@acme.example")
    listing = web.get("/tickets").text
    assert _badge(listing, done) == "badge status done"
    assert _badge(listing, still_open) == "badge status"
    assert re.search(rf'<tr class="done">\s*<td><a href="/tickets/{done}">', listing)
    page = web.get(f"/tickets/{done}").text
    assert '<span class="badge status done">Resolved</span>' in page
    page = web.get(f"/tickets/{still_open}").text
    assert '<span class="badge status">Open</span>' in page
