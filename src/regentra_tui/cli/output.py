"""How commands print: ``--json`` for scripts, Rich tables for people.

Untrusted text (subjects, bodies, names) always goes through ``rich.text.Text``
built from :func:`regentra_core.text.literal`, so neither Rich markup nor terminal
escape sequences in a customer's email can style or control the screen.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.text import Text

from regentra_core import json_safe, literal, one_line

from ..render import styled

F = TypeVar("F", bound=Callable[..., Any])


def json_option(func: F) -> F:
    """Add ``--json`` to a command."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of text."
    )(func)


def jsonable(value: Any) -> Any:
    """Turn dataclasses, enums and datetimes into plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = [f.name for f in dataclasses.fields(value)]
        names += list(getattr(type(value), "derived", ()))
        return {name: jsonable(getattr(value, name)) for name in names}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def emit_json(value: Any) -> None:
    """Readable UTF-8 JSON, with terminal-unsafe characters as ``\\u`` escapes."""
    sys.stdout.write(json_safe(json.dumps(jsonable(value), indent=2, ensure_ascii=False)))
    sys.stdout.write("\n")


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
