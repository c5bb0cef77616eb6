"""Days typed into filters, read the way people mean them."""

from __future__ import annotations

from datetime import date

import pytest

from regentra_core.dates import parse_day
from regentra_core.errors import ValidationError

TODAY = date(2026, 11, 26)  # a Thursday


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("today", TODAY),
        ("Yesterday", date(2026, 11, 25)),
        ("7d", date(2026, 11, 19)),
        ("2 weeks ago", date(2026, 11, 12)),
        ("1m", date(2026, 10, 27)),
        ("this week", date(2026, 11, 23)),
        ("last week", date(2026, 11, 16)),
        ("this month", date(2026, 11, 1)),
        ("last month", date(2026, 10, 1)),
        ("2026-11-01", date(2026, 11, 1)),
    ],
)
def test_a_typed_day_means_what_people_mean(typed, day):
    assert parse_day(typed, TODAY) == day


@pytest.mark.parametrize("typed", ["soon", "7x", "2026-13-01", ""])
def test_anything_else_is_refused_with_examples(typed):
    with pytest.raises(ValidationError, match="is not a day: try today, yesterday, 7d"):
        parse_day(typed, TODAY)
