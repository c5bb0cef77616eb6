"""Working a ticket: the technician's everyday use cases."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import col, select

from .. import lifecycle
from ..enums import (
    EscalationReason,
    Priority,
    PriorityChangeSource,
    Status,
)
from ..errors import (
    NoChange,
    ValidationError,
)
from ..events import EventKind
from ..identity import Actor
from ..priority import check_priority_change
from ..records import NoteRecord, ReplyRecord, TicketRecord, TimeRecord
from ..store.models import (
    AiSuggestion,
    InternalNote,
    Ticket,
    TimeEntry,
)
from ._base import (
    MAX_MINUTES_PER_ENTRY,
    DeskBase,
    _excerpt,
    _id,
    clean_text,
)


class WorkCases(DeskBase):
    """What technicians do to a ticket: reply, note, time, status, priority, assign."""

    def add_technician_reply(
        self,
        number: int,
        body: str,
        *,
        expected_version: int | None = None,
        then: Status | None = None,
        resolution: str | None = None,
        draft: int | None = None,
    ) -> ReplyRecord:
        """Send a public reply; the first one stops the SLA response clock.

        ``then`` moves the ticket in the same transaction ("reply and set Waiting",
        "reply and resolve"): the customer never gets an answer on a ticket whose
        move was refused, nor a move without its answer. A reply that resolves
        without a ``resolution`` note records the reply itself as the resolution.
        ``draft`` names the AI draft the reply started from: it is recorded as sent
        as is or edited, for the review queue.
        """
        body = clean_text(body, what="reply")
        with self._write() as s:
            ticket = self._load(s, number, expected_version)
            reply = self._technician_reply(s, ticket, body)
            if draft is not None:
                row = s.get(AiSuggestion, draft)
                if row is None or row.kind != "draft" or row.ticket_id != ticket.id:
                    raise ValidationError(f"draft {draft} is not a draft on #{number}")
                if row.outcome is None:
                    used = (
                        "sent" if " ".join(row.body.split()) == " ".join(body.split()) else "edited"
                    )
                    row.outcome = used
                    self._event(
                        s, ticket, EventKind.AI_DRAFT_USED, to=used, detail=f"draft {draft}"
                    )
            if then is not None and then != ticket.status:
                if then == Status.RESOLVED:
                    ticket.resolution = clean_text(resolution or body, what="resolution")
                self._transition(s, ticket, then, actor=self.actor, at=self.clock())
        return ReplyRecord.of(reply)

    def add_note(self, number: int, body: str) -> NoteRecord:
        """Add a private note; it never reaches the customer or stops an SLA clock."""
        body = clean_text(body, what="note")
        with self._write() as s:
            ticket = self._load(s, number)
            now = self.clock()
            note = InternalNote(
                ticket_id=_id(ticket),
                technician_id=self._require_technician(),
                body=body,
                created_at=now,
            )
            s.add(note)
            self._touch(ticket, now)
            s.flush()
            self._event(s, ticket, EventKind.NOTE_ADDED, detail=_excerpt(body))
        return NoteRecord.of(note)

    def log_time(
        self,
        number: int,
        minutes: int,
        *,
        billable: bool = True,
        note: str = "",
        work_date: date | None = None,
    ) -> TimeRecord:
        """Record time worked; one entry is at most a day."""
        if not 0 < minutes <= MAX_MINUTES_PER_ENTRY:
            raise ValidationError(
                f"minutes must be between 1 and {MAX_MINUTES_PER_ENTRY}, not {minutes}"
            )
        with self._write() as s:
            ticket = self._load(s, number)
            now = self.clock()
            entry = TimeEntry(
                ticket_id=_id(ticket),
                technician_id=self._require_technician(),
                minutes=minutes,
                billable=billable,
                note=clean_text(note, what="time note", required=False),
                work_date=work_date or now.date(),
                created_at=now,
            )
            s.add(entry)
            self._touch(ticket, now)
            s.flush()
            kind = "billable" if billable else "non-billable"
            self._event(s, ticket, EventKind.TIME_LOGGED, to=f"{minutes} min {kind}")
        return TimeRecord.of(entry)

    # -- lifecycle --------------------------------------------------------------

    def change_status(
        self,
        number: int,
        status: Status,
        *,
        expected_version: int | None = None,
        resolution: str | None = None,
    ) -> TicketRecord:
        """Move a ticket along the lifecycle table, as a technician."""
        with self._write() as s:
            ticket = self._load(s, number, expected_version)
            if resolution is not None:
                ticket.resolution = clean_text(resolution, what="resolution")
            self._transition(s, ticket, status, actor=self.actor, at=self.clock())
        return TicketRecord.of(ticket)

    def reopen(self, number: int, *, expected_version: int | None = None) -> TicketRecord:
        """Put a Resolved or Closed ticket back to In Progress by hand."""
        return self.change_status(number, Status.IN_PROGRESS, expected_version=expected_version)

    def run_auto_close(self, now: datetime | None = None) -> list[int]:
        """Close every Resolved ticket whose 24 hours have passed as of ``now``.

        Idempotent and catch-up safe: each ticket closes once, and its Event is
        dated when it became due, not when the job happened to run.
        """
        now = now or self.clock()
        closed: list[int] = []
        with self._write() as s:
            due = s.exec(
                select(Ticket)
                .where(Ticket.status == Status.RESOLVED)
                .where(col(Ticket.resolved_at) <= now - lifecycle.AUTO_CLOSE_AFTER)
                .order_by(col(Ticket.number))
                .with_for_update()
            ).all()
            for ticket in due:
                self._close_overdue(s, ticket)
                closed.append(ticket.number)
            self._event(
                s,
                None,
                EventKind.AUTO_CLOSE_RUN,
                to=str(len(closed)),
                at=now,
                actor=Actor.system("auto-close"),
            )
        return closed

    def record_worker_once(self, summary: str, now: datetime | None = None) -> None:
        """Note that ``regentra worker --once`` ran every due job (``summary``: what it did).

        ``--once`` takes no lease (it must not take the jobs from a live daemon), so
        without this nothing showed it had run, and ``doctor`` said that no worker
        had ever run on a desk whose jobs a technician had just run by hand.
        """
        with self._write() as s:
            self._event(
                s,
                None,
                EventKind.WORKER_RAN_ONCE,
                to=summary,
                at=now or self.clock(),
                actor=Actor.system("worker-once"),
            )

    # -- priority ---------------------------------------------------------------

    def change_priority(
        self,
        number: int,
        priority: Priority,
        *,
        source: PriorityChangeSource = PriorityChangeSource.OPERATOR,
        rule: str | None = None,
        expected_version: int | None = None,
    ) -> TicketRecord:
        """Change priority through an allowed path; any other path is refused.

        ``source`` is OPERATOR for a technician's edit and AUTOMATION for an
        automation rule (then ``rule`` names it). Policy escalation goes through
        :meth:`escalate_priority`, the AI through :meth:`suggest_priority`.
        """
        if source == PriorityChangeSource.OPERATOR:
            self._require_technician()
        if source == PriorityChangeSource.AUTOMATION and not rule:
            raise ValidationError("an automation priority change must name its rule")
        with self._write() as s:
            ticket = self._load(s, number, expected_version)
            new = check_priority_change(ticket.priority, priority, source)
            if new == ticket.priority:
                raise NoChange(f"#{number} is already {new.label}")
            detail = f"source {source.value}" + (f", rule {rule}" if rule else "")
            self._set_priority(s, ticket, new, detail, self.clock())
        return TicketRecord.of(ticket)

    def escalate_priority(self, number: int, reason: EscalationReason) -> TicketRecord:
        """Policy escalation: LOW/MEDIUM become HIGH; HIGH/CRITICAL stay (recorded)."""
        with self._write() as s:
            ticket = self._load(s, number)
            self._escalate(s, ticket, reason, at=self.clock())
        return TicketRecord.of(ticket)

    # -- assignment -------------------------------------------------------------

    def assign(
        self, number: int, username: str | None, *, expected_version: int | None = None
    ) -> TicketRecord:
        """Assign to an active technician, or unassign with ``None``."""
        with self._write() as s:
            ticket = self._load(s, number, expected_version)
            self._assign(s, ticket, self._technician(s, username) if username else None)
        return TicketRecord.of(ticket)
