"""Working a ticket: the technician's everyday use cases, as functions over a ``Tx``.

Reply, note, time, status, priority, assignment: each is a plain function whose
first argument is the transaction it runs in, so ``Desk`` lists it
(``change_status = in_transaction(work.change_status)``) and another use case (an
automation rule's action, a cascade) calls it inside its own transaction.

A use case that hands back a record of a ticket calls ``tx.settle()`` first: what
the change triggers (the automation rules) runs before the record is built, so the
record shows the rules' changes too, as it did when it was built after the commit
(a reply, a note or a time entry is no rule's to change: those need not wait).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TypedDict, Unpack

from sqlmodel import col, select

from .. import lifecycle
from ..enums import EscalationReason, Priority, PriorityChangeSource, Status
from ..errors import NoChange, ValidationError
from ..events import EventKind
from ..identity import Actor
from ..priority import check_priority_change
from ..records import NoteRecord, ReplyRecord, TicketRecord, TimeRecord
from ..store.models import AiSuggestion, InternalNote, Ticket, TimeEntry
from . import moves
from .attachments import Kept, Upload, file_rows, keep, note_sms
from .moves import MAX_MINUTES_PER_ENTRY, clean_text, excerpt, row_id
from .outgoing import technician_reply
from .tx import Door, Tx, transaction


class ReplyOptions(TypedDict, total=False):
    """What a reply may do besides answering (:func:`add_technician_reply`)."""

    expected_version: int | None
    then: Status | None
    resolution: str | None
    draft: int | None


def reply_with_files(
    door: Door,
    number: int,
    body: str,
    *,
    attachments: Sequence[Upload] = (),
    **options: Unpack[ReplyOptions],
) -> ReplyRecord:
    """``Desk.add_technician_reply``: :func:`add_technician_reply` with
    ``attachments``. Every file is checked first (a missing name, an empty or too
    big file is refused before anything is written) and stored by hash before the
    transaction opens (no write lock held over file I/O); their rows are written in
    the reply's own transaction, so the mail that sends it finds its files."""
    files = keep(door.config.shelf, attachments)
    with transaction(door) as tx:
        return add_technician_reply(tx, number, body, files=files, **options)


def add_technician_reply(
    tx: Tx,
    number: int,
    body: str,
    *,
    expected_version: int | None = None,
    then: Status | None = None,
    resolution: str | None = None,
    draft: int | None = None,
    files: Sequence[Kept] = (),
) -> ReplyRecord:
    """Send a public reply; the first one stops the SLA response clock.

    ``then`` moves the ticket in the same transaction ("reply and set Waiting",
    "reply and resolve"): the customer never gets an answer on a ticket whose
    move was refused, nor a move without its answer. A reply that resolves
    without a ``resolution`` note records the reply itself as the resolution.
    ``draft`` names the AI draft the reply started from: it is recorded as sent
    as is or edited, for the review queue. ``files`` (kept already) go with it.
    """
    body = clean_text(body, what="reply")
    ticket = moves.load(tx, number, expected_version)
    reply = technician_reply(tx, ticket, body)
    if files:
        file_rows(tx, ticket, row_id(reply), files)
        note_sms(tx, reply, len(files))
    if draft is not None:
        _record_draft_used(tx, ticket, draft, body)
    if then is not None and then != ticket.status:
        if then == Status.RESOLVED:
            ticket.resolution = clean_text(resolution or body, what="resolution")
        moves.transition(tx, ticket, then, actor=tx.actor, at=tx.now())
    return ReplyRecord.of(reply)


def _record_draft_used(tx: Tx, ticket: Ticket, draft: int, body: str) -> None:
    """Mark the AI draft a reply started from as sent as is or edited (once)."""
    row = tx.session.get(AiSuggestion, draft)
    if row is None or row.kind != "draft" or row.ticket_id != ticket.id:
        raise ValidationError(f"draft {draft} is not a draft on #{ticket.number}")
    if row.outcome is None:
        used = "sent" if " ".join(row.body.split()) == " ".join(body.split()) else "edited"
        row.outcome = used
        tx.event(ticket, EventKind.AI_DRAFT_USED, to=used, detail=f"draft {draft}")


def add_note(tx: Tx, number: int, body: str) -> NoteRecord:
    """Add a private note; it never reaches the customer or stops an SLA clock."""
    body = clean_text(body, what="note")
    ticket = moves.load(tx, number)
    now = tx.now()
    note = InternalNote(
        ticket_id=row_id(ticket),
        technician_id=tx.require_technician(),
        body=body,
        created_at=now,
    )
    tx.session.add(note)
    moves.touch(ticket, now)
    tx.session.flush()
    tx.event(ticket, EventKind.NOTE_ADDED, detail=excerpt(body))
    return NoteRecord.of(note)


def log_time(
    tx: Tx,
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
    ticket = moves.load(tx, number)
    now = tx.now()
    entry = TimeEntry(
        ticket_id=row_id(ticket),
        technician_id=tx.require_technician(),
        minutes=minutes,
        billable=billable,
        note=clean_text(note, what="time note", required=False),
        work_date=work_date or now.date(),
        created_at=now,
    )
    tx.session.add(entry)
    moves.touch(ticket, now)
    tx.session.flush()
    kind = "billable" if billable else "non-billable"
    tx.event(ticket, EventKind.TIME_LOGGED, to=f"{minutes} min {kind}")
    return TimeRecord.of(entry)


# -- lifecycle ------------------------------------------------------------------


def change_status(
    tx: Tx,
    number: int,
    status: Status,
    *,
    expected_version: int | None = None,
    resolution: str | None = None,
) -> TicketRecord:
    """Move a ticket along the lifecycle table, as a technician."""
    ticket = moves.load(tx, number, expected_version)
    if resolution is not None:
        ticket.resolution = clean_text(resolution, what="resolution")
    moves.transition(tx, ticket, status, actor=tx.actor, at=tx.now())
    tx.settle()
    return TicketRecord.of(ticket)


def reopen(tx: Tx, number: int, *, expected_version: int | None = None) -> TicketRecord:
    """Put a Resolved or Closed ticket back to In Progress by hand."""
    return change_status(tx, number, Status.IN_PROGRESS, expected_version=expected_version)


def run_auto_close(tx: Tx, now: datetime | None = None) -> list[int]:
    """Close every Resolved ticket whose 24 hours have passed as of ``now``.

    Idempotent and catch-up safe: each ticket closes once, and its Event is
    dated when it became due, not when the job happened to run. A run that closes
    nothing writes nothing: every open app reloads its board on a new Event, and
    the job runs every minute (the SLA sweep is as quiet). When it ran last is the
    worker's health to say (its last results), not the audit trail's.
    """
    now = now or tx.now()
    due = tx.session.exec(
        select(Ticket)
        .where(Ticket.status == Status.RESOLVED)
        .where(col(Ticket.resolved_at) <= now - lifecycle.AUTO_CLOSE_AFTER)
        .order_by(col(Ticket.number))
        .with_for_update()
    ).all()
    closed: list[int] = []
    for ticket in due:
        moves.close_overdue(tx, ticket)
        closed.append(ticket.number)
    if closed:
        tx.event(
            None,
            EventKind.AUTO_CLOSE_RUN,
            to=str(len(closed)),
            at=now,
            actor=Actor.system("auto-close"),
        )
    return closed


def record_worker_once(tx: Tx, summary: str, now: datetime | None = None) -> None:
    """Note that ``regentra worker --once`` ran every due job (``summary``: what it did).

    ``--once`` takes no lease (it must not take the jobs from a live daemon), so
    without this nothing showed it had run, and ``doctor`` said that no worker
    had ever run on a desk whose jobs a technician had just run by hand.
    """
    tx.event(
        None,
        EventKind.WORKER_RAN_ONCE,
        to=summary,
        at=now or tx.now(),
        actor=Actor.system("worker-once"),
    )


# -- priority -------------------------------------------------------------------


def change_priority(
    tx: Tx,
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
    :func:`escalate_priority`, the AI through ``Desk.suggest_priority``.
    """
    if source == PriorityChangeSource.OPERATOR:
        tx.require_technician()
    if source == PriorityChangeSource.AUTOMATION and not rule:
        raise ValidationError("an automation priority change must name its rule")
    ticket = moves.load(tx, number, expected_version)
    new = check_priority_change(ticket.priority, priority, source)
    if new == ticket.priority:
        raise NoChange(f"#{number} is already {new.label}")
    detail = f"source {source.value}" + (f", rule {rule}" if rule else "")
    moves.set_priority(tx, ticket, new, detail, tx.now())
    tx.settle()
    return TicketRecord.of(ticket)


def escalate_priority(tx: Tx, number: int, reason: EscalationReason) -> TicketRecord:
    """Policy escalation: LOW/MEDIUM become HIGH; HIGH/CRITICAL stay (recorded)."""
    ticket = moves.load(tx, number)
    moves.escalate(tx, ticket, reason, at=tx.now())
    tx.settle()
    return TicketRecord.of(ticket)


# -- assignment -----------------------------------------------------------------


def assign(
    tx: Tx, number: int, username: str | None, *, expected_version: int | None = None
) -> TicketRecord:
    """Assign to an active technician, or unassign with ``None``."""
    ticket = moves.load(tx, number, expected_version)
    moves.assign(tx, ticket, moves.technician(tx, username) if username else None)
    tx.settle()
    return TicketRecord.of(ticket)
