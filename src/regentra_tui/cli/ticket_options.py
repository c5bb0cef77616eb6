"""What the ticket commands share: their choices, number type and common options.

Light on purpose (Click and the core's enums and dates): ``ticket list`` and
``ticket show`` import it without the write commands or the ORM.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from regentra_core import Priority, Status, parse_when, utcnow

STATUS_CHOICES = [s.cli for s in Status] + ["waiting"]
PRIORITY_CHOICES = [p.value for p in Priority]


MAX_INT64 = 2**63 - 1
NUMBER = click.IntRange(1, MAX_INT64)
"""Ticket numbers and versions: what the database can hold, refused early beyond it."""

NEWEST_SHOWN = 20
"""Thread entries ``ticket show`` prints without ``--all``: the newest ones."""

PRINTED_CHARACTERS = 20_000
"""How much of one message ``ticket show`` prints without ``--full``."""


def parse_statuses(_: click.Context, __: click.Parameter, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, tuple):
        return tuple(Status.parse(v) for v in value)
    return Status.parse(value)


def parse_priorities(_: click.Context, __: click.Parameter, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, tuple):
        return tuple(Priority.parse(v) for v in value)
    return Priority.parse(value)


def instant(_: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """A day or time as every date option reads it (``dates.parse_when``): a day given
    to ``--until`` includes that day, as ``report --to`` does."""
    if not value:
        return None
    return parse_when(value, utcnow(), end_of_day=param.name == "until")


expect_version = click.option(
    "--expect-version",
    type=NUMBER,
    metavar="V",
    help="Refuse (exit 3) unless the ticket is still at version V.",
)


cascade_option = click.option(
    "--cascade/--no-cascade",
    default=None,
    help="When a master reaches Resolved or Closed: move its open children too, or "
    "leave them (without either, they are left and named).",
)
