"""A filter control that holds several values: ``Open, In Progress ▼``.

Enter, space or a click opens a checklist (space ticks, Enter applies, Escape
leaves it as it was), so a list can show Open and In Progress together. On a
screen with a :class:`~.pick_bar.PickBar` (the main screen) the checklist is that
one-line bar, the board in full view above it; elsewhere it is a dialog.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Label, SelectionList

from ..render import styled
from .pick_bar import PickBar


class MultiPick(Widget, can_focus=True):
    """Shows the chosen labels (or ``prompt`` when none); posts :class:`Changed`.

    | Key(s) | Description |
    | :- | :- |
    | enter, space | Choose (opens the screen's :class:`PickBar`, else :class:`MultiPickDialog`) |

    It has no reactives.
    """

    BINDINGS = [Binding("enter,space", "pick", "Choose", show=False)]

    DEFAULT_CSS = """
    MultiPick { height: 1; width: 15; margin-right: 1; background: $boost; padding: 0 1; }
    MultiPick:focus { background: $accent 40%; }
    """

    class Changed(Message):
        def __init__(self, pick: MultiPick) -> None:
            super().__init__()
            self.pick = pick

        @property
        def control(self) -> MultiPick:
            return self.pick

    def __init__(
        self,
        choices: list[tuple[str, str]],
        *,
        prompt: str,
        title: str,
        names: dict[tuple[str, ...], str] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.choices = choices
        self.prompt = prompt
        self.title = title
        self.names = names or {}
        """Short names for common sets ("All open" for the four open statuses)."""
        self.values: tuple[str, ...] = ()

    def render(self) -> Text:
        labels = [label for label, value in self.choices if value in self.values]
        text = self.names.get(self.values) or (", ".join(labels) if labels else self.prompt)
        out = Text(text, no_wrap=True, overflow="ellipsis")
        if not labels:
            out.stylize("dim")
        return out

    def set_values(self, values: tuple[str, ...], *, quiet: bool = False) -> None:
        known = {v for _, v in self.choices}
        self.values = tuple(v for _, v in self.choices if v in set(values) & known)
        self.refresh()
        if not quiet:
            self.post_message(self.Changed(self))

    def action_pick(self) -> None:
        bars = self.screen.query(PickBar)
        if bars:
            bars.first().open(self)
            return

        def chosen(values: tuple[str, ...] | None) -> None:
            if values is not None and values != self.values:
                self.set_values(values)

        self.app.push_screen(MultiPickDialog(self.title, self.choices, self.values), chosen)

    def on_click(self) -> None:
        self.action_pick()


class MultiPickDialog(ModalScreen[tuple[str, ...] | None]):
    """The checklist behind a :class:`MultiPick`.

    | Key(s) | Description |
    | :- | :- |
    | escape | Cancel |
    | enter | Apply |
    | ctrl+a | All |
    | ctrl+n | None |
    | space | Tick |

    It has no reactives.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="multipick.cancel"),
        Binding("enter", "apply", "Apply", id="multipick.apply", priority=True),
        Binding("ctrl+a", "all(True)", "All", id="multipick.all"),
        Binding("ctrl+n", "all(False)", "None", id="multipick.none"),
        # The list's own space posts a message and ticks when that is handled; the
        # first one after the dialog opened was lost, and so were ticks typed in a
        # burst with the Enter that applies them. Ticking here is immediate.
        Binding("space", "tick", "Tick", id="multipick.tick", priority=True, show=False),
    ]

    DEFAULT_CSS = """
    MultiPickDialog { align: center middle; }
    MultiPickDialog > Vertical {
        width: 44; height: auto; border: thick $accent; background: $surface; padding: 1 2;
    }
    MultiPickDialog SelectionList { height: auto; max-height: 16; }
    """

    def __init__(
        self, title: str, choices: list[tuple[str, str]], selected: tuple[str, ...]
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.selected = selected

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(styled(self.title_text, "bold"))
            yield Label(styled("space ticks · enter applies · none ticked: any", "dim"))
            yield SelectionList[str](
                *((label, value, value in self.selected) for label, value in self.choices)
            )

    def on_mount(self) -> None:
        self.set_focus(self.query_one(SelectionList))

    def action_apply(self) -> None:
        ticked = set(self.query_one(SelectionList).selected)
        self.dismiss(tuple(v for _, v in self.choices if v in ticked))

    def action_tick(self) -> None:
        options = self.query_one(SelectionList)
        if options.highlighted is not None:
            options.toggle(options.get_option_at_index(options.highlighted).value)

    def action_all(self, on: bool) -> None:
        options = self.query_one(SelectionList)
        options.select_all() if on else options.deselect_all()

    def action_cancel(self) -> None:
        self.dismiss(None)
