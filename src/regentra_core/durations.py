"""Time worked as people type it: "90", "1h30", "1h 30m", "1:30", "45m", "1.5h".

One parser for the app and the command line, so "1h30" is 90 minutes everywhere
(the old minutes box kept only the digits and billed 130). Anything it does not
read is refused with examples, never guessed at.
"""

from __future__ import annotations

import re
from datetime import timedelta

from .errors import ValidationError

_H = r"h(?:ours?|rs?)?"
_M = r"m(?:in(?:ute)?s?)?"
_PLAIN = re.compile(rf"^([0-9]{{1,6}})\s*(?:{_M})?$")
_CLOCK = re.compile(r"^([0-9]{1,4}):([0-5][0-9])$")
_DECIMAL_HOURS = re.compile(rf"^([0-9]{{1,4}}[.,][0-9]{{1,3}})\s*{_H}$")
_HOURS_MINUTES = re.compile(rf"^([0-9]{{1,4}})\s*{_H}(?:\s*([0-9]{{1,4}})\s*(?:{_M})?)?$")

EXAMPLES = "90, 1h30, 1h 30m, 1:30, 45m or 1.5h"


def parse_minutes(text: str) -> int:
    """Whole minutes in ``text`` (decimal hours round to the nearest minute)."""
    value = " ".join(text.strip().lower().split())
    if match := _PLAIN.match(value):
        return int(match.group(1))
    if match := _CLOCK.match(value):
        return int(match.group(1)) * 60 + int(match.group(2))
    if match := _DECIMAL_HOURS.match(value):
        return round(float(match.group(1).replace(",", ".")) * 60)
    if match := _HOURS_MINUTES.match(value):
        return int(match.group(1)) * 60 + int(match.group(2) or 0)
    shown = text.strip()[:40] or "nothing"
    raise ValidationError(f"not a duration: {shown!r}; type e.g. {EXAMPLES}")


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
