"""The SLA configuration as loaded from the database: which policy applies where.

Readers (lists, the detail view, the sweep, priority changes) load the book once
per session and ask it for a ticket's :class:`~regentra_core.sla.SlaState`.
``SlaBook.from_rows`` builds a book from the rows of the SLA tables however they
were read (``plain_reads.sla`` reads them with the DB-API). Calendars are cached
across loads by their definition, because building a calendar's day tables is the
only costly part and definitions rarely change.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from .calendar import BusinessCalendar, parse_hours
from .enums import Priority, Status
from .sla import Policy, SlaState, Targets, compute, load_pauses

if TYPE_CHECKING:
    from sqlmodel import Session

    from .store.models import Ticket

# SQLAlchemy and the models are imported by the functions that read through them:
# the book itself (built from plain rows by ``from_rows``) and its clocks are pure,
# and ``plain_reads`` builds it without the ORM for a command that starts fast.

_CALENDAR_CACHE: OrderedDict[tuple[object, ...], BusinessCalendar] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 32


def calendar_for(
    name: str, timezone: str, hours: str, always_open: bool, holidays: frozenset[date]
) -> BusinessCalendar:
    """A calendar for this definition, reused while the definition is unchanged."""
    key = (name, timezone, hours, always_open, holidays)
    with _CACHE_LOCK:
        found = _CALENDAR_CACHE.get(key)
        if found is not None:
            _CALENDAR_CACHE.move_to_end(key)
            return found
    if always_open:
        built = BusinessCalendar.twenty_four_seven(name)
    else:
        built = BusinessCalendar(timezone, parse_hours(hours), holidays, name=name)
    with _CACHE_LOCK:
        _CALENDAR_CACHE[key] = built
        while len(_CALENDAR_CACHE) > _CACHE_SIZE:
            _CALENDAR_CACHE.popitem(last=False)
    return built


class ClockInputs(NamedTuple):
    """The stored fields a ticket's clocks are computed from.

    A NamedTuple rather than a frozen dataclass: lists build one per ticket, and a
    tuple is several times cheaper to create.
    """

    client_id: int | None
    priority: Priority
    status: Status
    created_at: datetime
    first_response_at: datetime | None
    sla_pauses: str
    response_breached: bool
    resolution_breached: bool
    sla_done_spans: str = "[]"


_BOOKS: OrderedDict[tuple[str, int], SlaBook] = OrderedDict()
"""Books by (desk, SLA set-up version): a few, since tests open many desks."""
_BOOKS_LOCK = threading.Lock()


@dataclass
class SlaBook:
    """Every policy, the default one, and which client uses which."""

    policies: dict[int, Policy] = field(default_factory=dict)
    policy_ids: dict[str, int] = field(default_factory=dict)
    default_id: int | None = None
    client_policy: dict[int, int] = field(default_factory=dict)
    escalate: dict[int, bool] = field(default_factory=dict)
    fingerprint: str = ""
    """A digest of everything the clocks are computed from (not names, not the
    escalation switch): the tickets' stored SLA marks hold while it stays."""

    @classmethod
    def load(cls, s: Session) -> SlaBook:
        """The book as stored now: built once per SLA set-up and process, then reused
        while the desk's change counter (``DeskState.sla_version``) stays."""
        from .store import config_version as _config_version

        key = _config_version.cache_key(s, _config_version.SLA_BUMPED)
        if key is not None:
            with _BOOKS_LOCK:
                cached = _BOOKS.get(key)
                if cached is not None:
                    _BOOKS.move_to_end(key)
                    return cached
        book = cls._read(s)
        if key is not None:
            with _BOOKS_LOCK:
                _BOOKS[key] = book
                while len(_BOOKS) > 16:
                    _BOOKS.popitem(last=False)
        return book

    @classmethod
    def _read(cls, s: Session) -> SlaBook:
        from sqlalchemy import select as sa_select
        from sqlmodel import col

        from .store.models import BusinessCalendarRow, Client, Holiday, SlaPolicy, SlaTarget

        conn = s.connection()
        return cls.from_rows(
            conn.execute(sa_select(col(Holiday.calendar_id), col(Holiday.day))).all(),
            conn.execute(
                sa_select(
                    col(BusinessCalendarRow.id),
                    col(BusinessCalendarRow.name),
                    col(BusinessCalendarRow.timezone),
                    col(BusinessCalendarRow.hours),
                    col(BusinessCalendarRow.always_open),
                )
            ).all(),
            conn.execute(
                sa_select(
                    col(SlaTarget.policy_id),
                    col(SlaTarget.priority),
                    col(SlaTarget.response_minutes),
                    col(SlaTarget.resolution_minutes),
                )
            ).all(),
            conn.execute(
                sa_select(
                    col(SlaPolicy.id),
                    col(SlaPolicy.name),
                    col(SlaPolicy.calendar_id),
                    col(SlaPolicy.at_risk_share),
                    col(SlaPolicy.escalate_status),
                    col(SlaPolicy.is_default),
                ).order_by(col(SlaPolicy.id))
            ).all(),
            conn.execute(
                sa_select(col(Client.id), col(Client.sla_policy_id)).where(
                    col(Client.sla_policy_id).is_not(None)
                )
            ).all(),
        )

    @classmethod
    def from_rows(
        cls,
        holiday_rows: Sequence[Any],
        calendar_rows: Sequence[Any],
        target_rows: Sequence[Any],
        policy_rows: Sequence[Any],
        client_rows: Sequence[Any],
    ) -> SlaBook:
        """A book from the SLA tables' rows, each in the column order ``_read`` asks
        for (holidays, calendars, targets, policies by id, clients with a policy)."""
        holidays: dict[int, set[date]] = {}
        for calendar_id, day in holiday_rows:
            holidays.setdefault(calendar_id, set()).add(day)
        calendars = {
            cid: calendar_for(name, tz, hours, always, frozenset(holidays.get(cid or 0, ())))
            for cid, name, tz, hours, always in calendar_rows
        }
        targets: dict[int, dict[Priority, Targets]] = {}
        for policy_id, priority, response, resolution in target_rows:
            targets.setdefault(policy_id, {})[Priority(priority)] = Targets(response, resolution)
        book = cls(
            fingerprint=_digest(
                sorted((cid, day.isoformat()) for cid, day in holiday_rows),
                sorted(
                    (cid, tz, hours, bool(always)) for cid, _, tz, hours, always in calendar_rows
                ),
                sorted((p, str(pr), r, s) for p, pr, r, s in target_rows),
                sorted(
                    (pid, cid, float(share), bool(default))
                    for pid, _, cid, share, _, default in policy_rows
                ),
                sorted((c, p) for c, p in client_rows),
            )
        )
        for pid, name, calendar_id, share, escalate, default in policy_rows:
            book.policies[pid] = Policy(
                name, calendars[calendar_id], targets.get(pid, {}), share, escalate
            )
            book.policy_ids[name] = pid
            book.escalate[pid] = escalate
            if default:
                book.default_id = pid
        for client_id, policy_id in client_rows:
            book.client_policy[client_id] = policy_id
        return book

    def policy_for(self, client_id: int | None) -> Policy | None:
        """The client's own policy, else the default, else None (no SLA)."""
        policy_id = self.client_policy.get(client_id or -1, self.default_id)
        return self.policies.get(policy_id) if policy_id is not None else None

    def state(
        self,
        ticket: ClockInputs,
        now: datetime,
        *,
        priority: Priority | None = None,
        with_due: bool = True,
    ) -> SlaState | None:
        """Both clocks of ``ticket`` as of ``now`` (optionally as if at ``priority``)."""
        policy = self.policy_for(ticket.client_id)
        wanted = priority or ticket.priority
        if policy is None or wanted not in policy.targets:
            return None
        return compute(
            policy=policy,
            priority=wanted,
            status=ticket.status,
            created_at=ticket.created_at,
            first_response_at=ticket.first_response_at,
            pauses=load_pauses(ticket.sla_pauses),
            now=now,
            done_spans=load_pauses(ticket.sla_done_spans),
            response_breached=ticket.response_breached,
            resolution_breached=ticket.resolution_breached,
            with_due=with_due,
        )


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def clock_columns() -> tuple[Any, ...]:
    """The narrow SELECT list for :func:`clock_inputs`, number first.

    Timestamps and enums are fetched as their raw stored text (``type_coerce``
    changes only how the result is read, not the SQL) and converted here, which is
    several times faster than the generic result processors: this is the hot path
    when a list is filtered or sorted by SLA. Run it on ``session.connection()``
    (Core), not through the ORM session.
    """
    from sqlalchemy import String, type_coerce
    from sqlmodel import col

    from .store.models import Ticket

    return (
        col(Ticket.number),
        col(Ticket.client_id),
        type_coerce(col(Ticket.priority), String),
        type_coerce(col(Ticket.status), String),
        type_coerce(col(Ticket.created_at), String),
        type_coerce(col(Ticket.first_response_at), String),
        col(Ticket.sla_pauses),
        col(Ticket.response_breached),
        col(Ticket.resolution_breached),
        col(Ticket.sla_done_spans),
    )


def clock_inputs(row: Sequence[Any]) -> tuple[int, ClockInputs]:
    """(number, inputs) from a row of :func:`clock_columns`."""
    number, client_id, priority, status, created, responded, pauses, rb, sb, done = row
    return number, ClockInputs(
        client_id,
        priority,
        status,
        _utc(created),
        _utc(responded) if responded else None,
        pauses,
        bool(rb),
        bool(sb),
        done,
    )


def stored_instant(value: str | datetime) -> datetime:
    """A timestamp column read as its raw stored text (``type_coerce``), in UTC."""
    return _utc(value)


def _utc(value: str | datetime) -> datetime:
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def inputs_of(t: Ticket) -> ClockInputs:
    """The clock inputs of a stored ticket."""
    return ClockInputs(
        t.client_id,
        t.priority,
        t.status,
        t.created_at,
        t.first_response_at,
        t.sla_pauses,
        t.response_breached,
        t.resolution_breached,
        t.sla_done_spans,
    )
