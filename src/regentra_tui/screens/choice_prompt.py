"""Pick one of a list of choices (a status, a priority, a technician, a ticket).

Typing filters the list (``bo`` leaves "bob" and "Bosch Ltd"), best match first
(:mod:`..choice_rank`: ``Res`` is Resolved, not In Progress), and a line under it
says what Enter will pick; arrows move, Enter picks, Escape cancels. The current
value stays in the list, marked, so a picker never looks as if the assignee had
vanished; picking it changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ..choice_rank import rank
from ..render import styled
from .type_ahead import TypeAhead


class ChoicePrompt(TypeAhead, ModalScreen[str | None]):
    """Choices as (label, value); dismisses with the value, or None."""

    FIRST_FIELD = "#choice-filter"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="choice.cancel"),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("up", "cursor(-1)", "Up", show=False),
    ]

    DEFAULT_CSS = """
    ChoicePrompt { align: center middle; }
    ChoicePrompt > Vertical {
        width: 56; height: auto; max-height: 80%;
        border: thick $accent; background: $surface; padding: 1 2;
    }
    ChoicePrompt OptionList { height: auto; max-height: 20; }
    ChoicePrompt Input { margin: 1 0 0 0; }
    ChoicePrompt #choice-empty, ChoicePrompt #choice-note { color: $text-muted; }
    ChoicePrompt #choice-pick { color: $accent; }
    ChoicePrompt .-blank { display: none; }
    ChoicePrompt Label { width: 100%; }  /* a long title or note wraps, never cut */
    """

    def __init__(
        self,
        title: str,
        choices: list[tuple[str, str]],
        note: str = "",
        *,
        current: str | None = None,
        typed: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.note = note
        self.current = current
        """The value the ticket has now: listed and marked; picking it is no change."""
        self.typed = typed
        """Turns what was typed into a value when nothing listed matches (a ticket
        number that is not among those offered)."""
        self._shown = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(styled(self.title_text, "bold"))
            yield Label(
                styled(self.note, "dim"), id="choice-note", classes="" if self.note else "-blank"
            )
            yield Input(placeholder="type to filter", id="choice-filter", compact=True)
            yield OptionList(*self._options(self.choices))
            yield Label("", id="choice-empty", classes="-blank")
            yield Label("", id="choice-pick", classes="-blank")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = self._first_other(self.choices)
        self._show_pick()
        self.focus_first_field()

    def _options(self, choices: list[tuple[str, str]]) -> list[Option]:
        return [Option(self._label(label, value), id=value) for label, value in choices]

    def _label(self, label: str, value: str) -> Text:
        if value == self.current:
            return Text.assemble("● ", (label, "bold"), ("  (current)", "dim"))
        return Text.assemble("  ", label)

    def _first_other(self, choices: list[tuple[str, str]]) -> int | None:
        """Start on the first choice that would change something."""
        if not choices:
            return None
        return next((i for i, (_, v) in enumerate(choices) if v != self.current), 0)

    def set_choices(self, choices: list[tuple[str, str]], note: str = "") -> None:
        """Fill in choices that were still loading when the prompt opened (keys typed
        meanwhile are in the filter already and apply to them)."""
        self.choices = choices
        if note:
            label = self.query_one("#choice-note", Label)
            label.update(styled(note, "dim"))
            label.remove_class("-blank")
        self._filter(self.query_one(Input).value)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._filter(event.value)

    def _filter(self, typed: str) -> None:
        self._shown = rank(typed, self.choices)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._options(self._shown))
        # What was typed names the best match, even the current value (picking it
        # is no change); with nothing typed, start on the first that changes something.
        options.highlighted = (
            (0 if self._shown else None) if typed.strip() else self._first_other(self._shown)
        )
        empty = ""
        if not self._shown and typed.strip():
            empty = f"nothing listed matches {typed.strip()!r}"
            if self.typed is not None and self.typed(typed) is not None:
                empty += ": Enter takes it as typed"
        self.query_one("#choice-empty", Label).update(empty)
        self.query_one("#choice-empty", Label).set_class(not empty, "-blank")
        self._show_pick()

    def on_option_list_option_highlighted(self, _: OptionList.OptionHighlighted) -> None:
        self._show_pick()

    def enter_picks(self) -> str | None:
        """The label of the choice Enter takes now (None: nothing listed)."""
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is None or not 0 <= highlighted < len(self._shown):
            return None
        return self._shown[highlighted][0]

    def _show_pick(self) -> None:
        picks = self.enter_picks()
        line = self.query_one("#choice-pick", Label)
        line.update(Text.assemble(("⏎ ", "bold"), picks) if picks else "")
        line.set_class(picks is None, "-blank")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is not None and self._shown:
            self._pick(self._shown[options.highlighted][1])
            return
        value = self.typed(event.value) if self.typed is not None else None
        if value is None:
            self.app.bell()
            return
        self._pick(value)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._pick(event.option.id)

    def _pick(self, value: str) -> None:
        self.dismiss(None if value == self.current else value)

    def action_cursor(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if delta > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
