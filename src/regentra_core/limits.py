"""One limit per field, the same on every door.

The CLI, the portal, the app and the channel adapters all take a subject, a name or
a date from someone; each used to pick its own bound (the portal cut subjects at
300 characters, the CLI took 131,000, a date of year 9999 overflowed in a
report). The limits live here so that a door that refuses and a door that cuts
agree on the number. Pure: no I/O.

What a person types at a prompt is refused beyond its limit, in one line. What a
customer sends by mail is never refused (a message is never thrown away): its
ticket subject is cut with "…" and the whole text is kept in the description and
the stored source.
"""

from __future__ import annotations

from datetime import date

from .errors import ValidationError

SUBJECT_MAX = 300
"""Characters in a ticket's subject (the portal's form has always said 300)."""

NAME_MAX = 200
"""Characters in a person's, client's or account's name."""

ECHO_MAX = 60
"""Characters of a user's bad input repeated in an error message."""

FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2199, 12, 31)
"""Days a report or a filter may name: outside them no ticket can exist, and the
arithmetic around them (a day before year 1, a day after 9999) overflows."""

ELLIPSIS = "…"


def shown(value: str, limit: int = ECHO_MAX) -> str:
    """``value`` quoted for an error message, at most ``limit`` characters of it.

    A bad name 5,000 characters long is answered with its first few words and "…",
    not echoed back whole.
    """
    if len(value) <= limit:
        return repr(value)
    return repr(value[: limit - 1]) + ELLIPSIS


def cut(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` characters, "…" marking the cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def check_length(text: str, limit: int, *, what: str) -> str:
    """``text`` if it fits; else one line saying the limit (for what a person types)."""
    if len(text) > limit:
        raise ValidationError(
            f"the {what} is {len(text):,} characters long; at most {limit:,} are allowed"
        )
    return text


def check_day(day: date, *, what: str = "day") -> date:
    """``day`` if it lies in the span a desk can hold; else one line saying the span."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(
            f"the {what} {day.isoformat()} is outside {FIRST_DAY.isoformat()} .. "
            f"{LAST_DAY.isoformat()}"
        )
    return day
