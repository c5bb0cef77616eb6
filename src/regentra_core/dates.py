"""Days as people type them in a filter: ``yesterday``, ``7d``, ``last week``, ISO.

The one parser for every date and time a person types: the filter bar, ``report
--from/--to``, ``ticket list --since/--until``, ``worker --at`` and holidays all
take the same words. Pure: ``today`` (or ``now``) is passed in, so the same text
means the same day in a test.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from .clock import EARLIEST, LATEST, parse_instant
from .errors import ValidationError

_AGO = re.compile(r"^(\d{1,4})\s*(d|day|days|w|wk|week|weeks|m|mo|month|months)(\s+ago)?$")
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30}

EXAMPLES = "today, yesterday, 7d, 2w, 3m, this week, last week, this month, 2026-11-01"


def parse_day(text: str, today: date) -> date:
    """The first day ``text`` names; a span ("last week") gives its first day.

    ``7d`` is seven days before today; weeks start on Monday.
    """
    cleaned = " ".join(text.strip().lower().split())
    if cleaned in ("today", "now"):
        return today
    if cleaned == "yesterday":
        return today - timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    spans = {
        "this week": monday,
        "last week": monday - timedelta(days=7),
        "this month": today.replace(day=1),
        "last month": (today.replace(day=1) - timedelta(days=1)).replace(day=1),
    }
    if cleaned in spans:
        return spans[cleaned]
    match = _AGO.match(cleaned)
    if match:
        return today - timedelta(days=int(match.group(1)) * _UNIT_DAYS[match.group(2)[0]])
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        raise ValidationError(f"{text.strip()!r} is not a day: try {EXAMPLES}") from None


def parse_when(text: str, now: datetime, *, end_of_day: bool = False) -> datetime:
    """An instant from a day as :func:`parse_day` reads it, or an ISO 8601 time.

    A day means its first instant (UTC), or with ``end_of_day`` the first instant
    after it, so ``--until yesterday`` includes yesterday as ``report --to`` does.
    A time (``2026-11-25T09:30``) means itself.
    """
    try:
        day = parse_day(text, now.astimezone(UTC).date())
    except ValidationError:
        try:
            datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(
                f"{text.strip()!r} is not a day or time: try {EXAMPLES}, or 2026-11-01T09:30"
            ) from None
        return parse_instant(text)  # a time: refused only out of range
    if not EARLIEST.date() <= day <= LATEST.date():
        raise ValidationError(
            f"{text.strip()!r} is out of range: give a day between {EARLIEST.year} and "
            f"{LATEST.year}"
        )
    start = datetime.combine(day, time(), UTC)
    return start + timedelta(days=1) if end_of_day and day < LATEST.date() else start
