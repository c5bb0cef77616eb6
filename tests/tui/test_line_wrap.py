"""The thread's fast wrap gives exactly Rich's lines (text and styles)."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.text import Text

from regentra_tui.line_wrap import wrapped_lines

CONSOLE = Console(width=200)


def _styled(plain: str) -> Text:
    text = Text(plain)
    text.stylize("bold", 0, min(5, len(plain)))
    text.stylize("red", len(plain) // 2, len(plain))
    return text


TEXTS = [
    "",
    "one short line",
    "a line that is exactly twenty",
    "first line\nsecond line that is rather longer than the width allows here\n",
    "trailing spaces that cross the edge           \nnext",
    "averyveryverylongwordwithoutanyspacesthatmustbefoldedacrosslines and more",
    "tab\tseparated\tcolumns\tthat\tgrow",
    "wide 漢字漢字漢字漢字漢字漢字 characters and 😀 emoji 😀😀😀😀😀😀",
    "\n\n\nblank lines above\n\n",
    "> quoted reply line one\n> quoted reply line two that goes on and on and on past it",
]


@pytest.mark.parametrize("width", [1, 7, 20, 40])
@pytest.mark.parametrize("plain", TEXTS)
def test_the_fast_wrap_gives_richs_lines_and_styles(plain, width):
    text = _styled(plain)
    want = text.wrap(CONSOLE, width, overflow="fold")
    got = wrapped_lines(text, CONSOLE, width)
    assert [line.plain for line in got] == [line.plain for line in want]
    assert [line.spans for line in got] == [line.spans for line in want]


def test_a_justified_text_is_wrapped_by_rich_itself():
    text = Text("short\nlines", justify="left")
    got = wrapped_lines(text, CONSOLE, 12)
    assert [line.plain for line in got] == ["short       ", "lines       "]
