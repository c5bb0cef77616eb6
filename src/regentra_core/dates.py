"""Days as people type them in a filter: ``yesterday``, ``7d``, ``last week``, ISO.

Pure: ``today`` is passed in, so the same text means the same day in a test.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

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
