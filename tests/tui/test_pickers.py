"""Pickers rank what was typed: a name's start first, then word starts, then the
rest; and they say what Enter will pick."""

from __future__ import annotations

from textual.widgets import OptionList

from regentra_core import queries
from regentra_core.enums import Status
from regentra_tui.choice_rank import Match, match, rank
from regentra_tui.screens.choice_prompt import ChoicePrompt

from .conftest import burst, open_ticket, settle

STATUSES = [(s.label, s.value) for s in Status]


def test_the_start_of_a_name_beats_a_match_inside_another():
    assert rank("Res", [("In Progress", "p"), ("Resolved", "r")]) == [
        ("Resolved", "r"),
        ("In Progress", "p"),
    ]


def test_word_starts_come_before_matches_inside_words():
    choices = [("Aspro Ltd", "a"), ("In Progress", "p"), ("Progress Bank", "b")]
    assert [v for _, v in rank("pro", choices)] == ["b", "p", "a"]
    assert match("pro", "In Progress") == Match.WORD_START
    assert match("pro", "Aspro Ltd") == Match.SUBSTRING


def test_every_typed_word_must_match_and_the_order_within_a_rank_is_kept():
    choices = [("bob", "bob"), ("Bosch Ltd", "bosch"), ("carol", "carol")]
    assert rank("bo", choices) == [("bob", "bob"), ("Bosch Ltd", "bosch")]
    assert rank("bo ltd", choices) == [("Bosch Ltd", "bosch")]
    assert rank("", choices) == choices
    assert rank("zz", choices) == []


def test_a_ticket_number_matches_from_its_start_after_the_hash():
    choices = [("#1101  Printer 1012", "1101"), ("#1012  Front desk", "1012")]
    assert rank("1012", choices)[0] == ("#1012  Front desk", "1012")
    assert match("#10", "#1012  Front desk") == Match.PREFIX


async def test_s_res_enter_resolves_and_the_picker_said_so(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_ticket(app, pilot, 1007)
        await burst(app, pilot, "s", *"Res")
        prompt = app.screen
        assert isinstance(prompt, ChoicePrompt)
        assert prompt.enter_picks() == "Resolved"
        options = prompt.query_one(OptionList)
        assert str(options.get_option_at_index(options.highlighted or 0).prompt).strip() == (
            "Resolved"
        )
        shown = str(prompt.query_one("#choice-pick").render())
        assert "Resolved" in shown
        await burst(app, pilot, "enter", "ctrl+s")  # no resolution note
        await settle(app, pilot)
        assert queries.get_ticket(demo_db, 1007).status == Status.RESOLVED
