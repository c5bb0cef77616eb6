"""What a search found belongs to the widget that asked, stored on the UI thread.

The session used to keep the last search's snippets and note in fields every
loading thread wrote and the list read while drawing: a board load (it resolves
the same search box) or any later search in another thread replaced the list's
snippets under it, and the next redraw showed another search's matches, or none.
"""

from __future__ import annotations

import asyncio

from regentra_core import Status, TicketFilter

from .conftest import FROZEN, burst, settle, until


def _snippet_lines(table) -> list[str]:
    """The match shown under each row's subject (a searching row is two lines)."""
    lines = []
    for n in range(table.row_count):
        for cell in table.get_row_at(n):
            text = str(cell)
            if "\n" in text:
                lines.append(text.split("\n", 1)[1])
    return lines


async def test_a_search_in_another_thread_leaves_the_lists_snippets_alone(demo_db, tmp_path):
    from regentra_core.desk import resolve_os_technician
    from regentra_core.search import SearchIndex
    from regentra_tui.app import RegentraApp
    from regentra_tui.session import DeskSession
    from regentra_tui.widgets.ticket_table import TicketTable

    index = SearchIndex(tmp_path / "demo.index", demo_db)
    index.rebuild()
    session = DeskSession(demo_db, resolve_os_technician(demo_db, "alice"), lambda: FROZEN, index)
    app = RegentraApp(session, poll_seconds=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, "2", "slash", *"printer")
        table = app.screen.query_one(TicketTable)
        assert await until(app, pilot, lambda: bool(_snippet_lines(table)))
        shown = _snippet_lines(table)

        # Another search, in a thread, as the board's loader runs one.
        await asyncio.to_thread(session.board, TicketFilter(text="zzqxnothing"), [Status.OPEN])
        await pilot.resize_terminal(140, 40)  # past 128 columns: every row drawn again
        await settle(app, pilot)
        assert await until(app, pilot, lambda: table.size.width > 128)
        assert _snippet_lines(table) == shown
    index.close()
