"""Time, in one place: everything stored and compared is aware UTC.

Rules never read the clock; ``Desk`` and jobs take a ``Clock`` so tests (and
``regentra worker --once --at``) can say what "now" is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from .errors import ValidationError

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The current time, aware UTC."""
    return datetime.now(UTC)


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
    return value.astimezone(UTC)
