"""Bulk ``s`` offers only statuses a marked ticket can reach, saying how many each
would move; the unlink, open-linked and spike pickers show subjects and statuses."""

from __future__ import annotations

import re

from textual.widgets import OptionList, Static

from regentra_core import queries
from regentra_core.bulk import bulk_moves
from regentra_core.enums import Status
from regentra_tui.screens.choice_prompt import ChoicePrompt
from regentra_tui.screens.confirm_dialog import ConfirmDialog
from regentra_tui.widgets.board import Board

from .conftest import burst, open_ticket, settle

SIZE = (120, 40)


def _options(screen) -> list[str]:
    options = screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt).strip() for i in range(options.option_count)]


def test_a_bulk_move_offers_what_one_marked_ticket_can_reach_with_how_many():
    offers = {o.target: o.label for o in bulk_moves([Status.RESOLVED, Status.CLOSED])}
    assert offers == {
        Status.IN_PROGRESS: "In Progress (all 2)",
        Status.CLOSED: "Closed (1 of 2)",
    }
    assert bulk_moves([Status.CLOSED, Status.CLOSED])[0].label == "In Progress (all 2)"
    assert bulk_moves([]) == []


async def test_bulk_s_on_the_board_offers_only_reachable_statuses_with_counts(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        board = app.screen.query_one(Board)
        # a card in Resolved, one in Closed: the columns five and six
        await burst(app, pilot, *"llll", "space", "l", "space")
        assert len(board.marked) == 2
        await burst(app, pilot, "s")
        assert isinstance(app.screen, ChoicePrompt)
        assert _options(app.screen) == ["In Progress (all 2)", "Closed (1 of 2)"]


async def test_bulk_s_in_the_list_counts_the_marked_rows_by_their_status(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, "2")
        await burst(app, pilot, "space", "space", "space")
        marked = sorted(app.screen.marked())
        assert len(marked) == 3
        await burst(app, pilot, "s")
        assert isinstance(app.screen, ChoicePrompt)
        statuses = [queries.get_ticket(demo_db, n).status for n in marked]
        expected = [o.label for o in bulk_moves(statuses)]
        assert _options(app.screen) == expected
        assert all(re.search(r"\((all 3|[123] of 3)\)$", label) for label in expected)


async def test_unlink_lists_each_child_with_its_subject_and_status(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, 1010)
        await burst(app, pilot, "U")
        assert isinstance(app.screen, ChoicePrompt)
        options = _options(app.screen)
        assert options[0] == "#1011  Outlook says my password is wrong · Open"
        assert "#1013  Teams logged me out · Resolved" in options


async def test_open_linked_names_the_master_and_the_followed_up_ticket(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, 1011)
        await burst(app, pilot, "o")
        assert isinstance(app.screen, ChoicePrompt)
        [line] = _options(app.screen)
        assert line.startswith("#1010  (master)  Nobody at Globex can sign in")
        assert line.endswith("· In Progress")
        await burst(app, pilot, "escape")
        await open_ticket(app, pilot, 1004)
        await burst(app, pilot, "o")
        [line] = _options(app.screen)
        assert line == "#1002  (follows up)  New starter laptop for Monday · Closed"


async def test_the_spike_question_lists_the_tickets_with_their_subjects(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, 1017)
        await burst(app, pilot, "S")
        assert isinstance(app.screen, ConfirmDialog)
        detail = str(app.screen.query_one("#detail", Static).render())
        listed = [int(n) for n in re.findall(r"^#(\d+)", detail, re.MULTILINE)]
        assert listed
        for number in listed:
            row = queries.get_ticket(demo_db, number)
            assert f"#{number}  {row.subject[:20]}" in detail
            assert f"· {row.status.label}" in detail
