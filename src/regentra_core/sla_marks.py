"""A ticket's SLA marks: the instants its badge will change, stored on the ticket.

A ticket's badge only ever gets worse as time passes while nothing about the ticket
changes (elapsed business time never goes down; a breach is permanent). So the badge
at any later ``now`` is a step function with at most two steps, and three instants
and a word describe it for every ``now`` from the ticket's last change on:

- ``risk_at``: from then on the badge is At Risk or worse;
- ``breach_at``: from then on it is Breached;
- ``rest``: the badge before ``risk_at`` (On Track, Met, Resolved without a reply);
  ``None`` when no SLA applies to the ticket.

``due_at`` is when the soonest running clock reaches its target (None when no clock
runs): the SLA order's "least time left". The list's SLA filters and order read these
columns with SQL instead of computing every ticket's clocks (12 s at 100k tickets);
the sweep reads the tickets whose ``sweep_at`` has come.

The instants are exactly those at which :meth:`SlaBook.state` changes its answer:
each is guessed from the calendar (``due_with_pauses``) and then checked against
``compute`` itself, a microsecond either side, so that float rounding in the
calendar's tables can never make SQL and the detail view disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .enums import Status
from .sla import Badge, ClockState, SlaState, due_with_pauses, load_pauses
from .sla_book import ClockInputs, SlaBook

ALWAYS = datetime(1970, 1, 1, tzinfo=UTC)
"""The instant a clock that is already At Risk or Breached for good is marked with."""
_TICK = timedelta(microseconds=1)
_HORIZON = timedelta(days=3660)
"""How far ahead a boundary is looked for before the clock is taken never to get there."""

_DONE = (Status.RESOLVED, Status.CLOSED)
FINAL_BADGES = frozenset({Badge.MET.value, Badge.BREACHED.value, Badge.NO_REPLY.value})
"""Recorded badges the sweep no longer looks at on a done ticket (as it always did)."""


@dataclass(frozen=True, slots=True)
class Marks:
    """What the ticket table stores about a ticket's clocks (module docstring)."""

    rest: Badge | None = None
    risk_at: datetime | None = None
    breach_at: datetime | None = None
    due_at: datetime | None = None
    response_breach_at: datetime | None = None
    resolution_breach_at: datetime | None = None
    """Per clock, for the sweep: it records a breach on the clock that breached."""

    def badge(self, now: datetime) -> Badge | None:
        """The badge these marks give at ``now`` (what the SQL filters say)."""
        if self.rest is None:
            return None
        if self.breach_at is not None and self.breach_at <= now:
            return Badge.BREACHED
        if self.risk_at is not None and self.risk_at <= now:
            return Badge.AT_RISK
        return self.rest


@dataclass(frozen=True, slots=True)
class _ClockMarks:
    rest: Badge
    risk_at: datetime | None
    breach_at: datetime | None


def marks_of(book: SlaBook, ticket: ClockInputs, at: datetime) -> Marks:
    """The marks of ``ticket`` from ``at`` (its last change) on."""
    return marks_with_state(book, ticket, at)[0]


def marks_with_state(
    book: SlaBook, ticket: ClockInputs, at: datetime
) -> tuple[Marks, SlaState | None]:
    """The marks of ``ticket`` from ``at`` on, and its clocks at ``at`` they were
    made from (None: no SLA applies)."""
    policy = book.policy_for(ticket.client_id)
    if policy is None or ticket.priority not in policy.targets:
        return Marks(), None
    state = book.state(ticket, at)
    assert state is not None
    targets = policy.targets[ticket.priority]
    share = policy.at_risk_share
    cal = policy.calendar

    def response_at(t: datetime) -> Badge:
        found = book.state(ticket, t, with_due=False)
        assert found is not None
        return found.response.badge

    def resolution_at(t: datetime) -> Badge:
        found = book.state(ticket, t, with_due=False)
        assert found is not None
        return found.resolution.badge

    responded = ticket.first_response_at is not None
    spans = load_pauses(ticket.sla_done_spans)
    pauses = load_pauses(ticket.sla_pauses)
    response = _clock(
        state.response,
        moving=not responded and not (spans and spans[-1][1] is None),
        guess=lambda seconds: due_with_pauses(cal, ticket.created_at, seconds, spans),
        target=targets.response_minutes * 60.0,
        share=share,
        badge_at=response_at,
    )
    resolution = _clock(
        state.resolution,
        moving=not (pauses and pauses[-1][1] is None),
        guess=lambda seconds: due_with_pauses(cal, ticket.created_at, seconds, pauses),
        target=targets.resolution_minutes * 60.0,
        share=share,
        badge_at=resolution_at,
    )
    marks = Marks(
        rest=max((response.rest, resolution.rest), key=lambda b: b.severity),
        risk_at=_soonest(response.risk_at, resolution.risk_at),
        breach_at=_soonest(response.breach_at, resolution.breach_at),
        due_at=_due(state),
        response_breach_at=response.breach_at,
        resolution_breach_at=resolution.breach_at,
    )
    return marks, state


def still_since(ticket: ClockInputs) -> datetime | None:
    """From when neither of ``ticket``'s clocks moves (None: one still does), as
    ``marks_of`` reads it: the response clock stops at the first reply (``compute``
    counts a reply strictly before its ``now``) or while the ticket is done, the
    resolution clock while a pause is open. From then on its clocks read the same
    at every instant, so the sweep may read them from the marks' computation."""
    pauses = load_pauses(ticket.sla_pauses)
    if not pauses or pauses[-1][1] is not None:
        return None
    since = pauses[-1][0]
    if ticket.first_response_at is not None:
        return max(since, ticket.first_response_at + _TICK)
    spans = load_pauses(ticket.sla_done_spans)
    if not spans or spans[-1][1] is not None:
        return None
    return max(since, spans[-1][0])


def _clock(
    clock: ClockState,
    *,
    moving: bool,
    guess: Callable[[float], datetime | None],
    target: float,
    share: float,
    badge_at: Callable[[datetime], Badge],
) -> _ClockMarks:
    """One clock's marks from the instant ``clock`` was computed at: constant if its
    elapsed time no longer grows (answered, paused, done), else its boundaries. A
    badge only gets worse, so one already Breached (or At Risk) stays so from then."""
    if clock.badge == Badge.BREACHED:
        return _ClockMarks(Badge.MET, ALWAYS, ALWAYS)
    if not moving:
        if clock.badge == Badge.AT_RISK:
            return _ClockMarks(Badge.ON_TRACK, ALWAYS, None)
        return _ClockMarks(clock.badge, None, None)
    breach_at = _earliest(lambda t: badge_at(t) == Badge.BREACHED, guess(target + 1e-6))
    if clock.badge in (Badge.MET, Badge.NO_REPLY):
        # A stopped clock is never At Risk: it goes straight to Breached.
        return _ClockMarks(clock.badge, breach_at, breach_at)
    if clock.badge == Badge.AT_RISK:
        return _ClockMarks(Badge.ON_TRACK, ALWAYS, breach_at)
    risk_at = _earliest(lambda t: badge_at(t).severity >= 2, guess(share * target))
    return _ClockMarks(Badge.ON_TRACK, _soonest(risk_at, breach_at), breach_at)


def _earliest(holds: Callable[[datetime], bool], guess: datetime | None) -> datetime | None:
    """The first microsecond at which ``holds`` (monotone: once true, true after),
    starting from the calendar's ``guess``; None if it never holds within the horizon.

    Almost always the guess is right and this costs two calls; when rounding puts it
    off, it gallops away from the guess and bisects back.
    """
    if guess is None:
        return None
    if holds(guess):
        if not holds(guess - _TICK):
            return guess
        good, step = guess - _TICK, _TICK
        while True:
            step *= 2
            probe = good - step
            if probe <= ALWAYS or not holds(probe):
                bad = max(probe, ALWAYS)
                break
            good = probe
    else:
        bad, step = guess, _TICK
        while True:
            probe = bad + step
            if probe > guess + _HORIZON:
                return None
            if holds(probe):
                good = probe
                break
            bad, step = probe, step * 2
    while good - bad > _TICK:
        middle = bad + (good - bad) / 2
        if holds(middle):
            good = middle
        else:
            bad = middle
    return good


def _soonest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _due(state: SlaState) -> datetime | None:
    """When the soonest running clock (neither stopped nor paused) reaches its target."""
    dues = [
        c.due_at
        for c in (state.response, state.resolution)
        if not c.stopped and not c.paused and c.due_at is not None
    ]
    return min(dues) if dues else None


def sweep_at(
    marks: Marks,
    *,
    status: Status,
    recorded: str | None,
    response_breached: bool,
    resolution_breached: bool,
    after: datetime | None = None,
) -> datetime | None:
    """The first instant the sweep has something to record for this ticket (a badge
    other than ``recorded``, or a clock's breach not yet flagged), later than
    ``after`` when given (the sweep that just looked); None: nothing ever.

    The sweep's own rule for which tickets it looks at is kept: a done ticket whose
    recorded badge is final (Met, Breached, Resolved without a reply) is left alone.
    """
    if marks.rest is None:
        return None
    if settled(status, recorded):
        return None
    shown = recorded or Badge.ON_TRACK.value
    candidates = [ALWAYS, marks.risk_at, marks.breach_at]
    if not response_breached:
        candidates.append(marks.response_breach_at)
    if not resolution_breached:
        candidates.append(marks.resolution_breach_at)
    for t in sorted({c for c in candidates if c is not None}):
        if after is not None and t <= after:
            continue
        if marks.badge(t) != Badge(shown):
            return t
        if not response_breached and _reached(marks.response_breach_at, t):
            return t
        if not resolution_breached and _reached(marks.resolution_breach_at, t):
            return t
    return None


def settled(status: Status, recorded: str | None) -> bool:
    """A done ticket whose recorded badge is final: the sweep never looks at it again."""
    return status in _DONE and recorded in FINAL_BADGES


def resweep_whole(marks: Marks, after: datetime) -> bool:
    """Whether the stored ``marks`` cannot tell the next sweep's instant after
    ``after``: a clock breached by then, and the other's breach is not stored, so
    the clocks must be marked whole again."""
    return marks.breach_at is not None and marks.breach_at <= after


def _reached(at: datetime | None, t: datetime) -> bool:
    return at is not None and at <= t
