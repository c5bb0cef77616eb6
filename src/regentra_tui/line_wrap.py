"""Wrapping a ticket's entries to a width, the way Rich wraps them, but faster.

Rich's ``Text.wrap`` divides every line into words and copies it, even a line that
already fits: opening a ticket with 500 replies spent a third of its time there
(wrapped once at show and again at each width the layout tried). Most lines of an
email fit the thread's width, so only the lines that do not are handed to Rich;
the rest are kept as they are. A test holds the result equal to Rich's.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text


def wrapped_lines(text: Text, console: Console, width: int) -> list[Text]:
    """``text`` as lines of at most ``width`` cells (long words folded), equal to
    ``text.wrap(console, width, overflow="fold")``."""
    if text.no_wrap or text.justify not in (None, "default"):
        return list(text.wrap(console, width, overflow="fold"))  # it pads or crops
    lines: list[Text] = []
    for line in text.split("\n", allow_blank=True):
        if "\t" not in line.plain and line.cell_len <= width:
            lines.append(line)
        else:
            lines.extend(line.wrap(console, width, overflow="fold"))
    return lines
