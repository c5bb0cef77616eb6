"""The stand-up: muted Resolved and Closed everywhere, the board in SLA order, an
80x24 layout made on purpose, the cursor following a moved card, the footer and the
command palette at 80x24."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.command import CommandPalette
from textual.widgets import Input, OptionList, Static

from regentra_core.enums import Priority, Status
from regentra_core.sla import Badge
from regentra_tui.screens.choice_prompt import ChoicePrompt
from regentra_tui.widgets.board import Board
from regentra_tui.widgets.filter_bar import FilterBar
from regentra_tui.widgets.key_footer import KeyFooter
from regentra_tui.widgets.preview import render_preview
from regentra_tui.widgets.status_line import StatusLine
from regentra_tui.widgets.ticket_table import TicketTable

from .conftest import open_ticket, settle, show_list, until
from .test_pilot import choose, column, focus_card

SMALL = (80, 24)
RESOLVED = 1015
"""A Resolved ticket of the demo desk."""


def _style_of(text: Text, word: str) -> Style:
    """The style ``word`` is drawn with in ``text`` (its base style and spans)."""
    start = text.plain.index(word)
    return text.get_style_at_offset(_console(), start)


def _console():
    from rich.console import Console

    return Console()


def _muted(style: Style) -> bool:
    return bool(style.dim) and not style.reverse


# -- muted Resolved and Closed ---------------------------------------------------


async def test_the_detail_header_mutes_a_resolved_status(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_ticket(app, pilot, RESOLVED)
        header = app.screen.query_one("#header", Static).content
        assert isinstance(header, Text)
        assert _muted(_style_of(header, "Resolved"))


async def test_the_detail_header_keeps_an_open_status_solid(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_ticket(app, pilot, 1010)
        header = app.screen.query_one("#header", Static).content
        style = _style_of(header, "In Progress")
        assert style.reverse and not style.dim


async def test_the_preview_mutes_a_resolved_status(make_app):
    app = make_app()
    preview = render_preview(app.session.detail(RESOLVED))
    assert _muted(_style_of(preview, "Resolved"))


async def test_the_linked_panel_mutes_a_done_child_with_its_subject(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_ticket(app, pilot, 1010)
        links = app.screen.query_one("#links", Static).content
        done = next(c for c in app.session.detail(1010).children if c.status.is_done)
        line = next(x for x in links.split("\n") if f"#{done.number}" in x.plain)
        subject_start = line.plain.index(done.subject[:10])
        assert line.get_style_at_offset(_console(), subject_start).dim


# -- SLA order on the board ------------------------------------------------------


async def test_the_board_shows_the_most_urgent_sla_first_by_default(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        col = column(app, Status.OPEN)
        rows = [col.row_at(i) for i in range(col.total)]
        severities = [r.sla.badge.severity for r in rows]
        assert rows[0].sla.badge == Badge.BREACHED
        assert severities == sorted(severities, reverse=True)  # Breached, At Risk, On Track
        assert "most urgent SLA first" in str(app.screen.query_one(StatusLine).shown)


async def test_o_puts_the_board_in_priority_order_and_back(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        col = column(app, Status.OPEN)
        ranks = [list(Priority).index(col.row_at(i).priority) for i in range(col.total)]
        assert ranks == sorted(ranks, reverse=True)
        assert "highest priority first" in str(app.screen.query_one(StatusLine).shown)
        await pilot.press("o")
        await settle(app, pilot)
        assert column(app, Status.OPEN).row_at(0).sla.badge == Badge.BREACHED


async def test_the_palette_switches_the_board_order(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*"board order")
        await _until(pilot, lambda: "Board order" in " ".join(_prompts(app.screen)[:1]))
        await pilot.press("enter")
        await settle(app, pilot)
        assert "highest priority first" in str(app.screen.query_one(StatusLine).shown)


async def test_sla_order_puts_at_risk_before_on_track_with_less_time_left(make_app):
    # #1014 is At Risk with 45 minutes left, #1018 On Track with 35: a stand-up
    # reads the badge first.
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await show_list(app, pilot)
        numbers = [r.number for r in app.screen.query_one(TicketTable).page_rows]
        assert numbers.index(1014) < numbers.index(1018)


# -- 80x24 on purpose --------------------------------------------------------------


def _card_text(col, index: int) -> list[str]:
    """The lines of card ``index`` as drawn on screen."""
    top = index * 5 - col.scroll_offset.y
    return [col.render_line(top + line).text.rstrip() for line in range(4)]


async def test_a_card_at_80x24_shows_the_whole_priority_the_sla_and_initials(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        col = column(app, Status.IN_PROGRESS)
        index = next(i for i in range(col.total) if col.row_at(i).number == 1010)
        head, sla, subject, who = _card_text(col, index)
        assert head.startswith("#1010 CRIT") and "…" not in head
        assert sla.startswith("Late ")
        assert subject.startswith("Nobody")
        assert who.startswith("AL ")  # alice, then the client


async def test_the_list_at_80_columns_shows_client_and_assignee(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await show_list(app, pilot)
        table = app.screen.query_one(TicketTable)
        keys = [c.key.value for c in table.columns.values()]
        assert "client" in keys and "assignee" in keys
        # Every column on screen: none of them past the right edge.
        used = sum(c.get_render_width(table) for c in table.columns.values())
        assert used <= table.scrollable_content_region.width
        first = table.get_row_at(0)
        assert any(cell.plain == "CA" for cell in first)  # carol's initials


async def test_the_date_boxes_and_their_placeholders_fit_at_120_columns(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        bar = app.screen.query_one(FilterBar)
        for box in ("#f-since", "#f-until"):
            field = bar.query_one(box, Input)
            assert field.region.right <= 120
            assert len(field.placeholder) <= field.content_region.width


# -- the cursor follows the card -------------------------------------------------


async def test_after_m_the_cursor_follows_the_card(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await focus_card(app, pilot, Status.OPEN, 1021)
        await pilot.press("m")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoicePrompt)
        await choose(app, pilot, "In Progress")
        board = app.screen.query_one(Board)
        # The board's reload is a worker's message: it can land after settle returns.
        await until(
            app,
            pilot,
            lambda: (
                board.current.status == Status.IN_PROGRESS
                and board.selected is not None
                and board.selected.number == 1021
            ),
        )
        assert board.current.status == Status.IN_PROGRESS
        assert board.selected is not None and board.selected.number == 1021


# -- footer and palette at 80x24 -------------------------------------------------


async def test_the_footers_palette_key_reaches_the_right_edge(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        footer = app.screen.query_one(KeyFooter)
        assert len(footer.text) == 80 and footer.text.endswith("▏^p palette")


async def test_the_palette_lists_the_apps_commands_before_textuals(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        await _until(pilot, lambda: any("Theme" in p for p in _prompts(palette)))
        prompts = _prompts(palette)
        titles = [p.splitlines()[0] for p in prompts]
        assert titles[0] == "New ticket"
        assert titles.index("Theme") > titles.index("Reports")


def _prompts(palette) -> list[str]:
    options = palette.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def _until(pilot, condition, timeout: float = 5.0) -> None:
    """Wait for the palette's own worker (its search) to show what is looked for."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the palette never showed it")
