"""``ticket list`` on a terminal mutes Resolved and Closed rows, as the app does."""

from __future__ import annotations

import io

from rich.console import Console

from regentra_core import queries
from regentra_core.enums import Status
from regentra_core.store import Database
from regentra_tui.cli.ticket_print import ticket_table as _ticket_table

from .test_ticket_commands import _create


def _drawn(rows, width: int = 120) -> str:
    out = Console(width=width, record=True, file=io.StringIO(), force_terminal=True)
    out.print(_ticket_table(rows, width))
    return out.export_text(styles=True)


def test_ticket_list_mutes_a_resolved_ticket_and_not_an_open_one(regentra):
    _create(regentra, subject="Printer jams on tray two")
    done = _create(regentra, subject="Mailbox full again")
    regentra("ticket", "status", str(done["number"]), "resolved")
    db = Database(regentra.db_path)
    try:
        rows = queries.list_tickets(db)
        assert {r.status for r in rows} == {Status.OPEN, Status.RESOLVED}
        lines = {line for line in _drawn(rows).splitlines() if "#" not in line[:2]}
        resolved = next(line for line in lines if "Mailbox full again" in line)
        still_open = next(line for line in lines if "Printer jams" in line)
        dim = "\x1b[2m"
        assert resolved.startswith(dim)  # the whole row, from its number on
        assert dim not in still_open.split("Printer")[0]
    finally:
        db.close()
