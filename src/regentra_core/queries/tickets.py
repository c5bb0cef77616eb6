"""Ticket lists: filtered, sorted, paged, with live SLA clocks; counts per status.

Lists are always paged: a desk with 100k tickets is never loaded whole. The board's
first pages and counts read the working tickets and the recent done ones as two
halves, each from an index.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..clock import utcnow
from ..enums import Status
from ..errors import NotFoundError, ValidationError
from ..sla import Badge
from ..sla_book import SlaBook, clock_columns, clock_inputs, inputs_of
from ..store import clock_writes
from ..store.engine import Database
from ..store.models import (
    Client,
    Contact,
    Event,
    Technician,
    Ticket,
)
from ..ticket_records import PRIORITY_ORDER as _PRIORITY_ORDER
from ..ticket_records import UNASSIGNED as UNASSIGNED
from ..ticket_records import SortKey as SortKey
from ..ticket_records import TicketFilter as TicketFilter
from ..ticket_records import TicketRow as TicketRow
from ..ticket_records import board_sort as board_sort
from ..ticket_records import escape_like as _escape_like
from ..ticket_records import sla_key as _sla_key
from . import number_set
from .number_set import in_number_set

_Query = Any
"""A ticket-row SELECT (Select's type parameters differ across SQLAlchemy 2.x)."""

_Master = aliased(Ticket, name="master_ticket")
_FollowUp = aliased(Ticket, name="follow_up_ticket")


def _base_query() -> _Query:
    return (
        sa_select(
            Ticket,
            col(Client.name),
            col(Client.vip),
            col(Contact.name),
            col(Contact.email),
            col(Contact.phone),
            col(Technician.username),
            col(_Master.number),
            col(_FollowUp.number),
        )
        .outerjoin(Client, col(Client.id) == col(Ticket.client_id))
        .outerjoin(Contact, col(Contact.id) == col(Ticket.contact_id))
        .outerjoin(Technician, col(Technician.id) == col(Ticket.assignee_id))
        .outerjoin(_Master, col(_Master.id) == col(Ticket.master_id))
        .outerjoin(_FollowUp, col(_FollowUp.id) == col(Ticket.follow_up_of_id))
    )


def _lean_query(f: TicketFilter, *columns: Any) -> _Query:
    """A SELECT of ``columns`` from tickets with only the joins ``f`` needs (for counts)."""
    query = sa_select(*columns).select_from(Ticket)
    if f.client:
        query = query.outerjoin(Client, col(Client.id) == col(Ticket.client_id))
    if f.assignee and f.assignee != UNASSIGNED:
        query = query.outerjoin(Technician, col(Technician.id) == col(Ticket.assignee_id))
    return query


def _apply_filter(query: _Query, f: TicketFilter) -> _Query:
    if f.statuses:
        query = query.where(col(Ticket.status).in_([s.value for s in f.statuses]))
    if f.priorities:
        query = query.where(col(Ticket.priority).in_([p.value for p in f.priorities]))
    if f.assignee == UNASSIGNED:
        query = query.where(col(Ticket.assignee_id).is_(None))
    elif f.assignee:
        query = query.where(col(Technician.username) == f.assignee)
    if f.client:
        query = query.where(func.lower(col(Client.name)) == f.client.strip().lower())
    if f.since:
        query = query.where(col(Ticket.created_at) >= f.since)
    if f.until:
        query = query.where(col(Ticket.created_at) < f.until)
    if f.numbers is not None:
        query = query.where(in_number_set(col(Ticket.number), f.numbers))
    if f.channels:
        query = query.where(col(Ticket.channel).in_([c.value for c in f.channels]))
    if f.contact_id is not None:
        query = query.where(col(Ticket.contact_id) == f.contact_id)
    if f.client_id is not None:
        query = query.where(col(Ticket.client_id) == f.client_id)
    if f.text:
        needle = f"%{_escape_like(f.text.strip())}%"
        query = query.where(col(Ticket.subject).ilike(needle, escape="\\"))
    return query


def _row(
    values: Sequence[Any], book: SlaBook | None = None, now: datetime | None = None
) -> TicketRow:
    t, client, vip, contact, email, phone, assignee, master, follow_up = values
    state = book.state(inputs_of(t), now or utcnow()) if book is not None else None
    return TicketRow(
        number=t.number,
        subject=t.subject,
        status=t.status,
        priority=t.priority,
        suggested_priority=t.suggested_priority,
        channel=t.channel,
        client=client,
        client_vip=bool(vip),
        contact=contact,
        contact_email=email,
        contact_phone=phone,
        assignee=assignee,
        is_master=t.is_master,
        master=master,
        follow_up_of=follow_up,
        version=t.version,
        created_at=t.created_at,
        updated_at=t.updated_at,
        first_response_at=t.first_response_at,
        resolved_at=t.resolved_at,
        closed_at=t.closed_at,
        sla=state,
    )


def list_tickets(
    db: Database,
    f: TicketFilter | None = None,
    *,
    sort: SortKey = SortKey.NUMBER,
    descending: bool = False,
    limit: int = 200,
    offset: int = 0,
    now: datetime | None = None,
    book: SlaBook | None = None,
    done_since: datetime | None = None,
) -> list[TicketRow]:
    """One page of tickets matching ``f``, in a stable order, with live SLA clocks.

    Pass ``book`` (from :func:`sla_book`) when making several queries in a row.

    SQL does the filtering, ordering and paging, the SLA filter and SLA order too:
    they read the SLA marks the Desk stores on every ticket (``sla_marks``). Only
    while those are stale (a migrated desk, a changed SLA set-up, until the sweep
    has marked them again) are every candidate's clocks computed from a narrow
    query of the clock inputs, and only the page's tickets then loaded whole.
    """
    if limit < 0 or offset < 0:
        raise ValidationError("limit and offset cannot be negative")
    f = f or TicketFilter()
    now = now or utcnow()
    query = _done_since(_apply_filter(_base_query(), f), done_since, f.statuses)
    with db.read() as s:
        book = book or SlaBook.load(s)
        if (f.sla or sort == SortKey.SLA) and clock_writes.marks_are_current(s):
            query = query.where(*_sla_where(f.sla, now))
            order = _sla_order(now, descending) if sort == SortKey.SLA else _order(sort, descending)
            query = query.order_by(*order).limit(limit).offset(offset)
            return [_row(r, book, now) for r in s.execute(query).all()]
        if f.sla or sort == SortKey.SLA:
            numbers = _numbers_by_sla(s, query, f, book, now, sort, descending)
            page = numbers[offset : offset + limit]
            rows = {
                r[0].number: _row(r, book, now)
                for r in s.execute(query.where(col(Ticket.number).in_(page))).all()
            }
            return [rows[n] for n in page]
        query = query.order_by(*_order(sort, descending)).limit(limit).offset(offset)
        return [_row(r, book, now) for r in s.execute(query).all()]


def _priority_rank(priority: Any) -> Any:
    """A priority column as its rank (Critical highest), for sorting in SQL."""
    return case(*((priority == p.value, rank) for p, rank in _PRIORITY_ORDER.items()), else_=-1)


def _order(sort: SortKey, descending: bool) -> tuple[Any, ...]:
    key: Any
    if sort == SortKey.PRIORITY:
        key = _priority_rank(col(Ticket.priority))
    elif sort == SortKey.UPDATED:
        key = col(Ticket.updated_at)
    elif sort == SortKey.CREATED:
        key = col(Ticket.created_at)
    else:
        key = col(Ticket.number)
    tie = col(Ticket.number)
    return (key.desc(), tie.desc()) if descending else (key.asc(), tie.asc())


def _sla_where(badges: Sequence[Badge], now: datetime) -> tuple[Any, ...]:
    """Only tickets whose badge at ``now`` is one of ``badges``, from their marks:
    exactly what ``SlaBook.state(...).badge`` says (a parity test holds them)."""
    if not badges:
        return ()
    return (or_(*(_badge_is(badge, now) for badge in badges)),)


def _badge_is(badge: Badge, now: datetime) -> Any:
    risk, breach = col(Ticket.sla_risk_at), col(Ticket.sla_breach_at)
    if badge == Badge.BREACHED:
        return breach <= now
    if badge == Badge.AT_RISK:
        return and_(risk <= now, or_(breach.is_(None), breach > now))
    return and_(col(Ticket.sla_rest) == badge.value, or_(risk.is_(None), risk > now))


def _sla_order(now: datetime, descending: bool) -> tuple[Any, ...]:
    """``_sla_key`` in SQL, from the marks: the badge's rank at ``now``, then the
    soonest running clock's due instant, then the number."""
    severity = case(
        (col(Ticket.sla_breach_at) <= now, 3),
        (col(Ticket.sla_risk_at) <= now, 2),
        (col(Ticket.sla_rest) == Badge.MET.value, 0),
        else_=1,
    )
    rank = case(
        (col(Ticket.sla_rest).is_(None), 9),
        (col(Ticket.sla_due_at).is_(None), 5 - severity),
        else_=-severity,
    )
    keys = (rank, col(Ticket.sla_due_at), col(Ticket.number))
    return tuple(key.desc() for key in keys) if descending else tuple(k.asc() for k in keys)


def _numbers_by_sla(
    s: Session,
    query: _Query,
    f: TicketFilter,
    book: SlaBook,
    now: datetime,
    sort: SortKey,
    descending: bool,
) -> list[int]:
    narrow = query.with_only_columns(*clock_columns()).order_by(
        *_order(sort if sort != SortKey.SLA else SortKey.NUMBER, descending)
    )
    wanted = set(f.sla)
    keyed: list[tuple[tuple[int, float], int]] = []
    for row in s.connection().execute(narrow).all():
        number, inputs = clock_inputs(row)
        state = book.state(inputs, now, with_due=sort == SortKey.SLA)
        if wanted and (state is None or state.badge not in wanted):
            continue
        keyed.append((_sla_key(state), number))
    if sort == SortKey.SLA:
        keyed.sort(reverse=descending)
    return [number for _, number in keyed]


def count_tickets(
    db: Database,
    f: TicketFilter | None = None,
    *,
    now: datetime | None = None,
    book: SlaBook | None = None,
) -> int:
    """How many tickets match ``f`` (for "showing 1-50 of 1,234")."""
    f = f or TicketFilter()
    query = _apply_filter(_base_query(), f)
    with db.read() as s:
        if f.sla and clock_writes.marks_are_current(s):
            query = _apply_filter(_lean_query(f, func.count()), f)
            return int(s.execute(query.where(*_sla_where(f.sla, now or utcnow()))).scalar_one())
        if f.sla:
            book = book or SlaBook.load(s)
            numbers = _numbers_by_sla(s, query, f, book, now or utcnow(), SortKey.NUMBER, False)
            return len(numbers)
        inner = query.subquery()
        return int(s.execute(select(func.count()).select_from(inner)).scalar_one())


_DONE = (Status.RESOLVED.value, Status.CLOSED.value)
_WORKING = tuple(s.value for s in Status if not s.is_done)


def _done_since(query: _Query, since: datetime | None, statuses: Sequence[Status] = ()) -> _Query:
    """Resolved and Closed tickets only if updated since ``since`` (the board's done
    columns: a desk's years of closed tickets are what made its query slow). For a
    page of a done column alone (``statuses``), a plain range on the (status,
    updated_at) index."""
    if since is None:
        return query
    if statuses and all(status.is_done for status in statuses):
        return query.where(col(Ticket.updated_at) >= since)
    return query.where(or_(col(Ticket.status).not_in(_DONE), col(Ticket.updated_at) >= since))


def _working_and_recent(query: _Query, since: datetime) -> Any:
    """``_done_since`` as two halves each answered from an index (tickets by status;
    done tickets by update time), instead of one condition SQLite met by reading
    every ticket (80 ms at 100k)."""
    working = query.where(col(Ticket.status).in_(_WORKING))
    recent = query.where(col(Ticket.status).in_(_DONE), col(Ticket.updated_at) >= since)
    return working.union_all(recent).subquery()


def on_the_board(db: Database, f: TicketFilter, done_since: datetime | None) -> TicketFilter:
    """``f`` with its number set (a search's matches) cut to the tickets a board can
    show: the working ones, and the done ones updated since ``done_since``.

    The board binds the set to each of its statements (the counts, a page per
    column); a common word's 100,000 numbers cost each one ~17 ms in SQLite's
    ``json_each`` alone at 100k tickets, though the board shows a few thousand
    tickets at most. Those are read once here, from the two indexes the board's own
    queries use, and the set is cut to them in Python.
    """
    if f.numbers is None or done_since is None or len(f.numbers) <= number_set.PLAIN_UP_TO:
        return f
    shown = _working_and_recent(sa_select(col(Ticket.number)), done_since)
    with db.read() as s:
        numbers = set(s.execute(sa_select(shown.c.number)).scalars())
    numbers.intersection_update(f.numbers)
    return replace(f, numbers=tuple(sorted(numbers)))


def count_by_status(
    db: Database,
    f: TicketFilter,
    *,
    now: datetime | None = None,
    book: SlaBook | None = None,
    done_since: datetime | None = None,
) -> dict[Status, int]:
    """Tickets per status matching ``f`` (its own statuses ignored), in one query;
    Resolved and Closed ones only if updated since ``done_since`` when given."""
    f = replace(f, statuses=())
    counts = {status: 0 for status in Status}
    with db.read() as s:
        if f.sla and clock_writes.marks_are_current(s):
            where = _sla_where(f.sla, now or utcnow())
            if done_since is None:
                grouped = _apply_filter(_lean_query(f, col(Ticket.status), func.count()), f)
                grouped = grouped.where(*where).group_by(col(Ticket.status))
            else:
                lean = _apply_filter(_lean_query(f, col(Ticket.status)), f).where(*where)
                rows = _working_and_recent(lean, done_since)
                grouped = sa_select(rows.c.status, func.count()).group_by(rows.c.status)
            for status, n in s.execute(grouped).all():
                counts[Status(status)] = int(n)
            return counts
        if f.sla:
            query = _done_since(_apply_filter(_base_query(), f), done_since)
            book = book or SlaBook.load(s)
            narrow = query.with_only_columns(*clock_columns())
            wanted = set(f.sla)
            for row in s.connection().execute(narrow).all():
                _, inputs = clock_inputs(row)
                state = book.state(inputs, now or utcnow(), with_due=False)
                if state is not None and state.badge in wanted:
                    counts[inputs.status] += 1
            return counts
        if done_since is None:
            grouped = _apply_filter(_lean_query(f, col(Ticket.status), func.count()), f)
            grouped = grouped.group_by(col(Ticket.status))
        else:
            rows = _working_and_recent(
                _apply_filter(_lean_query(f, col(Ticket.status)), f), done_since
            )
            grouped = sa_select(rows.c.status, func.count()).group_by(rows.c.status)
        for status, n in s.execute(grouped).all():
            counts[Status(status)] = int(n)
    return counts


def first_pages_by_status(
    db: Database,
    f: TicketFilter,
    per_status: int,
    *,
    now: datetime | None = None,
    book: SlaBook | None = None,
    done_since: datetime | None = None,
    sort: SortKey = SortKey.PRIORITY,
    counted: Mapping[Status, int] | None = None,
) -> dict[Status, list[TicketRow]]:
    """The first ``per_status`` tickets of every status, highest priority first, or
    most urgent SLA first with ``sort=SortKey.SLA`` (the done columns, whose clocks
    have all stopped, stay by priority) (Resolved and Closed ones only if updated
    since ``done_since`` when given).

    One query with a window function (ROW_NUMBER per status) instead of one query
    per board column, ranking only the columns it needs (number, status, priority)
    with only the joins the filter needs; the full rows are read for the winners.
    The SLA filter and SLA order take a page per status (``list_tickets``, which
    reads them from the stored SLA marks); given the columns' counts (``counted``,
    from :func:`count_by_status` with the same filter), a column counted empty is
    not asked (a search's board: its done columns, mostly).
    """
    f = replace(f, statuses=())
    now = now or utcnow()
    if f.sla or sort == SortKey.SLA:
        # The badge's rank at ``now`` is a CASE over the marks: a page per column.
        return {
            status: []
            if counted is not None and not counted.get(status)
            else list_tickets(
                db,
                replace(f, statuses=(status,)),
                sort=board_sort(status, sort),
                descending=board_sort(status, sort) == SortKey.PRIORITY,
                limit=per_status,
                now=now,
                book=book,
                done_since=done_since,
            )
            for status in Status
        }
    lean = _apply_filter(
        _lean_query(f, col(Ticket.number), col(Ticket.status), col(Ticket.priority)), f
    )
    rows = lean.subquery() if done_since is None else _working_and_recent(lean, done_since)
    by_priority = _priority_rank(rows.c.priority)
    rank = (
        func.row_number()
        .over(partition_by=rows.c.status, order_by=(by_priority.desc(), rows.c.number.desc()))
        .label("board_rank")
    )
    ranked = sa_select(rows.c.number, rank).subquery()
    numbers = select(ranked.c.number).where(ranked.c.board_rank <= per_status)
    query = _base_query().where(col(Ticket.number).in_(numbers))
    query = query.order_by(*_order(SortKey.PRIORITY, True))
    pages: dict[Status, list[TicketRow]] = {status: [] for status in Status}
    with db.read() as s:
        book = book or SlaBook.load(s)
        for values in s.execute(query).all():
            row = _row(values, book, now)
            pages[row.status].append(row)
    return pages


def sla_book(db: Database) -> SlaBook:
    """The SLA configuration, loaded once for several queries."""
    with db.read() as s:
        return SlaBook.load(s)


def get_ticket(db: Database, number: int, *, now: datetime | None = None) -> TicketRow:
    """One ticket's row with its SLA clocks, or NotFoundError."""
    with db.read() as s:
        return _get_row(s, number, now)


def _get_row(
    s: Session, number: int, now: datetime | None = None, book: SlaBook | None = None
) -> TicketRow:
    found = s.execute(_base_query().where(col(Ticket.number) == number)).first()
    if found is None:
        raise NotFoundError(f"no ticket #{number}")
    return _row(found, book or SlaBook.load(s), now)


def status_counts(db: Database) -> dict[Status, int]:
    """Tickets per status, for summaries and board column headers."""
    with db.read() as s:
        rows = s.execute(
            select(col(Ticket.status), func.count()).group_by(col(Ticket.status))
        ).all()
    counts = {status: 0 for status in Status}
    counts.update({status: int(n) for status, n in rows})
    return counts


def latest_event_id(db: Database) -> int:
    """A cheap change marker: it grows whenever anybody changes anything."""
    with db.read() as s:
        return int(s.execute(select(func.coalesce(func.max(Event.id), 0))).scalar_one())
