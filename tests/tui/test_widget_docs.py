"""Every widget says in its class docstring which keys it binds and which reactives
it has, as Textual's own widgets do (a table of ``| Key(s) | Description |``), and
the table is the bindings: a key added, moved or dropped without the docstring
fails here. The motion keys every list shares are tabled once, in
``widgets/motion.py``, and a widget that takes them names ``MOTION_BINDINGS``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from textual.binding import Binding
from textual.reactive import Reactive
from textual.widget import Widget

import regentra_tui.widgets
from regentra_tui.widgets import motion

WIDGETS = [
    cls
    for info in pkgutil.iter_modules(regentra_tui.widgets.__path__)
    for cls in vars(importlib.import_module(f"regentra_tui.widgets.{info.name}")).values()
    if inspect.isclass(cls)
    and issubclass(cls, Widget)
    and cls.__module__ == f"regentra_tui.widgets.{info.name}"
]


def _documented_keys(doc: str) -> set[str]:
    """The key cells of the docstring's ``| Key(s) | Description |`` table."""
    lines = [line.strip() for line in doc.splitlines()]
    if "| Key(s) | Description |" not in lines:
        return set()
    keys = set()
    for row in lines[lines.index("| Key(s) | Description |") + 2 :]:
        if not row.startswith("|"):
            break
        cell = row.strip("|").split("|")[0]
        keys |= {k.strip() for k in cell.split(",")}
    return keys


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda cls: cls.__name__)
def test_a_widgets_docstring_lists_its_keys_and_reactives(widget):
    doc = inspect.getdoc(widget) or ""
    words = " ".join(doc.split())
    bindings = [b for b in widget.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]
    bound = {k.strip() for b in bindings for k in b.key.split(",")}
    documented = _documented_keys(doc)
    if "MOTION_BINDINGS" in doc:  # the motion keys every list shares, tabled once
        documented |= _documented_keys(inspect.getdoc(motion) or "")
    assert documented == bound
    if not bound:
        assert "binds no keys" in words
    reactives = [name for name, value in widget.__dict__.items() if isinstance(value, Reactive)]
    for name in reactives:
        assert f"| `{name}` |" in doc, name
    if not reactives:
        assert "no reactives" in words


def test_the_board_column_says_the_page_size_it_fetches():
    from regentra_tui.session import BOARD_PAGE
    from regentra_tui.widgets import board_column

    assert f"pages of {BOARD_PAGE} cards" in (board_column.__doc__ or "")
