"""Reading a file or standard input that a command was given, within a limit.

A command that reads what it is handed (``kb add --body-file``, ``kb import``,
``automation import``) reads at most its limit and one byte more: ``/dev/zero``,
a runaway pipe or a log file named by mistake is refused in one line, never read
until memory runs out.
"""

from __future__ import annotations

import sys
from pathlib import Path

from regentra_core import ValidationError

TEXT_FILE_BYTES = 1024 * 1024
"""The most a KB article's body or a rules file may be (a long article is a few
tens of kilobytes)."""


def read_text(source: str | Path, limit: int = TEXT_FILE_BYTES, *, what: str = "") -> str:
    """The UTF-8 text of ``source`` (``-`` is standard input), at most ``limit`` bytes;
    anything else a ValidationError of one line."""
    name = what or ("standard input" if str(source) == "-" else str(source))
    try:
        if str(source) == "-":
            raw = sys.stdin.buffer.read(limit + 1)
        else:
            with Path(source).open("rb") as fh:
                raw = fh.read(limit + 1)
    except OSError as exc:
        raise ValidationError(f"cannot read {name}: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise ValidationError(f"{name} is larger than {limit:,} bytes; nothing was read")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{name} is not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
