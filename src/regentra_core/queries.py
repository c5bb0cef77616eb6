"""The read side: filtered, paged ticket lists and one ticket's full picture.

Readers never write; they return plain frozen dataclasses (no live ORM rows), so a
TUI worker thread can hand them to the UI thread and the CLI can print them as
JSON. Lists are always paged: a desk with 100k tickets is never loaded whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from .clock import utcnow
from .enums import AuthorKind, Channel, DeliveryState, Priority, Status
from .errors import NotFoundError, ValidationError
from .sla import Badge, SlaState
from .sla_book import SlaBook, clock_columns, clock_inputs, inputs_of
from .store.engine import Database

if TYPE_CHECKING:
    from .views import View
from .store.models import (
    BusinessCalendarRow,
    ChannelCursor,
    Client,
    Contact,
    Event,
    Holiday,
    InboundRecord,
    InternalNote,
    KBArticle,
    OutboundMessage,
    Reply,
    SavedView,
    SlaPolicy,
    SlaTarget,
    Technician,
    Ticket,
    TimeEntry,
)

_Query = Any
"""A ticket-row SELECT (Select's type parameters differ across SQLAlchemy 2.x)."""

UNASSIGNED = "none"
"""The assignee filter value that selects tickets nobody owns."""


class SortKey(StrEnum):
    """How a ticket list can be ordered."""

    NUMBER = "number"
    PRIORITY = "priority"
    UPDATED = "updated"
    CREATED = "created"
    SLA = "sla"
    """Least SLA time left first; tickets whose clocks all stopped come last."""


@dataclass(frozen=True, slots=True)
class TicketFilter:
    """Combinable list filters; empty fields do not filter."""

    statuses: tuple[Status, ...] = ()
    priorities: tuple[Priority, ...] = ()
    assignee: str | None = None
    """A username, or ``"none"`` for unassigned tickets."""
    client: str | None = None
    since: datetime | None = None
    """Created at or after."""
    until: datetime | None = None
    """Created before."""
    text: str | None = None
    """Case-insensitive substring of the subject (full-text search comes later)."""
    sla: tuple[Badge, ...] = ()
    """Only tickets whose SLA badge is one of these (computed live, not cached)."""
    numbers: tuple[int, ...] | None = None
    """Only these ticket numbers (full-text search results); None: no restriction."""
    channels: tuple[Channel, ...] = ()
    """Only tickets that came in through one of these channels."""
    contact_id: int | None = None
    """Only this contact's tickets (the portal's own-tickets view)."""
    client_id: int | None = None
    """Only this client's tickets (the portal's view for a client admin)."""


@dataclass(frozen=True, slots=True)
class TicketRow:
    """One ticket as lists and boards show it."""

    number: int
    subject: str
    status: Status
    priority: Priority
    suggested_priority: Priority | None
    channel: Channel
    client: str | None
    client_vip: bool
    contact: str | None
    contact_email: str | None
    assignee: str | None
    is_master: bool
    master: int | None
    follow_up_of: int | None
    version: int
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    sla: SlaState | None = None
    """Both SLA clocks as of the query; None when no policy applies."""
    contact_phone: str | None = None


@dataclass(frozen=True, slots=True)
class ThreadItem:
    """A public reply or a private note, in time order."""

    kind: str
    """``reply`` or ``note``."""
    author: str
    author_kind: AuthorKind
    body: str
    at: datetime
    channel: Channel | None = None
    private: bool = False
    omitted: int = 0
    """Characters of the body left out by ``body_limit`` (the desk keeps them all)."""
    delivery: str | None = None
    """For a reply sent through a channel: queued, sending, sent, failed (with why)."""
    unverified: bool = False
    """A customer reply from an address that is not the ticket's contact."""


@dataclass(frozen=True, slots=True)
class TimeRow:
    technician: str
    minutes: int
    billable: bool
    note: str
    work_date: date


@dataclass(frozen=True, slots=True)
class EventRow:
    at: datetime
    actor: str
    source: str
    kind: str
    from_value: str | None
    to_value: str | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class TicketDetail:
    """Everything the detail view and ``ticket show`` need, read in one session."""

    ticket: TicketRow
    description: str
    resolution: str | None
    thread: list[ThreadItem]
    time_entries: list[TimeRow]
    children: list[TicketRow] = field(default_factory=list)
    follow_ups: list[int] = field(default_factory=list)
    description_omitted: int = 0
    """Characters of the description left out by ``body_limit``."""
    chat_agent: str | None = None
    """Who answered the customer in the live chat the ticket came from."""

    @property
    def billable_minutes(self) -> int:
        return sum(t.minutes for t in self.time_entries if t.billable)

    @property
    def total_minutes(self) -> int:
        return sum(t.minutes for t in self.time_entries)


_Master = aliased(Ticket, name="master_ticket")
_FollowUp = aliased(Ticket, name="follow_up_ticket")

_PRIORITY_ORDER = {p: p.rank for p in Priority}


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
        query = query.where(col(Ticket.number).in_(f.numbers))
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


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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

    SQL does the filtering and paging, except for the SLA filter and SLA order,
    which need every candidate's clocks: those are computed from a narrow query
    of the clock inputs, and only the page's tickets are then loaded whole.
    """
    if limit < 0 or offset < 0:
        raise ValidationError("limit and offset cannot be negative")
    f = f or TicketFilter()
    now = now or utcnow()
    query = _done_since(_apply_filter(_base_query(), f), done_since, f.statuses)
    with db.read() as s:
        book = book or SlaBook.load(s)
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
    keyed: list[tuple[float, int]] = []
    for row in s.connection().execute(narrow).all():
        number, inputs = clock_inputs(row)
        state = book.state(inputs, now, with_due=False)
        if wanted and (state is None or state.badge not in wanted):
            continue
        keyed.append((_sla_key(state), number))
    if sort == SortKey.SLA:
        keyed.sort(reverse=descending)
    return [number for _, number in keyed]


def _sla_key(state: SlaState | None) -> float:
    """Least time left first; stopped clocks and tickets without SLA last."""
    if state is None:
        return float("inf")
    running = [c for c in (state.response, state.resolution) if not c.stopped and not c.paused]
    if not running:
        return float("1e15")
    return min(c.remaining_seconds for c in running)


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
) -> dict[Status, list[TicketRow]]:
    """The first ``per_status`` tickets of every status, highest priority first
    (Resolved and Closed ones only if updated since ``done_since`` when given).

    One query with a window function (ROW_NUMBER per status) instead of one query
    per board column, ranking only the columns it needs (number, status, priority)
    with only the joins the filter needs; the full rows are read for the winners.
    The SLA filter, which SQL cannot evaluate, falls back to per-status pages.
    """
    f = replace(f, statuses=())
    now = now or utcnow()
    if f.sla:
        return {
            status: list_tickets(
                db,
                replace(f, statuses=(status,)),
                sort=SortKey.PRIORITY,
                descending=True,
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


def ticket_detail(
    db: Database, number: int, *, now: datetime | None = None, body_limit: int | None = None
) -> TicketDetail:
    """A ticket with its thread, notes, time, links and SLA, read consistently.

    ``body_limit`` reads at most that many characters of each message (in SQL, so a
    10 MB email costs nothing to show) and counts the rest in ``omitted``.
    """
    with db.read() as s:
        book = SlaBook.load(s)
        row = _get_row(s, number, now, book)
        tid, resolution = s.execute(
            sa_select(col(Ticket.id), col(Ticket.resolution)).where(col(Ticket.number) == number)
        ).one()
        names = {t.id: t.username for t in s.exec(select(Technician)).all()}

        def text(column: Any) -> tuple[Any, Any]:
            if body_limit is None:
                return column, func.length(column) * 0
            return func.substr(column, 1, body_limit), func.length(column)

        description, description_length = s.execute(
            sa_select(*text(Ticket.description)).where(col(Ticket.id) == tid)
        ).one()
        replies = s.execute(
            sa_select(
                col(Reply.id),
                col(Reply.author_name),
                col(Reply.author_kind),
                *text(Reply.body),
                col(Reply.created_at),
                col(Reply.channel),
                col(Reply.unverified_sender),
            ).where(col(Reply.ticket_id) == tid)
        ).all()
        deliveries = {
            out.reply_id: delivery_text(out)
            for out in s.exec(
                select(OutboundMessage).where(
                    OutboundMessage.ticket_id == tid, col(OutboundMessage.reply_id).is_not(None)
                )
            ).all()
        }
        thread: list[ThreadItem] = [
            ThreadItem(
                "reply",
                author,
                kind,
                body,
                at,
                channel,
                omitted=_omitted(body, length),
                delivery=deliveries.get(reply_id),
                unverified=bool(unverified),
            )
            for reply_id, author, kind, body, length, at, channel, unverified in replies
        ]
        notes = s.execute(
            sa_select(
                col(InternalNote.technician_id),
                col(InternalNote.author_name),
                *text(InternalNote.body),
                col(InternalNote.created_at),
            ).where(col(InternalNote.ticket_id) == tid)
        ).all()
        thread += [
            ThreadItem(
                "note",
                author_name or names.get(technician_id or 0, "?"),
                AuthorKind.TECHNICIAN,
                body,
                at,
                private=True,
                omitted=_omitted(body, length),
            )
            for technician_id, author_name, body, length, at in notes
        ]
        thread.sort(key=lambda item: item.at)
        time_rows = [
            TimeRow(names.get(e.technician_id, "?"), e.minutes, e.billable, e.note, e.work_date)
            for e in s.exec(
                select(TimeEntry).where(TimeEntry.ticket_id == tid).order_by(col(TimeEntry.id))
            ).all()
        ]
        children = [
            _row(r, book, now)
            for r in s.execute(
                _base_query().where(col(Ticket.master_id) == tid).order_by(col(Ticket.number))
            ).all()
        ]
        follow_ups = list(
            s.exec(
                select(Ticket.number)
                .where(Ticket.follow_up_of_id == tid)
                .order_by(col(Ticket.number))
            ).all()
        )
        agent = s.exec(
            select(InboundRecord.agent)
            .where(InboundRecord.ticket_id == tid, col(InboundRecord.agent).is_not(None))
            .order_by(col(InboundRecord.id).desc())
        ).first()
        return TicketDetail(
            row,
            description,
            resolution,
            thread,
            time_rows,
            children,
            follow_ups,
            description_omitted=_omitted(description, description_length),
            chat_agent=agent,
        )


def delivery_text(out: OutboundMessage) -> str:
    """``sent 14:02 UTC``, ``queued``, ``sending``, ``failed, retrying 14:10 UTC: why``,
    with what the channel did to the text (``sent ... (2 SMS)``)."""
    state = _delivery_state(out)
    return f"{state} ({out.note})" if out.note else state


def _delivery_state(out: OutboundMessage) -> str:
    if out.state == DeliveryState.SENT and out.sent_at is not None:
        return f"sent {out.sent_at:%Y-%m-%d %H:%M} UTC"
    if out.attempt_started_at is not None:
        return "sending" + (f" ({out.last_error})" if out.last_error else "")
    if out.state == DeliveryState.FAILED:
        retry = (
            f"retrying {out.next_attempt_at:%H:%M} UTC"
            if out.next_attempt_at is not None
            else "gave up"
        )
        return f"failed, {retry}: {out.last_error or 'unknown error'}"
    return "queued"


def _omitted(shown: str, length: int | None) -> int:
    return max(int(length or 0) - len(shown), 0)


def ticket_history(db: Database, number: int) -> list[EventRow]:
    """A ticket's audit trail, oldest first."""
    with db.read() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == number)).first()
        if ticket is None:
            raise NotFoundError(f"no ticket #{number}")
        events = s.exec(
            select(Event).where(Event.ticket_id == ticket.id).order_by(col(Event.at), col(Event.id))
        ).all()
        return [
            EventRow(e.at, e.actor, e.source, e.kind, e.from_value, e.to_value, e.detail)
            for e in events
        ]


def status_counts(db: Database) -> dict[Status, int]:
    """Tickets per status, for summaries and board column headers."""
    with db.read() as s:
        rows = s.execute(
            select(col(Ticket.status), func.count()).group_by(col(Ticket.status))
        ).all()
    counts = {status: 0 for status in Status}
    counts.update({status: int(n) for status, n in rows})
    return counts


def technicians(db: Database, *, active_only: bool = True) -> list[Technician]:
    with db.read() as s:
        query = select(Technician).order_by(col(Technician.username))
        if active_only:
            query = query.where(col(Technician.active).is_(True))
        return list(s.exec(query).all())


def clients(db: Database) -> list[Client]:
    with db.read() as s:
        return list(s.exec(select(Client).order_by(col(Client.name))).all())


@dataclass(frozen=True, slots=True)
class ClientRow:
    """A client as ``client list`` and the app's client screen show it."""

    name: str
    vip: bool
    sla_policy: str | None
    """None: the desk's default policy."""
    domains: list[str]
    open_tickets: int


def client_rows(db: Database) -> list[ClientRow]:
    """Every client with its policy's name and how many of its tickets are open."""
    done = [s.value for s in Status if s.is_done]
    open_count = (
        select(func.count())
        .where(Ticket.client_id == Client.id, col(Ticket.status).not_in(done))
        .scalar_subquery()
    )
    query = (
        select(Client, SlaPolicy.name, open_count)
        .outerjoin(SlaPolicy, col(SlaPolicy.id) == col(Client.sla_policy_id))
        .order_by(col(Client.name))
    )
    with db.read() as s:
        return [
            ClientRow(
                c.name,
                c.vip,
                policy,
                [d for d in c.domains.split(",") if d],
                int(count or 0),
            )
            for c, policy, count in s.exec(query).all()
        ]


def kb_articles(db: Database) -> list[KBArticle]:
    with db.read() as s:
        return list(
            s.exec(select(KBArticle).order_by(col(KBArticle.title), col(KBArticle.id))).all()
        )


def latest_event_id(db: Database) -> int:
    """A cheap change marker: it grows whenever anybody changes anything."""
    with db.read() as s:
        return int(s.execute(select(func.coalesce(func.max(Event.id), 0))).scalar_one())


def find_contacts(db: Database, text: str) -> list[Contact]:
    needle = f"%{_escape_like(text.strip())}%"
    with db.read() as s:
        return list(
            s.exec(
                select(Contact).where(
                    or_(
                        col(Contact.email).ilike(needle, escape="\\"),
                        col(Contact.name).ilike(needle, escape="\\"),
                    )
                )
            ).all()
        )


@dataclass(frozen=True, slots=True)
class CalendarView:
    name: str
    timezone: str
    hours: str
    always_open: bool
    holidays: list[tuple[date, str]]


@dataclass(frozen=True, slots=True)
class PolicyView:
    name: str
    calendar: str
    default: bool
    at_risk_share: float
    escalate_status: bool
    targets: dict[str, tuple[int, int]]
    """priority -> (response minutes, resolution minutes)."""
    clients: list[str]


@dataclass(frozen=True, slots=True)
class SlaConfig:
    calendars: list[CalendarView]
    policies: list[PolicyView]


def sla_config(db: Database) -> SlaConfig:
    """Every calendar and policy, with holidays, targets and the clients using them."""
    with db.read() as s:
        holidays: dict[int, list[tuple[date, str]]] = {}
        for h in s.exec(select(Holiday).order_by(col(Holiday.day))).all():
            holidays.setdefault(h.calendar_id, []).append((h.day, h.name))
        cals = s.exec(select(BusinessCalendarRow).order_by(col(BusinessCalendarRow.name))).all()
        names = {c.id: c.name for c in cals}
        calendars = [
            CalendarView(c.name, c.timezone, c.hours, c.always_open, holidays.get(c.id or 0, []))
            for c in cals
        ]
        targets: dict[int, dict[str, tuple[int, int]]] = {}
        for t in s.exec(select(SlaTarget)).all():
            targets.setdefault(t.policy_id, {})[t.priority.value] = (
                t.response_minutes,
                t.resolution_minutes,
            )
        users: dict[int | None, list[str]] = {}
        for c in s.exec(select(Client).order_by(col(Client.name))).all():
            users.setdefault(c.sla_policy_id, []).append(c.name)
        policies = []
        for p in s.exec(select(SlaPolicy).order_by(col(SlaPolicy.name))).all():
            order = {pr.value: pr.rank for pr in Priority}
            ordered = dict(sorted(targets.get(p.id or 0, {}).items(), key=lambda kv: -order[kv[0]]))
            clients = users.get(p.id, []) + (users.get(None, []) if p.is_default else [])
            policies.append(
                PolicyView(
                    p.name,
                    names.get(p.calendar_id, "?"),
                    p.is_default,
                    p.at_risk_share,
                    p.escalate_status,
                    ordered,
                    sorted(clients),
                )
            )
        return SlaConfig(calendars, policies)


def saved_views(db: Database, technician_id: int, username: str) -> list[View]:
    """The technician's tabs: defaults, replaced or extended by saved views."""
    from .views import View, default_views, load_filter

    with db.read() as s:
        rows = s.exec(
            select(SavedView)
            .where(SavedView.technician_id == technician_id)
            .order_by(col(SavedView.position), col(SavedView.id))
        ).all()
    views = {v.name: v for v in default_views(username)}
    for row in rows:
        if row.active:
            views[row.name] = View(row.name, load_filter(row.filter_json), saved=True)
        else:
            views.pop(row.name, None)
    return list(views.values())


def channel_position(db: Database, name: str) -> datetime | None:
    """How far the polled channel ``name`` (Twilio's log) has been read; None: never."""
    with db.read() as s:
        row = s.get(ChannelCursor, name)
    return None if row is None else datetime.fromisoformat(row.position)
