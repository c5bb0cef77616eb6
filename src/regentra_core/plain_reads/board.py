"""The board's first answer in plain SQL: counts per status and the first page of
every column, as ``queries.tickets.count_by_status`` and ``first_pages_by_status``
answer them.

The app paints its first board from these before SQLAlchemy, the models and the
Desk are imported (they load in the background after the first paint).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from ..clock import utcnow
from ..enums import Status
from ..sla_book import SlaBook
from ..ticket_records import SortKey, TicketFilter, TicketRow, board_sort
from .connection import PlainDesk
from .sla import plain_sla_book
from .tickets import (
    _CLOCK_COLUMNS,
    _JOINS,
    _PRIORITY_RANK,
    _ROW_COLUMNS,
    _clock_inputs,
    _done_since,
    _in_numbers,
    _marks_are_current,
    _row,
    _time,
    _where,
    _with_badges,
    plain_list_tickets,
)

_DONE = tuple(s.value for s in Status if s.is_done)
_WORKING = tuple(s.value for s in Status if not s.is_done)


def plain_count_by_status(
    desk: PlainDesk,
    f: TicketFilter,
    *,
    now: datetime | None = None,
    book: SlaBook | None = None,
    done_since: datetime | None = None,
) -> dict[Status, int]:
    """Tickets per status matching ``f`` (its own statuses ignored); Resolved and
    Closed ones only if updated since ``done_since`` when given."""
    f = replace(f, statuses=())
    now = now or utcnow()
    counts = {status: 0 for status in Status}
    where, params = _where(desk, f)
    if f.sla and not _marks_are_current(desk):
        book = book or plain_sla_book(desk)
        where, params = _done_since(desk, where, params, done_since, ())
        wanted = set(f.sla)
        for row in desk.rows(f"SELECT {_CLOCK_COLUMNS}{_JOINS}{where}", params):
            _, inputs = _clock_inputs(row)
            state = book.state(inputs, now, with_due=False)
            if state is not None and state.badge in wanted:
                counts[inputs.status] += 1
        return counts
    if f.sla:
        where, params = _with_badges(desk, where, params, f.sla, now)
    sql, args = _grouped(desk, where, params, done_since)
    for status, n in desk.rows(sql, args):
        counts[Status(status)] = int(n)
    return counts


def plain_first_pages_by_status(
    desk: PlainDesk,
    f: TicketFilter,
    per_status: int,
    *,
    now: datetime | None = None,
    book: SlaBook | None = None,
    done_since: datetime | None = None,
    sort: SortKey = SortKey.PRIORITY,
) -> dict[Status, list[TicketRow]]:
    """The first ``per_status`` tickets of every status in the board's order (by
    priority, or most urgent SLA first for the working columns with
    ``sort=SortKey.SLA``); Resolved and Closed ones only if updated since
    ``done_since`` when given."""
    f = replace(f, statuses=())
    now = now or utcnow()
    book = book or plain_sla_book(desk)
    if f.sla or sort == SortKey.SLA:
        return {
            status: plain_list_tickets(
                desk,
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
    where, params = _where(desk, f)
    lean, lean_params = _halves(
        desk, f"SELECT t.number, t.status, t.priority{_JOINS}", where, params, done_since
    )
    ranked = (
        "SELECT number FROM (SELECT number, row_number() OVER (PARTITION BY status "
        f"ORDER BY {_PRIORITY_RANK.replace('t.priority', 'priority')} DESC, number DESC) "
        f"AS board_rank FROM ({lean}) AS lean) AS ranked WHERE board_rank <= ?"
    )
    numbers = [n for (n,) in desk.rows(ranked, [*lean_params, per_status])]
    pages: dict[Status, list[TicketRow]] = {status: [] for status in Status}
    if not numbers:
        return pages
    in_page, page_params = _in_numbers(desk, numbers)
    found = desk.rows(
        f"SELECT {_ROW_COLUMNS}{_JOINS} WHERE {in_page} "
        f"ORDER BY {_PRIORITY_RANK} DESC, t.number DESC",
        page_params,
    )
    for values in found:
        row = _row(values, book, now)
        pages[row.status].append(row)
    return pages


def _grouped(
    desk: PlainDesk, where: str, params: list[Any], done_since: datetime | None
) -> tuple[str, list[Any]]:
    """Counts per status of the tickets ``where`` keeps."""
    rows, args = _halves(desk, f"SELECT t.status{_JOINS}", where, params, done_since)
    return f"SELECT status, count(*) FROM ({rows}) AS kept GROUP BY status", args


def _halves(
    desk: PlainDesk, select: str, where: str, params: list[Any], since: datetime | None
) -> tuple[str, list[Any]]:
    """``select`` + ``where``, and with ``since`` as two halves each answered from an
    index (working tickets by status; done ones by update time), as
    ``queries.tickets._working_and_recent`` asks it."""
    if since is None:
        return f"{select}{where}", list(params)
    joiner = " AND " if where else " WHERE "
    working = f"{select}{where}{joiner}t.status IN ({_marks(_WORKING)})"
    recent = f"{select}{where}{joiner}t.status IN ({_marks(_DONE)}) AND t.updated_at >= ?"
    args = [*params, *_WORKING, *params, *_DONE, _time(desk, since)]
    return f"{working} UNION ALL {recent}", args


def _marks(values: Sequence[str]) -> str:
    return ", ".join("?" for _ in values)


def plain_latest_event_id(desk: PlainDesk) -> int:
    """The change marker (``queries.latest_event_id``): read before the first board,
    so a change committed while it is read and drawn is still newer than the marker
    the app's first poll starts from."""
    return int(desk.rows("SELECT COALESCE(MAX(id), 0) FROM event")[0][0])
