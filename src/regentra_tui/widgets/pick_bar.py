"""The checklist of a filter picker, as one line in place of the status line:
``Show priorities… [x] Critical  [ ] High  [ ] Normal  [ ] Low``.

Space ticks the choice under the cursor, the arrows (or ``h`` / ``l``) move it,
a letter moves it to the next choice that starts with it, Enter applies, Escape
leaves the filter as it was; nothing is drawn over the board while it is open.
While it is open no other key acts: ``q``, ``u`` or ``b`` typed into it must not
quit or change another filter behind it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.binding import Binding

from .inline_bar import InlineBar

if TYPE_CHECKING:
    from .multi_pick import MultiPick

HINT = "space ticks · enter applies · esc · none ticked: any"


class PickBar(InlineBar, can_focus=True):
    """Ticks the values of one :class:`MultiPick` and hands them back to it.

    | Key(s) | Description |
    | :- | :- |
    | escape | Cancel |
    | enter | Apply |
    | space | Tick |
    | left, h, up, k | Previous choice |
    | right, l, down, j | Next choice |
    | ctrl+a | All |
    | ctrl+n | None |

    Any other letter moves the cursor to the next choice that starts with it.

    It has no reactives.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="pickbar.cancel"),
        Binding("enter", "apply", "Apply", id="pickbar.apply"),
        Binding("space", "tick", "Tick", id="pickbar.tick"),
        Binding("left,h,up,k", "cursor(-1)", "Previous", show=False),
        Binding("right,l,down,j", "cursor(1)", "Next", show=False),
        Binding("ctrl+a", "all(True)", "All", id="pickbar.all"),
        Binding("ctrl+n", "all(False)", "None", id="pickbar.none"),
    ]

    DEFAULT_CSS = """
    PickBar { padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pick: MultiPick | None = None
        self.ticked: set[str] = set()
        self.cursor = 0

    def open(self, pick: MultiPick) -> None:
        """Show ``pick``'s choices, its current values ticked, the cursor on the first."""
        self.pick = pick
        self.ticked = set(pick.values)
        self.cursor = 0
        self.show_bar(self)
        self.refresh()

    @property
    def choices(self) -> list[tuple[str, str]]:
        return self.pick.choices if self.pick is not None else []

    def chosen(self) -> tuple[str, ...]:
        """The ticked values, in the choices' order."""
        return tuple(v for _, v in self.choices if v in self.ticked)

    def render(self) -> Text:
        title = self.pick.title if self.pick is not None else ""
        items = [
            Text.assemble(
                ("[x] " if value in self.ticked else "[ ] "),
                (label, "reverse" if i == self.cursor else ""),
            )
            for i, (label, value) in enumerate(self.choices)
        ]
        # Narrow terminal: the choices from the cursor's on stay in view, the first
        # ones give way (the title always shows what is being picked).
        room = self.size.width - len(title) - 2 if self.size.width else 10_000
        first = 0
        while first < self.cursor and sum(t.cell_len + 2 for t in items[first:]) > room:
            first += 1
        out = Text.assemble((title, "bold"), " ", ("… " if first else ""))
        out.append_text(Text("  ").join(items[first:]))
        out.append(f"  {HINT}", style="dim")
        out.no_wrap = True
        out.overflow = "ellipsis"
        return out

    @staticmethod
    def keeps(event: events.Key) -> bool:
        """Whether the bar takes ``event`` for itself: a printable key it does not bind
        (the key router hands it here instead of to the screen's bindings)."""
        return event.is_printable and event.character is not None and event.key not in _OWN_KEYS

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Textual's question for the footer: the letters the bar keeps are not shown
        there as the screen's keys (behind the bar ``q`` picks a choice, it does not
        quit)."""
        return character is not None and character.isprintable() and key not in _OWN_KEYS

    def on_key(self, event: events.Key) -> None:
        """A printable key the bar does not bind moves the cursor by its first letter
        and goes no further (the screen's and the app's keys stay behind the bar)."""
        if not self.keeps(event) or event.character is None:
            return
        event.stop()
        event.prevent_default()
        letter = event.character.casefold()
        count = len(self.choices)
        for step in range(1, count + 1):
            index = (self.cursor + step) % count
            if self.choices[index][0].casefold().startswith(letter):
                self.cursor = index
                self.refresh()
                return

    def action_cursor(self, delta: int) -> None:
        if self.choices:
            self.cursor = (self.cursor + delta) % len(self.choices)
            self.refresh()

    def action_tick(self) -> None:
        if self.choices:
            value = self.choices[self.cursor][1]
            self.ticked ^= {value}
            self.refresh()

    def action_all(self, on: bool) -> None:
        self.ticked = {v for _, v in self.choices} if on else set()
        self.refresh()

    def action_apply(self) -> None:
        pick, values = self.pick, self.chosen()
        self.hide_bar()
        if pick is not None and values != pick.values:
            pick.set_values(values)

    def action_cancel(self) -> None:
        self.hide_bar()


_OWN_KEYS = frozenset(
    key.strip()
    for binding in PickBar.BINDINGS
    if isinstance(binding, Binding)
    for key in binding.key.split(",")
)
"""The keys the bar binds itself: they go on to its bindings."""
