"""Correcting time entries: a mistyped entry edited or removed, each change audited.

Time is the invoice basis, so a correction is a use case of its own rather than a
second entry that cancels the first: the entry itself changes and an Event says
what it was and what it became (``time_edited``), or what was removed
(``time_removed``, the whole entry in its from-value). A removed entry is
withdrawn, not deleted (``removed_at``, ``removed_by_id``): out of every total
and report, still in the table, since the desk deletes nothing. Only
the technician who logged an entry or a lead may change it. There is no notion of
an invoiced entry yet (the time report is the invoice basis, read when billing);
when one comes, refusing to change an invoiced entry belongs here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..durations import format_minutes
from ..errors import NoChange, NotFoundError, PermissionDenied, ValidationError
from ..events import EventKind
from ..records import TimeRecord
from ..store.models import Technician, Ticket, TimeEntry
from .moves import MAX_MINUTES_PER_ENTRY, clean_text, load, touch
from .tx import Tx


def describe_entry(entry: TimeEntry, technician: str) -> str:
    """One line an Event keeps of an entry: enough to put it back by hand."""
    kind = "billable" if entry.billable else "non-billable"
    note = f" {entry.note!r}" if entry.note else ""
    return f"{format_minutes(entry.minutes)} {kind} on {entry.work_date} by {technician}{note}"


@dataclass(frozen=True, slots=True)
class TimeChange:
    """What a correction did: the entry as it is now (or was, when removed), its
    ticket's number, and the entry described before and after (``None``: removed)."""

    entry: TimeRecord
    number: int
    before: str
    after: str | None


def edit_time(
    tx: Tx,
    entry_id: int,
    *,
    minutes: int | None = None,
    billable: bool | None = None,
    note: str | None = None,
    work_date: date | None = None,
) -> TimeChange:
    """Change what an entry says; fields left ``None`` stay as they are."""
    if minutes is not None and not 0 < minutes <= MAX_MINUTES_PER_ENTRY:
        raise ValidationError(
            f"minutes must be between 1 and {MAX_MINUTES_PER_ENTRY}, not {minutes}"
        )
    entry, ticket, author = _entry(tx, entry_id, "edit")
    before = describe_entry(entry, author)
    if minutes is not None:
        entry.minutes = minutes
    if billable is not None:
        entry.billable = billable
    if note is not None:
        entry.note = clean_text(note, what="time note", required=False)
    if work_date is not None:
        entry.work_date = work_date
    after = describe_entry(entry, author)
    if after == before:
        raise NoChange(f"time entry {entry_id} already says {before}")
    touch(ticket, tx.now())
    tx.event(ticket, EventKind.TIME_EDITED, before, after, detail=f"entry {entry_id}")
    return TimeChange(TimeRecord.of(entry), ticket.number, before, after)


def remove_time(tx: Tx, entry_id: int) -> TimeChange:
    """Remove an entry logged by mistake; its Event keeps everything it said."""
    entry, ticket, author = _entry(tx, entry_id, "remove")
    change = TimeChange(TimeRecord.of(entry), ticket.number, describe_entry(entry, author), None)
    tx.event(ticket, EventKind.TIME_REMOVED, change.before, detail=f"entry {entry_id}")
    now = tx.now()
    entry.removed_at = now
    entry.removed_by_id = tx.require_technician()
    touch(ticket, now)
    return change


def _entry(tx: Tx, entry_id: int, what: str) -> tuple[TimeEntry, Ticket, str]:
    """The entry, its ticket (locked, as every ticket write) and its author's name,
    once the actor is found allowed to change it."""
    me = tx.require_technician()
    s = tx.session
    entry = s.get(TimeEntry, entry_id)
    owner = s.get(Ticket, entry.ticket_id) if entry is not None else None
    if entry is None or owner is None:
        raise NotFoundError(f"no time entry {entry_id}")
    if entry.removed_at is not None:
        raise NotFoundError(f"time entry {entry_id} was removed; log the time again")
    if entry.technician_id != me and not tx.actor.is_lead:
        raise PermissionDenied(
            f"only the technician who logged time entry {entry_id} or a lead may {what} it"
        )
    ticket = load(tx, owner.number)
    author = s.get(Technician, entry.technician_id)
    return entry, ticket, author.username if author else "?"
