"""How commands print: ``--json`` for scripts, Rich tables for people.

Untrusted text (subjects, bodies, names) always goes through ``rich.text.Text``
built from :func:`regentra_core.text.literal`, so neither Rich markup nor terminal
escape sequences in a customer's email can style or control the screen.
"""

from __future__ import annotations

import sys
from datetime import datetime

from rich.console import Console
from rich.text import Text

from regentra_core import literal, one_line

from ..render import styled
from .json_out import emit_json as emit_json
from .json_out import json_option as json_option
from .json_out import jsonable as jsonable


def console() -> Console:
    # highlight=False: Rich's repr highlighter would colour numbers in subjects.
    # Piped output is not squeezed to 80 columns: scripts and grep want whole lines.
    width = None if sys.stdout.isatty() else 160
    return Console(highlight=False, soft_wrap=False, width=width)


def safe(text: str | None, *, flat: bool = False, limit: int | None = None) -> Text:
    """Untrusted text as a literal Rich ``Text``."""
    if text is None:
        return styled("-", "dim")
    return Text(one_line(text, limit) if flat else literal(text))


def when(value: datetime | None) -> str:
    """A UTC time, short and unambiguous."""
    if value is None:
        return "-"
    return value.strftime("%Y-%m-%d %H:%M UTC")
