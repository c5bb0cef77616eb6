"""Time worked is read the way technicians type it, and anything else is refused."""

from __future__ import annotations

import pytest

from regentra_core.durations import parse_minutes
from regentra_core.errors import ValidationError


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("90", 90),
        ("1h30", 90),
        ("1h 30m", 90),
        ("1H30M", 90),
        ("1:30", 90),
        ("45m", 45),
        ("45 min", 45),
        ("45 minutes", 45),
        ("1.5h", 90),
        ("1,5h", 90),
        ("2h", 120),
        ("2 hours", 120),
        ("0:05", 5),
        (" 25 ", 25),
        ("1.25h", 75),
    ],
)
def test_durations_people_type_are_read_as_they_mean(typed, minutes):
    assert parse_minutes(typed) == minutes


@pytest.mark.parametrize(
    "typed", ["", "abc", "1h30x", "1:75", "h", "1.5", "-30", "1d", "90s", "1..5h", "٩٠"]
)
def test_anything_else_is_refused_with_examples(typed):
    with pytest.raises(ValidationError, match="not a duration.*1h30"):
        parse_minutes(typed)
