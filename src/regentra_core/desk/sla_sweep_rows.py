"""The SLA sweep over plain rows: marks, badges and breach flags written in bulk.

The first sweep of a migrated desk marks every ticket and records a badge on almost
every one. Done one ORM object at a time (load, set attributes, flush, mapper
events, the marking at commit) that was 42 s at 100k tickets and 551 s at 1M. Here
a chunk of tickets is read as plain rows, each ticket's clocks are computed by the
same pure rules (``sla_marks`` for the marks, ``sla_verdict`` for what the sweep
records), and the chunk is written with two executemany UPDATEs and one of its
audit Events, straight through the DB-API (``store.bulk_rows``), in one short write
transaction.

A stale ticket (its marks made under another SLA set-up, or none yet) is marked and,
when its marks say the sweep has something to record, swept in the same chunk:
one write per ticket instead of two.

What stays per ticket, through the ORM (``desk.sla``): a badge change that moves
the ticket to Escalated (its policy says so) or that automation rules fire on,
since both run use cases on a Ticket object. The Core UPDATEs are invisible to
the search outbox's mapper events: a badge is not part of a ticket's search
document, so nothing is re-indexed. Every badge change still writes its Event
(system actor, from and to, the door's source), which is what open apps' change
feed reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import col

from .. import lifecycle
from ..automation import Trigger
from ..enums import ActorKind, Status
from ..events import EventKind
from ..identity import Actor
from ..sla import Badge, SlaState
from ..sla_book import ClockInputs, SlaBook, clock_columns, clock_inputs, stored_instant
from ..sla_marks import (
    Marks,
    marks_of,
    marks_with_state,
    resweep_whole,
    settled,
    still_since,
    sweep_at,
)
from ..sla_verdict import Verdict, verdict
from ..store import bulk_rows, clock_writes
from ..store.models import Ticket
from . import automations
from .tx import Tx

SWEEP_ACTOR = Actor.system("sla")

REMARK_CHUNK = 500
"""Stale tickets marked (and swept) per write transaction (each holds the write lock
briefly)."""

_TRIGGERS = {Badge.AT_RISK: Trigger.SLA_AT_RISK, Badge.BREACHED: Trigger.SLA_BREACHED}


@dataclass(slots=True)
class SweepReport:
    """What one SLA sweep saw and did."""

    checked: int = 0
    changed: list[tuple[int, str, str]] = field(default_factory=list)
    """(ticket number, old badge, new badge)."""
    flagged: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)


@dataclass(slots=True)
class SweepPass:
    """One sweep: its instant, its report, and the tickets a chunk leaves to the
    per-ticket path (``take_orm``)."""

    now: datetime
    report: SweepReport
    orm: list[int] = field(default_factory=list)
    settled: int = 0
    """Stale tickets the sweep watched once marked and left for good in the same
    write (a done ticket's final badge): part of the report's ``checked``."""

    def take_orm(self) -> list[int]:
        """The numbers of the tickets the last chunk left to the ORM path, forgetting
        them."""
        numbers, self.orm = self.orm, []
        return numbers


def escalates(book: SlaBook, client_id: int | None) -> bool:
    """Whether the ticket's policy moves a flagged ticket to Escalated."""
    policy_id = book.client_policy.get(client_id or -1, book.default_id)
    return bool(policy_id is not None and book.escalate.get(policy_id))


def can_escalate(status: Status) -> bool:
    """Whether the system may move a ticket in ``status`` to Escalated."""
    return status != Status.ESCALATED and lifecycle.may_move(
        status, Status.ESCALATED, ActorKind.SYSTEM
    )


def _columns() -> tuple[Any, ...]:
    return (
        *clock_columns(),
        col(Ticket.id),
        col(Ticket.sla_badge),
        col(Ticket.sla_rest),
        type_coerce(col(Ticket.sla_risk_at), String),
        type_coerce(col(Ticket.sla_breach_at), String),
        col(Ticket.sla_marks_gen),
    )


_CLOCK = len(clock_columns())

_WHOLE = (
    "UPDATE ticket SET sla_rest = ?, sla_risk_at = ?, sla_breach_at = ?, sla_due_at = ?, "
    "sla_sweep_at = ?, sla_marks_gen = ?, sla_badge = ?, response_breached = ?, "
    "resolution_breached = ? WHERE id = ?"
)
_RECORD = (
    "UPDATE ticket SET sla_badge = ?, response_breached = ?, resolution_breached = ?, "
    "sla_sweep_at = ? WHERE id = ?"
)
_EVENT = (
    "INSERT INTO event (ticket_id, actor, actor_kind, source, kind, from_value, to_value, "
    "detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class _Chunk:
    """One write transaction's worth of tickets: what to write, gathered row by row."""

    def __init__(self, tx: Tx, sweep: SweepPass | None, *, lock: bool) -> None:
        self.tx = tx
        self.sweep = sweep
        s = tx.session
        self.gen = clock_writes.current_generation(s, lock=lock)
        self.book = SlaBook.load(s)
        self.mark_now = tx.now()
        """When marks made now start (the Desk's marking uses the transaction's now)."""
        self.time = bulk_rows.time_writer(s.connection())
        self.whole: list[tuple[Any, ...]] = []
        self.record: list[tuple[Any, ...]] = []
        self.events: list[tuple[Any, ...]] = []
        """The audit Events, written with the rows (no ORM object to wait for)."""
        self._rules_on: frozenset[Badge] | None = None

    def mark(self, row: Sequence[Any]) -> None:
        """Mark a stale ticket, and sweep it if its new marks say it is due."""
        number, inputs = clock_inputs(row[:_CLOCK])
        ticket_id, recorded = row[_CLOCK], row[_CLOCK + 1]
        marks, state = marks_with_state(self.book, inputs, self.mark_now)
        at = sweep_at(
            marks,
            status=inputs.status,
            recorded=recorded,
            response_breached=inputs.response_breached,
            resolution_breached=inputs.resolution_breached,
        )
        if self.sweep is None or at is None or at > self.sweep.now:
            self._write_whole(ticket_id, marks, at, recorded, inputs)
            return
        if state is not None:
            # Clocks that stopped before both instants read the same at either
            # (most of a first sweep: done tickets): computed once, not twice.
            since = still_since(inputs)
            if since is None or since > min(self.sweep.now, self.mark_now):
                state = None
        stored = Marks(rest=marks.rest, risk_at=marks.risk_at, breach_at=marks.breach_at)
        self._sweep(number, ticket_id, inputs, recorded, stored, fresh=(marks, at), state=state)

    def sweep_row(self, row: Sequence[Any]) -> None:
        """Sweep a ticket whose stored marks say it is due."""
        number, inputs = clock_inputs(row[:_CLOCK])
        ticket_id, recorded, rest, risk, breach, gen = row[_CLOCK:]
        stored = Marks(
            rest=Badge(rest) if rest is not None else None,
            risk_at=stored_instant(risk) if risk is not None else None,
            breach_at=stored_instant(breach) if breach is not None else None,
        )
        self._sweep(number, ticket_id, inputs, recorded, stored, current=gen == self.gen)

    def _sweep(
        self,
        number: int,
        ticket_id: int,
        inputs: ClockInputs,
        recorded: str | None,
        stored: Marks,
        *,
        fresh: tuple[Marks, datetime | None] | None = None,
        current: bool = True,
        state: SlaState | None = None,
    ) -> None:
        """Record what the ticket's clocks say now, and when to look at it again;
        ``fresh``: its marks were made in this chunk (with their sweep instant);
        ``state``: its clocks as they read now, if already computed."""
        assert self.sweep is not None
        now = self.sweep.now
        status = Status(inputs.status)
        if state is None:
            state = self.book.state(inputs, now, with_due=False)
        found: Verdict | None = None
        if state is not None:
            found = verdict(
                state,
                recorded=recorded,
                response_breached=inputs.response_breached,
                resolution_breached=inputs.resolution_breached,
                done=status.is_done,
            )
            if self._needs_orm(found, status, inputs.client_id):
                if fresh is not None:
                    self._write_whole(ticket_id, fresh[0], fresh[1], recorded, inputs)
                self.sweep.orm.append(number)
                return
        marks: Marks | None = fresh[0] if fresh is not None else stored
        if found is None or not found.changes(inputs.response_breached, inputs.resolution_breached):
            # Nothing to record after all: its clocks are marked again, whole.
            after, badge, marks = inputs, recorded, None
        else:
            self._record(number, ticket_id, found)
            after = inputs._replace(
                response_breached=found.response_breached,
                resolution_breached=found.resolution_breached,
            )
            badge = found.new.value if found.new is not None else recorded
            if not current or (not settled(status, badge) and resweep_whole(stored, now)):
                marks = None
        at: datetime | None = None
        if marks is None:
            marks = marks_of(self.book, after, self.mark_now)
            at = self._next(marks, after, badge)
        elif not settled(status, badge):
            at = self._next(stored, after, badge)
        if fresh is not None or marks is not stored:
            self._write_whole(ticket_id, marks, at, badge, after)
            if fresh is not None and at is None and (status.is_done or marks.rest is None):
                self.sweep.settled += 1  # watched as marked, no longer once swept
            return
        self.record.append(
            (badge, after.response_breached, after.resolution_breached, self.time(at), ticket_id)
        )

    def _next(self, marks: Marks, inputs: ClockInputs, badge: str | None) -> datetime | None:
        assert self.sweep is not None
        return sweep_at(
            marks,
            status=inputs.status,
            recorded=badge,
            response_breached=inputs.response_breached,
            resolution_breached=inputs.resolution_breached,
            after=self.sweep.now,
        )

    def _needs_orm(self, found: Verdict, status: Status, client_id: int | None) -> bool:
        """A badge change that moves the ticket to Escalated, or that automation rules
        fire on: those run use cases on a Ticket object."""
        if found.new is None:
            return False
        if found.new in self._rules():
            return True
        return found.flag and escalates(self.book, client_id) and can_escalate(status)

    def _rules(self) -> frozenset[Badge]:
        if self._rules_on is None:
            settle = self.tx.door.settle
            if settle is None:
                self._rules_on = frozenset()
            elif settle is automations.settle:
                fired = automations.triggers_with_rules(self.tx)
                self._rules_on = frozenset(b for b, t in _TRIGGERS.items() if t in fired)
            else:  # a hook we cannot ask: every change it might act on goes through it
                self._rules_on = frozenset(_TRIGGERS)
        return self._rules_on

    def _record(self, number: int, ticket_id: int, found: Verdict) -> None:
        """The badge change's Events (and the report's lines), if the badge changed."""
        assert self.sweep is not None
        if found.new is None:
            return
        now, report = self.sweep.now, self.sweep.report
        new = found.new.value
        report.changed.append((number, found.old, new))
        who = (ticket_id, SWEEP_ACTOR.name, SWEEP_ACTOR.kind.value, self.tx.source)
        at = self.time(now)
        self.events.append(
            (*who, EventKind.SLA_BADGE_CHANGED.value, found.old, new, found.detail, at)
        )
        if found.flag:
            report.flagged.append(number)
            action = "flagged only (policy setting)"
            self.events.append(
                (*who, EventKind.SLA_ESCALATION_FLAGGED.value, None, new, action, at)
            )

    def _write_whole(
        self,
        ticket_id: int,
        marks: Marks,
        at: datetime | None,
        recorded: str | None,
        inputs: ClockInputs,
    ) -> None:
        time = self.time
        self.whole.append(
            (
                marks.rest.value if marks.rest is not None else None,
                time(marks.risk_at),
                time(marks.breach_at),
                time(marks.due_at),
                time(at),
                self.gen,
                recorded,
                inputs.response_breached,
                inputs.resolution_breached,
                ticket_id,
            )
        )

    def write(self) -> None:
        conn = self.tx.session.connection()
        bulk_rows.executemany(conn, _WHOLE, self.whole)
        bulk_rows.executemany(conn, _RECORD, self.record)
        bulk_rows.executemany(conn, _EVENT, self.events)


def remark_chunk(tx: Tx, sweep: SweepPass | None = None) -> int:
    """Mark up to ``REMARK_CHUNK`` stale tickets in ``tx`` and, given a ``sweep``,
    sweep those of them it is due for; how many it marked."""
    chunk = _Chunk(tx, sweep, lock=True)
    rows = (
        tx.session.connection()
        .execute(
            sa_select(*_columns())
            .where(col(Ticket.sla_marks_gen) < chunk.gen)
            .order_by(col(Ticket.sla_marks_gen))
            .limit(REMARK_CHUNK)
        )
        .all()
    )
    for row in rows:
        chunk.mark(row)
    chunk.write()
    return len(rows)


def sweep_chunk(tx: Tx, numbers: Sequence[int], sweep: SweepPass) -> None:
    """Sweep the tickets ``numbers`` (their stored ``sla_sweep_at`` has come), locked
    for this change, in number order."""
    chunk = _Chunk(tx, sweep, lock=False)
    rows = (
        tx.session.connection()
        .execute(
            sa_select(*_columns())
            .where(col(Ticket.number).in_(list(numbers)))
            .order_by(col(Ticket.number))
            .with_for_update()
        )
        .all()
    )
    for row in rows:
        chunk.sweep_row(row)
    chunk.write()
