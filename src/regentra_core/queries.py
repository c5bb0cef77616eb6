"""The read side: filtered, paged ticket lists and one ticket's full picture.

Readers never write; they return plain frozen dataclasses (no live ORM rows), so a
TUI worker thread can hand them to the UI thread and the CLI can print them as
JSON. Lists are always paged: a desk with 100k tickets is never loaded whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import case, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from .enums import AuthorKind, Channel, Priority, Status
from .errors import NotFoundError, ValidationError
from .store.engine import Database
from .store.models import (
    Client,
    Contact,
    Event,
    InternalNote,
    KBArticle,
    Reply,
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
    if f.text:
        needle = f"%{_escape_like(f.text.strip())}%"
        query = query.where(col(Ticket.subject).ilike(needle, escape="\\"))
    return query


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _row(values: Sequence[Any]) -> TicketRow:
    t, client, vip, contact, email, assignee, master, follow_up = values
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
    )


def list_tickets(
    db: Database,
    f: TicketFilter | None = None,
    *,
    sort: SortKey = SortKey.NUMBER,
    descending: bool = False,
    limit: int = 200,
    offset: int = 0,
) -> list[TicketRow]:
    """One page of tickets matching ``f``, in a stable order."""
    if limit < 0 or offset < 0:
        raise ValidationError("limit and offset cannot be negative")
    query = _apply_filter(_base_query(), f or TicketFilter())
    key: Any
    if sort == SortKey.PRIORITY:
        key = case(
            *((col(Ticket.priority) == p.value, rank) for p, rank in _PRIORITY_ORDER.items()),
            else_=-1,
        )
    elif sort == SortKey.UPDATED:
        key = col(Ticket.updated_at)
    elif sort == SortKey.CREATED:
        key = col(Ticket.created_at)
    else:
        key = col(Ticket.number)
    tie = col(Ticket.number)
    order = (key.desc(), tie.desc()) if descending else (key.asc(), tie.asc())
    query = query.order_by(*order).limit(limit).offset(offset)
    with db.read() as s:
        return [_row(r) for r in s.execute(query).all()]


def count_tickets(db: Database, f: TicketFilter | None = None) -> int:
    """How many tickets match ``f`` (for "showing 1-50 of 1,234")."""
    inner = _apply_filter(_base_query(), f or TicketFilter()).subquery()
    with db.read() as s:
        return int(s.execute(select(func.count()).select_from(inner)).scalar_one())


def get_ticket(db: Database, number: int) -> TicketRow:
    """One ticket's row, or NotFoundError."""
    with db.read() as s:
        return _get_row(s, number)


def _get_row(s: Session, number: int) -> TicketRow:
    found = s.execute(_base_query().where(col(Ticket.number) == number)).first()
    if found is None:
        raise NotFoundError(f"no ticket #{number}")
    return _row(found)


def ticket_detail(db: Database, number: int) -> TicketDetail:
    """A ticket with its thread, notes, time and links, read consistently."""
    with db.read() as s:
        row = _get_row(s, number)
        ticket = s.exec(select(Ticket).where(Ticket.number == number)).one()
        tid = ticket.id
        names = {t.id: t.username for t in s.exec(select(Technician)).all()}
        thread: list[ThreadItem] = [
            ThreadItem("reply", r.author_name, r.author_kind, r.body, r.created_at, r.channel)
            for r in s.exec(select(Reply).where(Reply.ticket_id == tid)).all()
        ]
        thread += [
            ThreadItem(
                "note",
                names.get(n.technician_id, "?"),
                AuthorKind.TECHNICIAN,
                n.body,
                n.created_at,
                private=True,
            )
            for n in s.exec(select(InternalNote).where(InternalNote.ticket_id == tid)).all()
        ]
        thread.sort(key=lambda item: item.at)
        time_rows = [
            TimeRow(names.get(e.technician_id, "?"), e.minutes, e.billable, e.note, e.work_date)
            for e in s.exec(
                select(TimeEntry).where(TimeEntry.ticket_id == tid).order_by(col(TimeEntry.id))
            ).all()
        ]
        children = [
            _row(r)
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
        return TicketDetail(
            row, ticket.description, ticket.resolution, thread, time_rows, children, follow_ups
        )


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


def kb_articles(db: Database) -> list[KBArticle]:
    with db.read() as s:
        return list(s.exec(select(KBArticle).order_by(col(KBArticle.title))).all())


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
