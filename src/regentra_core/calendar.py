"""Business time: how many seconds of a support calendar lie between two instants.

A calendar is weekly opening hours in an IANA time zone, minus holidays, or 24x7.
Every opening interval is converted to real UTC instants day by day, so a
daylight-saving weekend neither adds nor loses an hour: what counts is the real
time the desk was open.

The core trick is a cumulative function ``B(t)``: business seconds from a fixed
anchor up to ``t``. Business time between ``a`` and ``b`` is ``B(b) - B(a)``, and a
due time is the inverse of ``B``. Per-day opening intervals and their running
totals are computed once per calendar and cached, so one evaluation is a binary
search and a short loop: fast enough to badge 100k tickets in well under a second.
Pure: no I/O, no clock.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ValidationError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
_SPAN_DAYS = 400
"""How many days around a requested instant are computed at once."""

Interval = tuple[int, int]
"""Opening hours of one day, as minutes after local midnight: (start, end)."""


def parse_hours(spec: str) -> tuple[tuple[Interval, ...], ...]:
    """Parse ``"mon-fri 09:00-17:00; sat 10:00-12:00"`` into seven days of intervals.

    Days not named are closed. Raises ValidationError with the offending part.
    """
    week: list[list[Interval]] = [[] for _ in WEEKDAYS]
    for part in filter(None, (p.strip() for p in spec.replace(",", ";").split(";"))):
        try:
            days_text, hours_text = part.split()
            days = _parse_days(days_text)
            start_text, end_text = hours_text.split("-")
            start, end = _minutes(start_text), _minutes(end_text)
        except ValueError:
            raise ValidationError(
                f"cannot read opening hours {part!r}; write e.g. 'mon-fri 09:00-17:00'"
            ) from None
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValidationError(f"opening hours {part!r} must start before they end")
        for day in days:
            week[day].append((start, end))
    for intervals in week:
        intervals.sort()
        for (_, end), (start, _) in zip(intervals, intervals[1:], strict=False):
            if start < end:
                raise ValidationError("opening hours overlap on one day")
    return tuple(tuple(intervals) for intervals in week)


def format_hours(week: Sequence[Sequence[Interval]]) -> str:
    """The inverse of :func:`parse_hours`, grouping equal consecutive days."""
    parts: list[str] = []
    i = 0
    while i < 7:
        j = i
        while j + 1 < 7 and tuple(week[j + 1]) == tuple(week[i]):
            j += 1
        if week[i]:
            days = WEEKDAYS[i] if i == j else f"{WEEKDAYS[i]}-{WEEKDAYS[j]}"
            for start, end in week[i]:
                parts.append(f"{days} {_hhmm(start)}-{_hhmm(end)}")
        i = j + 1
    return "; ".join(parts) or "closed"


def _parse_days(text: str) -> list[int]:
    if "-" in text:
        first, last = (WEEKDAYS.index(d.lower()[:3]) for d in text.split("-"))
        if last < first:
            raise ValueError(text)
        return list(range(first, last + 1))
    return [WEEKDAYS.index(text.lower()[:3])]


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    value = int(hours) * 60 + int(minutes)
    if not 0 <= int(minutes) < 60:
        raise ValueError(text)
    return value


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def zone(name: str) -> ZoneInfo:
    """An IANA time zone, or a clear error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"unknown time zone {name!r} (use an IANA name like Europe/Berlin)"
        ) from None


@dataclass(eq=False)
class BusinessCalendar:
    """Opening hours in a time zone, with holidays; or ``always_open`` (24x7)."""

    timezone: str = "UTC"
    week: tuple[tuple[Interval, ...], ...] = ((),) * 7
    holidays: frozenset[date] = frozenset()
    always_open: bool = False
    name: str = ""
    _zone: ZoneInfo = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)
    _last: tuple[float, float] = field(init=False, repr=False, default=(float("nan"), 0.0))
    """The last (timestamp, B) answered: badging many tickets asks B(now) each time."""
    _first_day: date | None = field(init=False, repr=False, default=None)
    _origin: date | None = field(init=False, repr=False, default=None)
    """The day whose midnight is ``B = 0``; fixed once chosen, so values never shift."""
    _midnights: list[float] = field(init=False, repr=False, default_factory=list)
    _cumulative: list[float] = field(init=False, repr=False, default_factory=list)
    _intervals: list[tuple[tuple[float, float], ...]] = field(
        init=False, repr=False, default_factory=list
    )

    def __post_init__(self) -> None:
        self._zone = zone(self.timezone)
        if len(self.week) != 7:
            raise ValidationError("a calendar needs opening hours for seven weekdays")

    @classmethod
    def twenty_four_seven(cls, name: str = "24x7") -> BusinessCalendar:
        return cls(always_open=True, name=name)

    @classmethod
    def from_spec(
        cls, hours: str, timezone: str, holidays: Iterable[date] = (), name: str = ""
    ) -> BusinessCalendar:
        return cls(timezone, parse_hours(hours), frozenset(holidays), name=name)

    # -- the cumulative function ------------------------------------------------

    def cumulative(self, instant: datetime) -> float:
        """``B(t)``: business seconds from this calendar's anchor up to ``instant``."""
        ts = instant.timestamp()
        if self.always_open:
            return ts
        last_ts, last_value = self._last
        if ts == last_ts:
            return last_value
        with self._lock:
            index = self._day_index(ts)
            total = self._cumulative[index]
            for start, end in self._intervals[index]:
                if ts <= start:
                    break
                total += min(ts, end) - start
            self._last = (ts, total)
            return total

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Business seconds in ``[start, end)``; zero when ``end`` is not after ``start``."""
        if end <= start:
            return 0.0
        return self.cumulative(end) - self.cumulative(start)

    def add(self, start: datetime, seconds: float) -> datetime:
        """The earliest instant with ``seconds`` of business time after ``start``."""
        if seconds <= 0:
            return start
        if self.always_open:
            return start + timedelta(seconds=seconds)
        target = self.cumulative(start) + seconds
        with self._lock:
            while target > self._cumulative[-1]:
                self._extend_to(self._last_day() + timedelta(days=_SPAN_DAYS))
            # Day i holds B values in (cumulative[i], cumulative[i+1]].
            i = max(bisect_left(self._cumulative, target) - 1, 0)
            remaining = target - self._cumulative[i]
            for begin, end in self._intervals[i]:
                if remaining <= end - begin:
                    return datetime.fromtimestamp(begin + remaining, UTC)
                remaining -= end - begin
            # Unreachable: the running total says the target lies in day i.
            raise AssertionError("business time target not found within its day")

    # -- per-day tables ---------------------------------------------------------

    def _day_index(self, ts: float) -> int:
        if not self._midnights or ts < self._midnights[0]:
            self._extend_to(self._local_date(ts) - timedelta(days=_SPAN_DAYS // 2))
        while ts >= self._midnights[-1]:
            self._extend_to(self._last_day() + timedelta(days=_SPAN_DAYS))
        return bisect_right(self._midnights, ts) - 1

    def _local_date(self, ts: float) -> date:
        return datetime.fromtimestamp(ts, self._zone).date()

    def _last_day(self) -> date:
        assert self._first_day is not None
        return self._first_day + timedelta(days=len(self._midnights) - 2)

    def _extend_to(self, day: date) -> None:
        """Rebuild the tables so they cover ``day`` (and what they covered before)."""
        if self._first_day is None:
            first, last = day, day + timedelta(days=_SPAN_DAYS)
        else:
            first = min(self._first_day, day)
            last = max(self._last_day(), day)
        days = (last - first).days + 1
        midnights: list[float] = []
        cumulative: list[float] = []
        intervals: list[tuple[tuple[float, float], ...]] = []
        total = 0.0
        for offset in range(days + 1):
            current = first + timedelta(days=offset)
            midnights.append(self._instant(current, 0))
            cumulative.append(total)
            todays = self._open_intervals(current)
            intervals.append(todays)
            total += sum(end - start for start, end in todays)
        if self._origin is None:
            self._origin = first
        # Re-anchor so the origin's midnight stays at zero: B values handed out before
        # this rebuild remain comparable with those handed out after it.
        shift = cumulative[(self._origin - first).days]
        self._first_day = first
        self._midnights = midnights
        self._cumulative = [value - shift for value in cumulative]
        self._intervals = intervals

    def _open_intervals(self, day: date) -> tuple[tuple[float, float], ...]:
        if day in self.holidays:
            return ()
        return tuple(
            (self._instant(day, start), self._instant(day, end))
            for start, end in self.week[day.weekday()]
        )

    def _instant(self, day: date, minutes: int) -> float:
        if minutes >= MINUTES_PER_DAY:
            return self._instant(day + timedelta(days=1), minutes - MINUTES_PER_DAY)
        local = datetime.combine(day, time(minutes // 60, minutes % 60), self._zone)
        return local.timestamp()

    def describe(self) -> str:
        if self.always_open:
            return "24x7"
        return f"{format_hours(self.week)} ({self.timezone})"
