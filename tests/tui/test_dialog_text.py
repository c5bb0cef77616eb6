"""A dialog's text is all on screen at 80 and 120 columns: long titles and notes wrap
inside the dialog ("or type any ticke" was cut at its edge)."""

from __future__ import annotations

import pytest
from textual.containers import Vertical
from textual.widgets import Label

from regentra_tui.screens.choice_prompt import ChoicePrompt
from regentra_tui.screens.confirm_dialog import ConfirmDialog

from .conftest import burst, open_ticket, settle


def dialog_text(app) -> str:
    """What the dialog in front shows, read off the screen inside its frame, its
    lines joined and its spacing collapsed."""
    frame = app.screen.query_one(Vertical).region
    strips = app.screen._compositor.render_strips()
    rows = []
    for y in range(frame.y, frame.bottom):
        line = "".join(segment.text for segment in strips[y])
        rows.append(line[frame.x : frame.right].strip(" █▌▐▊▎▍▏▕"))
    return " ".join(" ".join(rows).split())


def _whole(text: str) -> str:
    return " ".join(str(text).split())


@pytest.mark.parametrize("width", [80, 120])
async def test_the_link_pickers_title_and_note_are_whole_on_screen(make_app, width):
    app = make_app()
    async with app.run_test(size=(width, 40)) as pilot:
        await open_ticket(app, pilot, 1010)
        await burst(app, pilot, "L")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoicePrompt)
        shown = dialog_text(app)
        title, note = (_whole(label.render()) for label in app.screen.query(Label)[:2])
        assert "or type any ticket number" in note
        assert title.endswith("…") or "Nobody at Globex" in title
        assert title in shown
        assert note in shown


@pytest.mark.parametrize("width", [80, 120])
async def test_a_long_confirm_question_is_whole_on_screen(make_app, width):
    app = make_app()
    question = (
        "Remove time entry 12345 from #1007 Backup job failed on FILESRV01, "
        "logged by alice on the 25th of November for the nightly check?"
    )
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(app, pilot)
        app.push_screen(ConfirmDialog(question, "The ticket's history keeps what it said."))
        await settle(app, pilot)
        shown = dialog_text(app)
        assert question in shown
        assert "The ticket's history keeps what it said." in shown
