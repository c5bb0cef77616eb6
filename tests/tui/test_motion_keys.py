"""The same motion keys in every list: j/k, g/G (and home/end, pgup/pgdn).

``j``/``k`` did nothing in the AI reviews, knowledge base and automations lists,
and ``g``/``G`` worked on the board but not in the ticket list.
"""

from __future__ import annotations

from textual.widgets import DataTable

from regentra_tui.widgets.ticket_table import TicketTable

from .conftest import burst, settle, show_list

SIZE = (120, 40)


async def _walk(app, pilot, opener: str) -> None:
    """Open a list screen, then j j k, G, k, g: the cursor goes where each says."""
    await settle(app, pilot)
    await burst(app, pilot, opener)
    table = app.screen.query_one(DataTable)
    assert table.row_count >= 3, "the demo desk has a few rows in this list"
    assert table.cursor_row == 0
    await burst(app, pilot, "j", "j", "k")
    assert table.cursor_row == 1
    await burst(app, pilot, "G")
    assert table.cursor_row == table.row_count - 1
    await burst(app, pilot, "k")
    assert table.cursor_row == table.row_count - 2
    await burst(app, pilot, "g")
    assert table.cursor_row == 0
    await burst(app, pilot, "end", "home", "j")
    assert table.cursor_row == 1


async def test_motion_keys_in_the_automations_list(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _walk(app, pilot, "W")


async def test_motion_keys_in_the_knowledge_base_list(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _walk(app, pilot, "K")


async def test_motion_keys_in_the_ai_reviews_list(make_app, demo_db):
    from regentra_core.ai.assistant import Assistant
    from regentra_core.config import Settings
    from regentra_core.desk import Desk, resolve_os_technician

    desk = Desk(demo_db, resolve_os_technician(demo_db, "alice"), source="test")
    assistant = Assistant(demo_db, Settings())
    for number in (1003, 1006, 1009):
        assistant.analyze_ticket(desk, number)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _walk(app, pilot, "R")


async def test_g_and_shift_g_go_to_the_first_and_last_ticket_of_the_list(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show_list(app, pilot)
        table = app.screen.query_one(TicketTable)
        total = table.page_total
        assert total >= 3
        await burst(app, pilot, "G")
        assert table.cursor_row == total - 1
        await burst(app, pilot, "g", "j")
        assert table.cursor_row == 1
        await burst(app, pilot, "end", "k")
        assert table.cursor_row == total - 2
