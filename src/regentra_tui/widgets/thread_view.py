"""A ticket's conversation drawn virtually: only the lines on screen are made.

A widget per reply cost layout and CSS for every one of them: a ticket with 500
replies took 1.3 s to open, and its newest reply (what a technician opens it to
read) showed last. Here the entries are wrapped once per width (``line_wrap``: only
the lines that do not fit go through Rich's wrap) into one list of lines, and ``render_line``
styles just the rows in view, as Textual's own ``Log`` does. A coloured bar on the
left says whose words they are; private notes keep their tinted background.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from regentra_core import AttachmentRow, human_size, one_line

from ..line_wrap import wrapped_lines

BAR = "▌"
EARLIER_CHUNK = 50
"""Entries wrapped at a time once the newest are shown (~25 ms of Rich's wrap)."""
EARLIER_REST = 0.01
"""Seconds between those chunks: the terminal gets the frame, keys get handled."""
KINDS = ("technician", "customer", "note", "system")


@dataclass(frozen=True, slots=True)
class Entry:
    """One description, reply, note or resolution, and who it is from."""

    text: Text
    kind: str = "technician"
    """One of ``KINDS``: the bar's colour (and a note's background)."""


def files_text(files: Sequence[AttachmentRow]) -> Text:
    """The lines a message's files add under it: name, type and size each (the
    attachment screen, ``f``, opens and saves them). Names are the sender's:
    shown literally, on one line."""
    text = Text()
    for file in files:
        text.append("\n")
        text.append("Attachment ", style="bold")
        text.append(one_line(file.filename, 60))
        kept = "" if file.path else ", not kept: over the limit"
        text.append(f"  {one_line(file.content_type, 40)} · {human_size(file.size)}{kept}", "dim")
    return text


class ThreadView(ScrollView, can_focus=True):
    """The conversation, newest at the bottom, opened at the bottom.

    It binds no keys of its own (it scrolls as a ``ScrollView`` does) and has no
    reactives.
    """

    COMPONENT_CLASSES = {f"thread-view--{kind}" for kind in KINDS} | {"thread-view--note-body"}

    DEFAULT_CSS = """
    ThreadView { height: 1fr; scrollbar-gutter: stable; scrollbar-size-vertical: 1; }
    ThreadView > .thread-view--technician { color: $primary; }
    ThreadView > .thread-view--customer { color: $secondary; }
    ThreadView > .thread-view--note { color: $warning; }
    ThreadView > .thread-view--note-body { background: $warning 10%; }
    ThreadView > .thread-view--system { color: $panel-lighten-2; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._entries: list[Entry] = []
        self._lines: list[tuple[int, Text | None]] = []
        """(entry index, wrapped line) per row; ``None`` is the gap after an entry."""
        self._width = 0
        self._follow_end = True
        self._wrapping = 0
        """Counts wraps: the part of one left for after its first frame is dropped
        if another wrap came first."""

    @property
    def entries(self) -> list[Entry]:
        return list(self._entries)

    @property
    def plain(self) -> str:
        """Every entry's text (what a test or a screen reader would read)."""
        return "\n\n".join(entry.text.plain for entry in self._entries)

    def show(self, entries: list[Entry], *, keep_scroll: bool = False) -> None:
        """Replace the conversation; at its end unless ``keep_scroll``.

        Opened at its end, the newest entries are wrapped first, enough to fill the
        view twice, and drawn; the earlier ones are wrapped after that frame (a
        technician opens a ticket to read its newest reply: with 500 replies their
        wrap was most of the time to open it). With ``keep_scroll`` every entry is
        wrapped at once, so the rows in view stay where they were."""
        self._entries = list(entries)
        self._follow_end = not keep_scroll
        self._wrap(force=True, newest_first=not keep_scroll)

    def _entry_lines(self, first: int, last: int, text_width: int) -> list[tuple[int, Text | None]]:
        console = self.app.console
        lines: list[tuple[int, Text | None]] = []
        for index in range(first, last):
            for line in wrapped_lines(self._entries[index].text, console, text_width):
                lines.append((index, line))
            lines.append((index, None))
        return lines

    def _wrap(self, *, force: bool = False, newest_first: bool = False) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or (width == self._width and not force):
            return
        self._width = width
        self._wrapping += 1  # an earlier wrap's pending part is stale now
        text_width = max(1, width - 3)  # the bar, a space each side
        first = 0
        if newest_first and self.size.height > 0:
            first = len(self._entries)
            lines: list[tuple[int, Text | None]] = []
            while first > 0 and len(lines) < 2 * self.size.height:
                first -= 1
                lines[:0] = self._entry_lines(first, first + 1, text_width)
        else:
            lines = self._entry_lines(0, len(self._entries), text_width)
        self._set_lines(lines)
        if first > 0:
            self.call_after_refresh(self._wrap_earlier, first, text_width, self._wrapping)

    def _wrap_earlier(self, upto: int, text_width: int, wrapping: int) -> None:
        """Up to ``EARLIER_CHUNK`` entries before ``upto``, above the ones drawn (the
        rows in view stay), then the next chunk after a short rest: the frame with
        the newest reply is written to the terminal meanwhile, and keys typed are
        handled between chunks."""
        if wrapping != self._wrapping:
            return  # shown again or resized since: that wrap has them
        first = max(0, upto - EARLIER_CHUNK)
        earlier = self._entry_lines(first, upto, text_width)
        y = self.scroll_offset.y
        self._set_lines(earlier + self._lines, keep_y=y + len(earlier))
        if first > 0:
            self.set_timer(EARLIER_REST, lambda: self._wrap_earlier(first, text_width, wrapping))

    def _set_lines(self, lines: list[tuple[int, Text | None]], keep_y: int | None = None) -> None:
        self._lines = lines
        self.virtual_size = Size(self._width, len(lines))
        if self._follow_end:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        elif keep_y is not None:
            self.scroll_to(y=keep_y, animate=False, immediate=True)
        self.refresh()

    @property
    def complete(self) -> bool:
        """Every entry is wrapped (the earlier ones follow the newest by a frame)."""
        return not self._lines or self._lines[0][0] == 0

    def on_resize(self) -> None:
        self._wrap()
        if self._follow_end:  # the height is known now: the end is where it belongs
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        # Scrolling up lets go of the end; reaching it again follows new replies.
        self._follow_end = round(new) >= self.max_scroll_y

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = round(self.scroll_offset.y) + y
        if row >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        index, line = self._lines[row]
        if line is None:
            return Strip.blank(width, self.rich_style)
        kind = self._entries[index].kind
        base = self.rich_style
        if kind == "note":
            base = base + self.get_component_rich_style("thread-view--note-body")
        bar = Style(color=self.get_component_rich_style(f"thread-view--{kind}").color)
        segments = [Segment(BAR, base + bar), Segment(" ", base)]
        segments += Segment.apply_style(line.render(self.app.console), base)
        strip = Strip(segments).extend_cell_length(width, base).crop(0, width)
        return strip.simplify()

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines)


__all__ = ["BAR", "KINDS", "Entry", "ThreadView", "files_text"]
