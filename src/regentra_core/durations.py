"""Time worked as people type it: "90", "1h30", "1h 30m", "1:30", "45m", "1.5h".

One parser for the app and the command line, so "1h30" is 90 minutes everywhere
(the old minutes box kept only the digits and billed 130). Anything it does not
read is refused with examples, never guessed at: minutes after hours are a clock's
0-59 in every form ("1:75", "1h75" and "1h 90m" alike), since "1h75" is as likely a
slip for "1h15" or "1h45" as a wish for 2 h 15 min. One formatter writes minutes
back the way the parser reads them, for the app's time entries and every report.
"""

from __future__ import annotations

import re
from datetime import timedelta

from .errors import ValidationError

_H = r"h(?:ours?|rs?)?"
_M = r"m(?:in(?:ute)?s?)?"
_PLAIN = re.compile(rf"^([0-9]{{1,6}})\s*(?:{_M})?$")
_CLOCK = re.compile(r"^([0-9]{1,4}):([0-9]{2})$")
_DECIMAL_HOURS = re.compile(rf"^([0-9]{{1,4}}[.,][0-9]{{1,3}})\s*{_H}$")
_HOURS_MINUTES = re.compile(rf"^([0-9]{{1,4}})\s*{_H}(?:\s*([0-9]{{1,4}})\s*(?:{_M})?)?$")

EXAMPLES = "90, 1h30, 1h 30m, 1:30, 45m or 1.5h"


def parse_minutes(text: str) -> int:
    """Whole minutes in ``text`` (decimal hours round to the nearest minute)."""
    value = " ".join(text.strip().lower().split())
    if match := _PLAIN.match(value):
        return int(match.group(1))
    if match := _CLOCK.match(value) or _HOURS_MINUTES.match(value):
        return _hours_and_minutes(text, int(match.group(1)), int(match.group(2) or 0))
    if match := _DECIMAL_HOURS.match(value):
        return round(float(match.group(1).replace(",", ".")) * 60)
    shown = text.strip()[:40] or "nothing"
    raise ValidationError(f"not a duration: {shown!r}; type e.g. {EXAMPLES}")


def _hours_and_minutes(text: str, hours: int, minutes: int) -> int:
    """Hours and the minutes after them, which are 0-59 whichever way they were typed."""
    if minutes > 59:
        total = hours * 60 + minutes
        raise ValidationError(
            f"not a duration: {text.strip()[:40]!r}: minutes after hours go up to 59 "
            f"(for {format_minutes(total)} type {hours + minutes // 60}h{minutes % 60:02d} "
            f"or {total}); type e.g. {EXAMPLES}"
        )
    return hours * 60 + minutes


def format_minutes(total: int) -> str:
    """``2h 45m`` or ``45m``: hours and minutes, as people read them and as
    ``parse_minutes`` reads them back (``0m`` for nothing)."""
    hours, mins = divmod(total, 60)
    return f"{hours}h {mins:02d}m" if hours else f"{mins}m"


_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def parse_duration(text: str) -> timedelta:
    """``1d2h30m`` style durations, as the demo files write them."""
    match = _DURATION.match(text.strip())
    if not match or not any(match.groups()):
        raise ValidationError(f"not a duration: {text!r} (use e.g. 45m, 3h, 1d2h)")
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    try:
        return timedelta(days=days, hours=hours, minutes=minutes)
    except OverflowError:
        raise ValidationError(f"duration too long: {text!r}") from None
