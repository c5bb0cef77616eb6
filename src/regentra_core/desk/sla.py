"""SLA use cases: editing policies and calendars, and the sweep that watches clocks.

Configuration changes are audited like ticket changes (Events without a ticket).
The sweep records every badge change on the ticket's history, marks breaches as
permanent, and flags At Risk/Breached tickets for escalation; it moves them to
Escalated only when the policy says so.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ..calendar import format_hours, parse_hours, zone
from ..enums import Priority, Status
from ..errors import NotFoundError, ValidationError
from ..events import EventKind
from ..sla import Badge, Targets
from ..sla_book import SlaBook, inputs_of
from ..sla_marks import settled
from ..sla_verdict import verdict
from ..store import clock_writes
from ..store.models import BusinessCalendarRow, Client, Holiday, SlaPolicy, SlaTarget, Ticket
from . import moves
from .moves import clean_text, sla_book
from .sla_marking import Halted, SweptMemo, never, resweep
from .sla_sweep_rows import (
    SWEEP_ACTOR,
    SweepPass,
    SweepReport,
    can_escalate,
    escalates,
    remark_chunk,
    sweep_chunk,
)
from .tx import Door, Tx, transaction

SWEEP_CHUNK = 500
"""Tickets swept per write transaction (keeps each lock short)."""


# -- calendars ----------------------------------------------------------------


def add_calendar(
    tx: Tx, name: str, *, timezone: str = "UTC", hours: str = "", always_open: bool = False
) -> BusinessCalendarRow:
    """Add a business-hours calendar (weekly hours in a time zone) or a 24x7 one."""
    tx.require_lead("change SLA settings")
    name = clean_text(name, what="calendar name", limit=100)
    zone(timezone)
    if not always_open:
        if not hours.strip():
            raise ValidationError("give opening hours (e.g. 'mon-fri 09:00-17:00') or 24x7")
        hours = format_hours(parse_hours(hours))
    s = tx.session
    if _find_calendar(s, name) is not None:
        raise ValidationError(f"a calendar named {name!r} already exists")
    row = BusinessCalendarRow(
        name=name,
        timezone=timezone,
        always_open=always_open,
        hours="" if always_open else hours,
        created_at=tx.now(),
    )
    s.add(row)
    s.flush()
    tx.event(None, EventKind.SLA_CALENDAR_ADDED, to=name, detail=_describe(row))
    return row


def set_calendar_hours(tx: Tx, name: str, hours: str, *, timezone: str | None = None) -> None:
    """Change a calendar's weekly hours (and time zone)."""
    tx.require_lead("change SLA settings")
    normalised = format_hours(parse_hours(hours))
    if timezone is not None:
        zone(timezone)
    s = tx.session
    row = _calendar(s, name)
    before = _describe(row)
    row.hours, row.always_open = normalised, False
    if timezone is not None:
        row.timezone = timezone
    tx.event(None, EventKind.SLA_CALENDAR_CHANGED, before, _describe(row), detail=name)


def add_holiday(tx: Tx, calendar: str, day: date, name: str = "") -> None:
    """Close a calendar for one day."""
    tx.require_lead("change SLA settings")
    s = tx.session
    row = _calendar(s, calendar)
    exists = s.exec(
        select(Holiday).where(Holiday.calendar_id == row.id, Holiday.day == day)
    ).first()
    if exists is not None:
        raise ValidationError(f"{day} is already a holiday in {calendar}")
    assert row.id is not None
    s.add(Holiday(calendar_id=row.id, day=day, name=name.strip()))
    tx.event(
        None,
        EventKind.SLA_HOLIDAY_ADDED,
        to=day.isoformat(),
        detail=f"{calendar}: {name}",
    )


def seed_holidays(tx: Tx, calendar: str, country: str, years: list[int]) -> int:
    """Add a country's public holidays (from the ``holidays`` package); returns count."""
    tx.require_lead("change SLA settings")
    import holidays as holiday_data

    try:
        found = holiday_data.country_holidays(country.upper(), years=years)
    except NotImplementedError:
        raise ValidationError(f"no public holiday data for country {country!r}") from None
    added = 0
    s = tx.session
    row = _calendar(s, calendar)
    assert row.id is not None
    known = {h.day for h in s.exec(select(Holiday).where(Holiday.calendar_id == row.id)).all()}
    for day, holiday_name in sorted(found.items()):
        if day not in known:
            s.add(Holiday(calendar_id=row.id, day=day, name=str(holiday_name)))
            added += 1
    tx.event(
        None,
        EventKind.SLA_HOLIDAYS_SEEDED,
        to=str(added),
        detail=f"{calendar}: {country.upper()} {', '.join(map(str, years))}",
    )
    return added


# -- policies -----------------------------------------------------------------


def add_policy(
    tx: Tx,
    name: str,
    *,
    calendar: str,
    at_risk_share: float = 0.75,
    escalate_status: bool = False,
    default: bool = False,
) -> SlaPolicy:
    """Add an SLA policy over a calendar; targets are set per priority after."""
    tx.require_lead("change SLA settings")
    name = clean_text(name, what="policy name", limit=100)
    _check_share(at_risk_share)
    s = tx.session
    if s.exec(select(SlaPolicy).where(SlaPolicy.name == name)).first() is not None:
        raise ValidationError(f"a policy named {name!r} already exists")
    cal = _calendar(s, calendar)
    assert cal.id is not None
    policy = SlaPolicy(
        name=name,
        calendar_id=cal.id,
        at_risk_share=at_risk_share,
        escalate_status=escalate_status,
        created_at=tx.now(),
    )
    s.add(policy)
    s.flush()
    if default:
        _make_default(s, policy)
    tx.event(None, EventKind.SLA_POLICY_ADDED, to=name, detail=f"calendar {calendar}")
    return policy


def set_policy(
    tx: Tx,
    name: str,
    *,
    calendar: str | None = None,
    at_risk_share: float | None = None,
    escalate_status: bool | None = None,
    default: bool = False,
) -> None:
    """Change a policy's calendar, At Risk share, escalation switch or defaultness."""
    tx.require_lead("change SLA settings")
    s = tx.session
    policy = _policy(s, name)
    changes: list[str] = []
    if calendar is not None:
        cal = _calendar(s, calendar)
        assert cal.id is not None
        policy.calendar_id = cal.id
        changes.append(f"calendar {calendar}")
    if at_risk_share is not None:
        _check_share(at_risk_share)
        policy.at_risk_share = at_risk_share
        changes.append(f"at-risk {at_risk_share:g}")
    if escalate_status is not None:
        policy.escalate_status = escalate_status
        changes.append("escalates status" if escalate_status else "flags only")
    if default:
        _make_default(s, policy)
        changes.append("default")
    if not changes:
        raise ValidationError("nothing to change")
    tx.event(None, EventKind.SLA_POLICY_CHANGED, to=name, detail=", ".join(changes))


def set_target(
    tx: Tx, policy: str, priority: Priority, *, response_minutes: int, resolution_minutes: int
) -> None:
    """Set one priority's response and resolution targets (business minutes)."""
    tx.require_lead("change SLA settings")
    Targets(response_minutes, resolution_minutes)  # refuses non-positive targets
    s = tx.session
    row = _policy(s, policy)
    assert row.id is not None
    target = s.exec(
        select(SlaTarget).where(SlaTarget.policy_id == row.id, SlaTarget.priority == priority)
    ).first()
    before = f"{target.response_minutes}/{target.resolution_minutes} min" if target else None
    if target is None:
        target = SlaTarget(
            policy_id=row.id,
            priority=priority,
            response_minutes=response_minutes,
            resolution_minutes=resolution_minutes,
        )
        s.add(target)
    else:
        target.response_minutes = response_minutes
        target.resolution_minutes = resolution_minutes
    tx.event(
        None,
        EventKind.SLA_TARGET_SET,
        before,
        f"{response_minutes}/{resolution_minutes} min",
        detail=f"{policy}: {priority.value}",
    )


def assign_policy(tx: Tx, client: str, policy: str | None) -> None:
    """Give a client its own policy, or ``None`` to fall back to the default."""
    tx.require_lead("change SLA settings")
    s = tx.session
    row = s.exec(select(Client).where(Client.name == client)).first()
    if row is None:
        raise NotFoundError(f"no client named {client!r}")
    before = s.get(SlaPolicy, row.sla_policy_id) if row.sla_policy_id else None
    target = _policy(s, policy) if policy else None
    row.sla_policy_id = target.id if target else None
    tx.event(
        None,
        EventKind.SLA_POLICY_ASSIGNED,
        before.name if before else "default",
        target.name if target else "default",
        detail=client,
    )


def _make_default(s: Session, policy: SlaPolicy) -> None:
    for other in s.exec(select(SlaPolicy).where(col(SlaPolicy.is_default).is_(True))).all():
        other.is_default = False
    policy.is_default = True


# -- the sweep ------------------------------------------------------------------


def run_sla_sweep(
    door: Door, now: datetime | None = None, *, halted: Halted = never
) -> SweepReport:
    """Record badge changes, make breaches permanent, flag (and maybe escalate).

    It reads only the tickets whose stored ``sla_sweep_at`` has come (an index
    range), not every clock, a chunk of tickets a short write transaction, as plain
    rows written in bulk (``sla_sweep_rows``); a ticket to move to Escalated, or one
    automation rules fire on, goes through the ORM (``_sweep_by_orm``). Stale marks
    (a migrated desk, a changed SLA set-up) are first made again, in chunks too,
    each stale ticket swept in the same write. ``halted`` is asked between chunks: a
    stopping worker returns within one chunk. Idempotent: a second sweep at the
    same time changes nothing. It opens its transactions itself, hence the door.
    """
    now = now or door.clock()
    report = SweepReport()
    sweep = SweepPass(now, report)
    if remark_stale(door, halted, sweep):
        with door.db.read() as s:
            conn = s.connection()
            report.checked = int(conn.execute(_WATCHED).scalar_one()) + sweep.settled
            candidates = list(
                conn.execute(
                    sa_select(col(Ticket.number))
                    .where(col(Ticket.sla_sweep_at) <= now)
                    .order_by(col(Ticket.number))
                ).scalars()
            )
        # Chunks of SWEEP_CHUNK tickets, one write transaction each: holding the
        # write lock for all of them would stall every technician.
        for start in range(0, len(candidates), SWEEP_CHUNK):
            if halted():
                break
            with transaction(door) as tx:
                sweep_chunk(tx, candidates[start : start + SWEEP_CHUNK], sweep)
                _sweep_by_orm(tx, sweep)
    if not report.changed:
        # A sweep that changed nothing writes nothing: an event every minute made
        # every open app reload its board (their change poll saw it).
        return report
    with transaction(door) as tx:
        tx.event(
            None,
            EventKind.SLA_SWEEP_RUN,
            to=f"{len(report.changed)} changed",
            at=now,
            actor=SWEEP_ACTOR,
            detail=f"checked {report.checked}",
        )
    return report


_WORKING = [status.value for status in Status if not status.is_done]
_SWEEP_AT = col(Ticket.sla_sweep_at).is_not(None)
_WATCHED = sa_select(
    sa_select(func.count()).where(_SWEEP_AT).scalar_subquery()
    + sa_select(func.count())
    .where(col(Ticket.status).in_(_WORKING), col(Ticket.sla_rest).is_not(None))
    .scalar_subquery()
    - sa_select(func.count()).where(_SWEEP_AT, col(Ticket.status).in_(_WORKING)).scalar_subquery()
)
"""The tickets under an SLA the sweep watches (its report's ``checked``): every
working one, and done ones until their final badge is recorded, which are exactly
the done ones with a ``sla_sweep_at`` (``sla_marks.sweep_at``). Counted as those
with one plus the working ones without, each part from an index, instead of a scan
of the table (90 ms at 100k)."""


def remark_stale(door: Door, halted: Halted = never, sweep: SweepPass | None = None) -> bool:
    """Mark every stale ticket (a migrated desk's, all after the SLA set-up changed
    what clocks say), a chunk a write transaction, until none is left or
    ``halted()``; given a ``sweep``, each stale ticket it is due for is swept in the
    same write. True when all are marked."""
    with door.db.read() as s:
        if clock_writes.marks_are_current(s):
            return True  # the steady case: no write transaction at all
    while not halted():
        with transaction(door) as tx:
            marked = remark_chunk(tx, sweep)
            if sweep is not None:
                _sweep_by_orm(tx, sweep, marked_now=True)
            if not marked:
                return True
    return False


def _sweep_by_orm(tx: Tx, sweep: SweepPass, *, marked_now: bool = False) -> None:
    """Sweep the tickets the chunk left to the ORM, one Ticket object each: their
    badge change moves them to Escalated or fires automation rules (``marked_now``:
    the chunk marked them too)."""
    numbers = sweep.take_orm()
    if not numbers:
        return
    book = sla_book(tx)
    swept = tx.memo(SweptMemo).at
    gen = clock_writes.current_generation(tx.session)
    for ticket in moves.load_all(tx, numbers):
        assert ticket.id is not None
        swept[ticket.id] = sweep.now
        _sweep_one(tx, ticket, book, sweep.now, sweep.report)
        # Its next sweep instant now, so that one UPDATE writes it with the badge
        # (the Desk's marking at commit then finds nothing to change).
        resweep(ticket, gen, sweep.now)
        if marked_now and settled(ticket.status, ticket.sla_badge):
            sweep.settled += 1  # watched as marked, no longer once swept


def _sweep_one(tx: Tx, ticket: Ticket, book: SlaBook, now: datetime, report: SweepReport) -> None:
    state = book.state(inputs_of(ticket), now, with_due=False)
    if state is None:
        return
    found = verdict(
        state,
        recorded=ticket.sla_badge,
        response_breached=ticket.response_breached,
        resolution_breached=ticket.resolution_breached,
        done=ticket.status.is_done,
    )
    if found.response_breached and not ticket.response_breached:
        ticket.response_breached = True
    if found.resolution_breached and not ticket.resolution_breached:
        ticket.resolution_breached = True
    if found.new is None:
        return
    ticket.sla_badge = found.new.value
    report.changed.append((ticket.number, found.old, found.new.value))
    tx.event(
        ticket,
        EventKind.SLA_BADGE_CHANGED,
        found.old,
        found.new.value,
        at=now,
        actor=SWEEP_ACTOR,
        detail=found.detail,
    )
    if found.flag:
        report.flagged.append(ticket.number)
        _flag(tx, ticket, found.new, book, now, report)


def _flag(
    tx: Tx,
    ticket: Ticket,
    badge: Badge,
    book: SlaBook,
    now: datetime,
    report: SweepReport,
) -> None:
    moving = escalates(book, ticket.client_id) and can_escalate(ticket.status)
    action = "moved to Escalated" if moving else "flagged only (policy setting)"
    tx.event(
        ticket,
        EventKind.SLA_ESCALATION_FLAGGED,
        to=badge.value,
        at=now,
        actor=SWEEP_ACTOR,
        detail=action,
    )
    if moving:
        moves.transition(tx, ticket, Status.ESCALATED, actor=SWEEP_ACTOR, at=now)
        report.escalated.append(ticket.number)


def _find_calendar(s: Session, name: str) -> BusinessCalendarRow | None:
    return s.exec(select(BusinessCalendarRow).where(BusinessCalendarRow.name == name)).first()


def _calendar(s: Session, name: str) -> BusinessCalendarRow:
    row = _find_calendar(s, name)
    if row is None:
        raise NotFoundError(f"no calendar named {name!r}")
    return row


def _policy(s: Session, name: str) -> SlaPolicy:
    row = s.exec(select(SlaPolicy).where(SlaPolicy.name == name)).first()
    if row is None:
        raise NotFoundError(f"no SLA policy named {name!r}")
    return row


def _check_share(share: float) -> None:
    if not 0 < share < 1:
        raise ValidationError("the At Risk share must be between 0 and 1 (e.g. 0.75)")


def _describe(row: BusinessCalendarRow) -> str:
    return "24x7" if row.always_open else f"{row.hours} ({row.timezone})"
