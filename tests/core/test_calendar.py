"""Business time over weekly hours, holidays and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regentra_core.calendar import BusinessCalendar, format_hours, parse_hours
from regentra_core.errors import ValidationError

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600


def office(tz: str = "Europe/Berlin", holidays=()) -> BusinessCalendar:
    return BusinessCalendar.from_spec("mon-fri 09:00-17:00", tz, holidays)


def test_friday_1730_plus_4_business_hours_is_monday_1300():
    friday = datetime(2026, 3, 13, 17, 30, tzinfo=BERLIN)
    due = office().add(friday, 4 * HOUR)
    assert due.astimezone(BERLIN) == datetime(2026, 3, 16, 13, 0, tzinfo=BERLIN)


def test_a_holiday_monday_moves_it_to_tuesday():
    friday = datetime(2026, 3, 13, 17, 30, tzinfo=BERLIN)
    due = office(holidays=[date(2026, 3, 16)]).add(friday, 4 * HOUR)
    assert due.astimezone(BERLIN) == datetime(2026, 3, 17, 13, 0, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("tz", "friday"),
    [
        ("Europe/Berlin", date(2026, 3, 27)),  # clocks go forward Sunday 29 March
        ("Europe/Berlin", date(2026, 10, 23)),  # clocks go back Sunday 25 October
        ("America/New_York", date(2026, 3, 6)),  # forward Sunday 8 March
        ("America/New_York", date(2026, 10, 30)),  # back Sunday 1 November
    ],
)
def test_a_dst_weekend_keeps_the_due_time_exact(tz, friday):
    zone = ZoneInfo(tz)
    start = datetime.combine(friday, datetime.min.time(), zone).replace(hour=17, minute=30)
    cal = office(tz)
    due = cal.add(start, 4 * HOUR)
    monday = friday + timedelta(days=3)
    assert due.astimezone(zone).replace(tzinfo=None) == datetime(
        monday.year, monday.month, monday.day, 13, 0
    )
    assert cal.business_seconds(start, due) == 4 * HOUR


def test_a_24x7_calendar_counts_real_hours_across_dst():
    cal = BusinessCalendar.twenty_four_seven()
    start = datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN)
    end = datetime(2026, 3, 29, 12, 0, tzinfo=BERLIN)  # 23 real hours later
    assert cal.business_seconds(start, end) == 23 * HOUR


def test_a_24h_local_calendar_counts_the_short_dst_day_as_23_hours():
    cal = BusinessCalendar.from_spec("mon-sun 00:00-24:00", "Europe/Berlin")
    day = datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN)
    assert cal.business_seconds(day, day + timedelta(days=1)) == 23 * HOUR


def test_reaching_the_exact_end_of_opening_hours_stays_on_that_day():
    monday9 = datetime(2026, 3, 16, 9, 0, tzinfo=BERLIN)
    assert office().add(monday9, 8 * HOUR).astimezone(BERLIN).hour == 17
    assert office().add(monday9, 8 * HOUR + 1).astimezone(BERLIN).day == 17


def test_time_outside_hours_does_not_count():
    cal = office()
    saturday = datetime(2026, 3, 14, 10, 0, tzinfo=BERLIN)
    assert cal.business_seconds(saturday, saturday + timedelta(hours=30)) == 0


def test_far_apart_instants_extend_the_tables():
    cal = office()
    a = datetime(2020, 1, 6, 9, 0, tzinfo=BERLIN)
    b = datetime(2031, 1, 6, 9, 0, tzinfo=BERLIN)
    weeks = (b - a).days // 7
    assert cal.business_seconds(a, b) == pytest.approx(weeks * 40 * HOUR, abs=2 * HOUR)


@pytest.mark.parametrize(
    "spec",
    [
        "monday",
        "mon-fri 9-17",
        "mon-fri 17:00-09:00",
        "fri-mon 09:00-17:00",
        "xyz 09:00-10:00",
        "mon 09:00-12:00; mon 11:00-13:00",
        "mon 09:70-10:00",
    ],
)
def test_bad_opening_hours_are_refused_clearly(spec):
    with pytest.raises(ValidationError):
        parse_hours(spec)


def test_hours_round_trip_through_their_text_form():
    spec = "mon-fri 09:00-12:00; mon-fri 13:00-17:00; sat 10:00-12:00"
    week = parse_hours(spec)
    assert parse_hours(format_hours(week)) == week


def test_unknown_time_zone_is_refused():
    with pytest.raises(ValidationError, match="unknown time zone"):
        BusinessCalendar.from_spec("mon 09:00-10:00", "Mars/Olympus")


# -- properties -----------------------------------------------------------------------

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]


@st.composite
def calendars(draw) -> BusinessCalendar:
    if draw(st.booleans().map(lambda b: b and draw(st.integers(0, 4)) == 0)):
        return BusinessCalendar.twenty_four_seven()
    week = []
    for _ in range(7):
        if draw(st.integers(0, 3)) == 0:
            week.append(())
            continue
        start = draw(st.integers(0, 22 * 60))
        end = draw(st.integers(start + 15, 24 * 60))
        week.append(((start, end),))
    if not any(week):
        week[0] = ((9 * 60, 17 * 60),)
    holidays = draw(st.frozensets(st.dates(date(2025, 12, 1), date(2027, 2, 1)), max_size=10))
    return BusinessCalendar(draw(st.sampled_from(ZONES)), tuple(week), holidays)


instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=150, deadline=None)
@given(calendars(), instants, st.integers(0, 90 * 24 * HOUR))
def test_add_is_the_inverse_of_business_seconds(cal, start, seconds):
    due = cal.add(start, seconds)
    assert due >= start
    assert cal.business_seconds(start, due) == pytest.approx(seconds, abs=1e-3)


@settings(max_examples=150, deadline=None)
@given(calendars(), instants, instants, instants)
def test_business_seconds_is_additive_monotone_and_bounded(cal, a, b, c):
    a, b, c = sorted((a, b, c))
    ab, bc, ac = (cal.business_seconds(x, y) for x, y in ((a, b), (b, c), (a, c)))
    assert ab >= 0 and bc >= 0
    assert ac == pytest.approx(ab + bc, abs=1e-3)
    assert ac <= (c - a).total_seconds() + 1e-3
