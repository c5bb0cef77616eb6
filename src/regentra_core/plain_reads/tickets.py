"""Ticket lists and counts in plain SQL, answering as ``queries.tickets`` does.

The same filter (every ``TicketFilter`` field), the same orders with the number as
tie-break, the same paging; the SLA filter and the SLA order computed from the
same stored SLA marks in SQL while they are current, else from the same clock inputs
by the same ``SlaBook`` and ``sla_key``, in Python, as there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..clock import utcnow
from ..enums import Channel, Priority, Status
from ..errors import ValidationError
from ..sla import Badge
from ..sla_book import ClockInputs, SlaBook
from ..ticket_records import (
    PRIORITY_ORDER,
    UNASSIGNED,
    SortKey,
    TicketFilter,
    TicketRow,
    escape_like,
    sla_key,
)
from .connection import PlainDesk
from .sla import plain_sla_book
from .values import bound_time, json_text, sqlite_time, utc, utc_or_none

_ROW_COLUMNS = (
    "t.number, t.subject, t.status, t.priority, t.suggested_priority, t.channel, "
    "c.name, c.vip, ct.name, ct.email, ct.phone, tech.username, m.number, fu.number, "
    "t.is_master, t.version, t.created_at, t.updated_at, t.first_response_at, "
    "t.resolved_at, t.closed_at, t.client_id, t.sla_pauses, t.response_breached, "
    "t.resolution_breached, t.sla_done_spans"
)
_JOINS = (
    " FROM ticket t"
    " LEFT OUTER JOIN client c ON c.id = t.client_id"
    " LEFT OUTER JOIN contact ct ON ct.id = t.contact_id"
    " LEFT OUTER JOIN technician tech ON tech.id = t.assignee_id"
    " LEFT OUTER JOIN ticket m ON m.id = t.master_id"
    " LEFT OUTER JOIN ticket fu ON fu.id = t.follow_up_of_id"
)
_CLOCK_COLUMNS = (
    "t.number, t.client_id, t.priority, t.status, t.created_at, t.first_response_at, "
    "t.sla_pauses, t.response_breached, t.resolution_breached, t.sla_done_spans"
)
_PRIORITY_RANK = (
    "CASE "
    + " ".join(f"WHEN t.priority = '{p.value}' THEN {rank}" for p, rank in PRIORITY_ORDER.items())
    + " ELSE -1 END"
)


def plain_list_tickets(
    desk: PlainDesk,
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
    """One page of tickets matching ``f``, as ``queries.list_tickets`` answers it."""
    if limit < 0 or offset < 0:
        raise ValidationError("limit and offset cannot be negative")
    f = f or TicketFilter()
    now = now or utcnow()
    book = book or plain_sla_book(desk)
    where, params = _done_since(desk, *_where(desk, f), done_since, f.statuses)
    if (f.sla or sort == SortKey.SLA) and _marks_are_current(desk):
        where, params = _with_badges(desk, where, params, f.sla, now)
        order, order_params = (
            _sla_order(desk, now, descending)
            if sort == SortKey.SLA
            else (_order(sort, descending), [])
        )
        found = _page(desk, where, params, order, order_params, limit, offset)
        return [_row(values, book, now) for values in found]
    if f.sla or sort == SortKey.SLA:
        numbers = _numbers_by_sla(desk, where, params, f, book, now, sort, descending)
        page = numbers[offset : offset + limit]
        if not page:
            return []
        in_page, page_params = _in_numbers(desk, page)
        found = desk.rows(f"SELECT {_ROW_COLUMNS}{_JOINS} WHERE {in_page}", page_params)
        rows = {r.number: r for r in (_row(values, book, now) for values in found)}
        return [rows[n] for n in page]
    found = _page(desk, where, params, _order(sort, descending), [], limit, offset)
    return [_row(values, book, now) for values in found]


def _page(
    desk: PlainDesk,
    where: str,
    params: list[Any],
    order: str,
    order_params: list[Any],
    limit: int,
    offset: int,
) -> list[tuple[Any, ...]]:
    """One page's rows: the page's ticket ids first (ordered, limited), then their
    columns and joins.

    Ordering every match with its columns read the whole row of each (1,462 open
    tickets on the 100k desk: a page fetched for each, 44 ms on a fresh
    connection); the ids alone are half that, and the rows are then read for the
    page only. The outer ORDER BY is the inner one (the number breaks every tie).
    """
    inner = f"SELECT t.id{_JOINS}{where} ORDER BY {order} LIMIT ? OFFSET ?"
    sql = f"SELECT {_ROW_COLUMNS}{_JOINS} WHERE t.id IN ({inner}) ORDER BY {order}"
    return desk.rows(sql, [*params, *order_params, limit, offset, *order_params])


def plain_count_tickets(
    desk: PlainDesk,
    f: TicketFilter | None = None,
    *,
    now: datetime | None = None,
    book: SlaBook | None = None,
) -> int:
    """How many tickets match ``f``, as ``queries.count_tickets`` counts them."""
    f = f or TicketFilter()
    where, params = _where(desk, f)
    if f.sla and _marks_are_current(desk):
        where, params = _with_badges(desk, where, params, f.sla, now or utcnow())
        ((count,),) = desk.rows(f"SELECT count(*){_JOINS}{where}", params)
        return int(count)
    if f.sla:
        book = book or plain_sla_book(desk)
        numbers = _numbers_by_sla(
            desk, where, params, f, book, now or utcnow(), SortKey.NUMBER, False
        )
        return len(numbers)
    ((count,),) = desk.rows(f"SELECT count(*){_JOINS}{where}", params)
    return int(count)


def plain_ticket_row(
    desk: PlainDesk, condition: str, params: Sequence[Any], book: SlaBook, now: datetime
) -> list[TicketRow]:
    """The rows of the tickets ``condition`` (on ``t``) selects, for the detail."""
    found = desk.rows(f"SELECT {_ROW_COLUMNS}{_JOINS} WHERE {condition}", params)
    return [_row(values, book, now) for values in found]


def _where(desk: PlainDesk, f: TicketFilter) -> tuple[str, list[Any]]:
    """``f`` as a WHERE clause (empty when it filters nothing) and its parameters."""
    clauses: list[str] = []
    params: list[Any] = []

    def any_of(column: str, values: Sequence[str]) -> None:
        clauses.append(f"{column} IN ({', '.join('?' for _ in values)})")
        params.extend(values)

    if f.statuses:
        any_of("t.status", [s.value for s in f.statuses])
    if f.priorities:
        any_of("t.priority", [p.value for p in f.priorities])
    if f.assignee == UNASSIGNED:
        clauses.append("t.assignee_id IS NULL")
    elif f.assignee:
        clauses.append("tech.username = ?")
        params.append(f.assignee)
    if f.client:
        clauses.append("lower(c.name) = ?")
        params.append(f.client.strip().lower())
    if f.since:
        clauses.append("t.created_at >= ?")
        params.append(_time(desk, f.since))
    if f.until:
        clauses.append("t.created_at < ?")
        params.append(_time(desk, f.until))
    if f.numbers is not None:
        clause, numbers = _in_numbers(desk, f.numbers)
        clauses.append(clause)
        params.extend(numbers)
    if f.channels:
        any_of("t.channel", [c.value for c in f.channels])
    if f.contact_id is not None:
        clauses.append("t.contact_id = ?")
        params.append(f.contact_id)
    if f.client_id is not None:
        clauses.append("t.client_id = ?")
        params.append(f.client_id)
    if f.text:
        needle = f"%{escape_like(f.text.strip())}%"
        like = "lower(t.subject) LIKE lower(?)" if desk.is_sqlite else "t.subject ILIKE ?"
        clauses.append(like + " ESCAPE '\\'")
        params.append(needle)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _done_since(
    desk: PlainDesk,
    where: str,
    params: list[Any],
    since: datetime | None,
    statuses: Sequence[Status],
) -> tuple[str, list[Any]]:
    """``where`` keeping Resolved and Closed tickets only if updated since ``since``,
    as ``queries.tickets._done_since`` does (a done column alone: a plain range)."""
    if since is None:
        return where, params
    joiner = " AND " if where else " WHERE "
    if statuses and all(status.is_done for status in statuses):
        return f"{where}{joiner}t.updated_at >= ?", [*params, _time(desk, since)]
    done = ", ".join(f"'{s.value}'" for s in Status if s.is_done)
    clause = f"(t.status NOT IN ({done}) OR t.updated_at >= ?)"
    return f"{where}{joiner}{clause}", [*params, _time(desk, since)]


def _time(desk: PlainDesk, value: datetime) -> Any:
    return sqlite_time(value) if desk.is_sqlite else bound_time(value)


def _in_numbers(desk: PlainDesk, numbers: Sequence[int]) -> tuple[str, list[Any]]:
    """``t.number IN numbers`` as one bound value, for a set of any size."""
    ordered = sorted(numbers)
    if desk.is_sqlite:
        return "t.number IN (SELECT value FROM json_each(?))", [json.dumps(ordered)]
    return "t.number = ANY(?)", [ordered]


def _order(sort: SortKey, descending: bool) -> str:
    key = {
        SortKey.PRIORITY: _PRIORITY_RANK,
        SortKey.UPDATED: "t.updated_at",
        SortKey.CREATED: "t.created_at",
    }.get(sort, "t.number")
    way = "DESC" if descending else "ASC"
    return f"{key} {way}, t.number {way}"


def _numbers_by_sla(
    desk: PlainDesk,
    where: str,
    params: list[Any],
    f: TicketFilter,
    book: SlaBook,
    now: datetime,
    sort: SortKey,
    descending: bool,
) -> list[int]:
    order = _order(sort if sort != SortKey.SLA else SortKey.NUMBER, descending)
    wanted = set(f.sla)
    keyed: list[tuple[tuple[int, float], int]] = []
    for row in desk.rows(f"SELECT {_CLOCK_COLUMNS}{_JOINS}{where} ORDER BY {order}", params):
        number, inputs = _clock_inputs(row)
        state = book.state(inputs, now, with_due=sort == SortKey.SLA)
        if wanted and (state is None or state.badge not in wanted):
            continue
        keyed.append((sla_key(state), number))
    if sort == SortKey.SLA:
        keyed.sort(reverse=descending)
    return [number for _, number in keyed]


def _marks_are_current(desk: PlainDesk) -> bool:
    """Whether every ticket's SLA marks were made under the SLA set-up as it is, as
    ``store.clock_writes.marks_are_current`` asks it (one index probe)."""
    found = desk.rows("SELECT sla_marks_gen FROM desk_state WHERE id = 1", [])
    gen = int(found[0][0]) if found and found[0][0] is not None else 1
    stale = desk.rows("SELECT id FROM ticket WHERE sla_marks_gen < ? LIMIT 1", [gen])
    return not stale


def _with_badges(
    desk: PlainDesk, where: str, params: list[Any], badges: Sequence[Badge], now: datetime
) -> tuple[str, list[Any]]:
    """``where`` narrowed to tickets whose badge at ``now`` is one of ``badges``, read
    from their marks as ``queries.tickets._sla_where`` reads them."""
    if not badges:
        return where, params
    at = _time(desk, now)
    clauses: list[str] = []
    extra: list[Any] = []
    for badge in badges:
        if badge == Badge.BREACHED:
            clauses.append("t.sla_breach_at <= ?")
            extra.append(at)
        elif badge == Badge.AT_RISK:
            clauses.append(
                "(t.sla_risk_at <= ? AND (t.sla_breach_at IS NULL OR t.sla_breach_at > ?))"
            )
            extra += [at, at]
        else:
            clauses.append("(t.sla_rest = ? AND (t.sla_risk_at IS NULL OR t.sla_risk_at > ?))")
            extra += [badge.value, at]
    clause = "(" + " OR ".join(clauses) + ")"
    joined = f"{where} AND {clause}" if where else f" WHERE {clause}"
    return joined, [*params, *extra]


def _sla_order(desk: PlainDesk, now: datetime, descending: bool) -> tuple[str, list[Any]]:
    """``queries.tickets._sla_order`` in plain SQL: the badge's rank at ``now`` from the
    marks, then the soonest running clock's due instant, then the number."""
    at = _time(desk, now)
    severity = (
        "(CASE WHEN t.sla_breach_at <= ? THEN 3 WHEN t.sla_risk_at <= ? THEN 2"
        " WHEN t.sla_rest = ? THEN 0 ELSE 1 END)"
    )
    rank = (
        f"(CASE WHEN t.sla_rest IS NULL THEN 9 WHEN t.sla_due_at IS NULL THEN 5 - {severity}"
        f" ELSE -{severity} END)"
    )
    way = "DESC" if descending else "ASC"
    # No NULLS FIRST/LAST: a ticket without a due instant has a rank of its own.
    order = f"{rank} {way}, t.sla_due_at {way}, t.number {way}"
    return order, [at, at, Badge.MET.value, at, at, Badge.MET.value]


def _clock_inputs(row: Sequence[Any]) -> tuple[int, ClockInputs]:
    number, client_id, priority, status, created, responded, pauses, rb, sb, done = row
    return number, ClockInputs(
        client_id,
        Priority(priority),
        Status(status),
        utc(created),
        utc_or_none(responded),
        json_text(pauses),
        bool(rb),
        bool(sb),
        json_text(done),
    )


def _row(values: Sequence[Any], book: SlaBook, now: datetime) -> TicketRow:
    (
        number,
        subject,
        status,
        priority,
        suggested,
        channel,
        client,
        vip,
        contact,
        email,
        phone,
        assignee,
        master,
        follow_up,
        is_master,
        version,
        created,
        updated,
        responded,
        resolved,
        closed,
        client_id,
        pauses,
        response_breached,
        resolution_breached,
        done_spans,
    ) = values
    row_status, row_priority, created_at = Status(status), Priority(priority), utc(created)
    first_response_at = utc_or_none(responded)
    inputs = ClockInputs(
        client_id,
        row_priority,
        row_status,
        created_at,
        first_response_at,
        json_text(pauses),
        bool(response_breached),
        bool(resolution_breached),
        json_text(done_spans),
    )
    return TicketRow(
        number=number,
        subject=subject,
        status=row_status,
        priority=row_priority,
        suggested_priority=Priority(suggested) if suggested is not None else None,
        channel=Channel(channel),
        client=client,
        client_vip=bool(vip),
        contact=contact,
        contact_email=email,
        contact_phone=phone,
        assignee=assignee,
        is_master=bool(is_master),
        master=master,
        follow_up_of=follow_up,
        version=version,
        created_at=created_at,
        updated_at=utc(updated),
        first_response_at=first_response_at,
        resolved_at=utc_or_none(resolved),
        closed_at=utc_or_none(closed),
        sla=book.state(inputs, now),
    )
