"""SLA clocks and badges, as pure functions of stored timestamps and "now".

Two clocks per ticket, both measured in the policy calendar's business time from
creation:

- the *response* clock stops at the first public reply by a technician (notes,
  automated acknowledgements and system messages do not count); it does not pause
  while the ticket Waits, but it does not run while the ticket is Resolved or Closed
  (``done_spans``). A ticket resolved without any reply has *not* met it: its
  response clock is held ("resolved without a reply", :attr:`Badge.NO_REPLY`), and
  goes on from the time it had used if the ticket reopens, since the customer still
  has no answer;
- the *resolution* clock pauses while the ticket Waits on Customer, stops at
  Resolved/Closed, and resumes when the ticket is reopened or moved on.

The ticket stores the wall-clock intervals when its resolution clock was not
running (``pauses``); the Desk keeps them in step with every status change, and
:func:`pauses_from_history` rebuilds them from the Event history. Because badges
are computed from stored data and never from an in-memory timer, a restarted
worker and a second TUI always agree.

A breach is permanent: once a clock breached (as recorded by the sweep or a
priority change), it reports Breached even if the ticket is answered later or
re-targeted to a laxer priority.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from .calendar import BusinessCalendar
from .enums import Priority, Status, Vocabulary
from .errors import ValidationError

DEFAULT_AT_RISK_SHARE = 0.75
RUNNING = frozenset({Status.OPEN, Status.IN_PROGRESS, Status.ESCALATED})
"""Statuses in which the resolution clock runs."""


class Badge(Vocabulary):
    """An SLA clock's (or a ticket's) state, in increasing severity but for MET."""

    MET = "met"
    NO_REPLY = "no_reply"
    """Resolved or Closed before any public reply: the response was never made."""
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    @classmethod
    def _noun(cls) -> str:
        return "SLA state"


_SEVERITY = {
    Badge.MET: 0,
    Badge.NO_REPLY: 1,
    Badge.ON_TRACK: 1,
    Badge.AT_RISK: 2,
    Badge.BREACHED: 3,
}


@dataclass(frozen=True, slots=True)
class Targets:
    """One priority's targets, in business minutes."""

    response_minutes: int
    resolution_minutes: int

    def __post_init__(self) -> None:
        if self.response_minutes <= 0 or self.resolution_minutes <= 0:
            raise ValidationError("SLA targets must be positive")


@dataclass(frozen=True, slots=True)
class Policy:
    """What an SLA policy promises, and over which calendar."""

    name: str
    calendar: BusinessCalendar
    targets: Mapping[Priority, Targets]
    at_risk_share: float = DEFAULT_AT_RISK_SHARE
    escalate_status: bool = False
    """Move At Risk/Breached tickets to Escalated (off by default: flag only)."""

    def __post_init__(self) -> None:
        if not 0 < self.at_risk_share < 1:
            raise ValidationError("the At Risk share must be between 0 and 1 (e.g. 0.75)")


Pause = tuple[datetime, datetime | None]
"""An interval when the resolution clock did not run; ``None``: still not running."""


@dataclass(slots=True)
class ClockState:
    """One clock, as the TUI shows it ("2h 10m left") and sorts by it.

    Not frozen on purpose: a frozen dataclass's ``__init__`` costs several times
    more, and lists build two of these per ticket. Treat it as a value anyway.
    """

    badge: Badge
    target_seconds: float
    elapsed_seconds: float
    due_at: datetime | None
    """When the clock reaches its target if nothing pauses it; None while paused."""
    stopped: bool
    paused: bool = False
    unanswered: bool = False
    """A response clock held because the ticket was resolved without any reply."""
    due_in_seconds: float | None = None
    """Wall-clock seconds from the state's ``now`` to ``due_at`` (negative once past);
    None when ``due_at`` is. Lists order by that instant, so the words beside a badge
    ("Late 21h", "2h 10m left") say this span, not the business time left: a
    business-hours ticket late since last night's close reads above a round-the-clock
    one late for less, and says so."""

    derived: ClassVar[tuple[str, ...]] = ("remaining_seconds", "used_share")
    """Properties that serialisers (``--json``) include beside the fields."""

    @property
    def remaining_seconds(self) -> float:
        """Business seconds left (negative once breached)."""
        return self.target_seconds - self.elapsed_seconds

    @property
    def used_share(self) -> float:
        return self.elapsed_seconds / self.target_seconds


def wall_remaining(clock: ClockState) -> float:
    """Seconds until the clock is due (negative: since it was), in wall-clock time
    where its due instant is known, else its business seconds left (a paused clock)."""
    return clock.due_in_seconds if clock.due_in_seconds is not None else clock.remaining_seconds


@dataclass(slots=True)
class SlaState:
    """Both clocks and the ticket's badge (a value; not frozen, see ClockState)."""

    policy: str
    response: ClockState
    resolution: ClockState

    derived: ClassVar[tuple[str, ...]] = ("badge",)

    @property
    def badge(self) -> Badge:
        """The worst clock; Met only when both clocks were met."""
        return max((self.response.badge, self.resolution.badge), key=lambda b: b.severity)

    @property
    def next_due(self) -> ClockState:
        """The clock that matters now: the running one due soonest (in wall-clock
        time, as lists order)."""
        running = [c for c in (self.response, self.resolution) if not c.stopped]
        if not running:
            return self.resolution
        return min(running, key=wall_remaining)


def clock_badge(
    elapsed: float, target: float, *, stopped: bool, share: float, breached: bool = False
) -> Badge:
    """Badge of one clock. Reaching the target exactly is still in time."""
    if breached or elapsed > target:
        return Badge.BREACHED
    if stopped:
        return Badge.MET
    if elapsed >= share * target:
        return Badge.AT_RISK
    return Badge.ON_TRACK


def running_business_seconds(
    calendar: BusinessCalendar, start: datetime, pauses: Sequence[Pause], now: datetime
) -> float:
    """Business time from ``start`` to ``now`` minus every pause (never negative)."""
    if now <= start:
        return 0.0
    total = calendar.business_seconds(start, now)
    for pause_start, pause_end in pauses:
        begin = max(pause_start, start)
        end = now if pause_end is None else min(pause_end, now)
        if end > begin:
            total -= calendar.business_seconds(begin, end)
    return max(total, 0.0)


def due_with_pauses(
    calendar: BusinessCalendar, start: datetime, seconds: float, pauses: Sequence[Pause]
) -> datetime | None:
    """When ``seconds`` of running business time will have passed since ``start``.

    Walks the pauses in order; returns None if the target falls in a pause that is
    still open (the clock is paused, so no due time can be promised).
    """
    remaining = seconds
    segment_start = start
    for pause_start, pause_end in sorted(pauses, key=lambda p: p[0]):
        if pause_start < segment_start:
            if pause_end is None:
                return None
            segment_start = max(segment_start, pause_end)
            continue
        candidate = calendar.add(segment_start, remaining)
        if candidate <= pause_start:
            return candidate
        remaining -= calendar.business_seconds(segment_start, pause_start)
        if pause_end is None:
            return None
        segment_start = max(segment_start, pause_end)
    return calendar.add(segment_start, remaining)


def compute(
    *,
    policy: Policy,
    priority: Priority,
    status: Status,
    created_at: datetime,
    first_response_at: datetime | None,
    pauses: Sequence[Pause],
    now: datetime,
    done_spans: Sequence[Pause] = (),
    response_breached: bool = False,
    resolution_breached: bool = False,
    with_due: bool = True,
) -> SlaState:
    """Both clocks of one ticket as of ``now``.

    ``done_spans`` are the intervals the ticket spent Resolved or Closed: the
    response clock does not run in them. ``with_due=False`` skips the due-time
    search (left None): filters, sorting and the sweep need badges and remaining
    time only, and skipping it halves the cost.
    """
    targets = policy.targets[priority]
    cal = policy.calendar
    share = policy.at_risk_share

    # B(created) and B(now) are shared by both clocks: ask the calendar once each.
    b_created = cal.cumulative(created_at)
    b_now = cal.cumulative(now) if now > created_at else b_created
    response_target = targets.response_minutes * 60.0
    stopped = status in (Status.RESOLVED, Status.CLOSED)
    # The response clock ends at the first public reply only: a ticket resolved
    # without one has not answered the customer. Its clock is held while the
    # ticket is done (done_spans) and goes on from there if it reopens.
    responded = (
        first_response_at if first_response_at is not None and first_response_at < now else None
    )
    response_end = responded or now
    if done_spans:
        response_elapsed = running_business_seconds(cal, created_at, done_spans, response_end)
    elif responded is None:
        response_elapsed = b_now - b_created
    else:
        response_elapsed = max(cal.cumulative(responded) - b_created, 0.0)
    unanswered = first_response_at is None and stopped
    response_badge = clock_badge(
        response_elapsed,
        response_target,
        stopped=first_response_at is not None,
        share=share,
        breached=response_breached,
    )
    if unanswered and response_badge != Badge.BREACHED:
        response_badge = Badge.NO_REPLY
    response = ClockState(
        badge=response_badge,
        target_seconds=response_target,
        elapsed_seconds=response_elapsed,
        due_at=due_with_pauses(cal, created_at, response_target, done_spans)
        if with_due and not unanswered
        else None,
        stopped=first_response_at is not None or unanswered,
        unanswered=unanswered,
    )

    resolution_target = targets.resolution_minutes * 60.0
    paused = not stopped and status not in RUNNING
    resolution_elapsed = b_now - b_created
    if pauses:
        resolution_elapsed = running_business_seconds(cal, created_at, pauses, now)
    resolution = ClockState(
        badge=clock_badge(
            resolution_elapsed,
            resolution_target,
            stopped=stopped,
            share=share,
            breached=resolution_breached,
        ),
        target_seconds=resolution_target,
        elapsed_seconds=resolution_elapsed,
        due_at=None
        if (paused or stopped or not with_due)
        else due_with_pauses(cal, created_at, resolution_target, pauses),
        stopped=stopped,
        paused=paused,
    )
    for clock in (response, resolution):
        if clock.due_at is not None:
            clock.due_in_seconds = (clock.due_at - now).total_seconds()
    return SlaState(policy.name, response, resolution)


def format_span(seconds: float) -> str:
    """``2h 10m``, ``45m`` or ``1d 3h``, without a direction."""
    total = int(abs(seconds) // 60)
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"


def describe(state: SlaState, *, named: bool = True) -> str:
    """The words after the badge, never contradicting it.

    ``3h 10m ago (resolution)`` for a running clock past its target, ``(response)``
    for a clock that stopped late, ``(resolved without a reply)`` for a done ticket
    nobody answered, nothing when both were met, else the running
    clock with the least time: ``2h 10m left (resolution)`` or ``paused (resolution)``.
    ``named=False`` leaves out which clock (cards and narrow columns).
    """
    clocks = (("response", state.response), ("resolution", state.resolution))
    late = [(name, c) for name, c in clocks if c.badge == Badge.BREACHED]
    if late:
        running = [(name, c) for name, c in late if not c.stopped]
        name, clock = (running or late)[0]
        if clock.stopped or clock.paused or clock.remaining_seconds >= 0:
            return f"({name})" if named else ""
        return f"{format_span(wall_remaining(clock))} ago" + (f" ({name})" if named else "")
    if state.response.unanswered:
        return "(resolved without a reply)" if named else ""
    if state.response.stopped and state.resolution.stopped:
        return ""
    clock = state.next_due
    name = "response" if clock is state.response else "resolution"
    which = f" ({name})" if named else ""
    if clock.paused:
        return f"paused{which}"
    return f"{format_span(wall_remaining(clock))} left{which}"


# -- pause bookkeeping -------------------------------------------------------------


def update_pauses(pauses: list[Pause], before: Status, after: Status, at: datetime) -> list[Pause]:
    """The pauses after a status move at ``at``: open one on stop, close it on resume."""
    was_running, runs = before in RUNNING, after in RUNNING
    result = list(pauses)
    if was_running and not runs:
        result.append((at, None))
    elif runs and not was_running and result and result[-1][1] is None:
        result[-1] = (result[-1][0], at)
    return result


def update_done_spans(
    spans: list[Pause], before: Status, after: Status, at: datetime
) -> list[Pause]:
    """The intervals spent Resolved or Closed after a status move at ``at``.

    Kept apart from the pauses because the response clock is held only while the
    ticket is done, not while it Waits on Customer.
    """
    result = list(spans)
    if after.is_done and not before.is_done:
        result.append((at, None))
    elif before.is_done and not after.is_done and result and result[-1][1] is None:
        result[-1] = (result[-1][0], at)
    return result


def pauses_from_history(moves: Iterable[tuple[datetime, Status, Status]]) -> list[Pause]:
    """Rebuild the pauses from a ticket's status moves (at, from, to), oldest first."""
    pauses: list[Pause] = []
    for at, before, after in moves:
        pauses = update_pauses(pauses, before, after, at)
    return pauses


def dump_pauses(pauses: Sequence[Pause]) -> str:
    """The stored form: compact JSON of ISO instants."""
    return json.dumps(
        [[start.isoformat(), end.isoformat() if end else None] for start, end in pauses],
        separators=(",", ":"),
    )


def load_pauses(text: str | None) -> list[Pause]:
    if not text or text == "[]":  # most tickets never waited: skip the JSON parser
        return []
    return [(_instant(start), _instant(end) if end else None) for start, end in json.loads(text)]


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def format_remaining(seconds: float) -> str:
    """``2h 10m left``, ``45m left`` or ``1d 3h over``."""
    over = seconds < 0
    total = int(abs(seconds) // 60)
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        text = f"{days}d {hours}h"
    elif hours:
        text = f"{hours}h {minutes:02d}m"
    else:
        text = f"{minutes}m"
    return f"{text} over" if over else f"{text} left"
