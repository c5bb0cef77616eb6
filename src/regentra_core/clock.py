"""Time, in one place: everything stored and compared is aware UTC.

Rules never read the clock; ``Desk`` and jobs take a ``Clock`` so tests (and
``regentra worker --once --at``) can say what "now" is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from .errors import ValidationError

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The current time, aware UTC."""
    return datetime.now(UTC)


def describe_offset(offset: timedelta) -> str:
    """A clock's ``offset`` from a reference in words: "3 s ahead of", "2 days behind"."""
    seconds = abs(offset.total_seconds())
    if seconds < 120:
        amount = f"{seconds:.0f} s"
    elif seconds < 7200:
        amount = f"{seconds / 60:.0f} min"
    elif seconds < 2 * 86400:
        amount = f"{seconds / 3600:.0f} h"
    else:
        amount = f"{seconds / 86400:.0f} days"
    return f"{amount} {'ahead of' if offset > timedelta(0) else 'behind'}"


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 time from the command line; naive times are taken as UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            f"not a date/time: {text!r} (use ISO 8601, e.g. 2026-11-25T09:30 or 2026-11-25)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        value = EARLIEST - timedelta(days=1)  # only at datetime's very ends: out of range
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(
            f"{text!r} is out of range: give a time between {EARLIEST.year} and {LATEST.year}"
        )
    return value


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
"""The instants a helpdesk may name: far enough for any plan, short of datetime's end
(SLA and auto-close arithmetic adds days to a time and must not overflow)."""
