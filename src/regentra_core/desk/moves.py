"""The moves every use case is made of: load, transition, escalate, link, assign.

A status move or an assignment made by a cascade, a rule or an inbound message is
exactly the one a technician makes by hand, because all of them call these.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from .. import hierarchy, lifecycle, sla
from ..enums import EscalationReason, Priority, PriorityChangeSource, Status
from ..errors import ConflictError, NoChange, NotFoundError, ValidationError
from ..events import EventKind
from ..identity import Actor
from ..lifecycle import TransitionKind
from ..limits import shown
from ..priority import check_priority_change
from ..sla import Badge
from ..sla_book import SlaBook, inputs_of
from ..store.models import Reply, Technician, Ticket
from ..text import undecodable, visible_bytes
from .tx import Tx

FIRST_TICKET_NUMBER = 1001
MAX_MINUTES_PER_ENTRY = 24 * 60


@dataclass(slots=True)
class SlaMemo:
    """The SLA set-up, read once a transaction (a batch re-targets many tickets)."""

    book: SlaBook | None = None


def sla_book(tx: Tx) -> SlaBook:
    memo = tx.memo(SlaMemo)
    if memo.book is None:
        memo.book = SlaBook.load(tx.session)
    return memo.book


def clean_text(text: str, *, what: str, required: bool = True, limit: int | None = None) -> str:
    """Strip surrounding blanks and refuse empty required text or names over ``limit``.

    Customer text (subjects, bodies) has no limit: a huge or hostile message is kept
    whole and only shortened where it is shown. Limits are for names people type.
    """
    if undecodable(text):
        raise ValidationError(f"{what} is not valid UTF-8 text: {visible_bytes(text)[:80]!r}")
    cleaned = text.strip()
    if required and not cleaned:
        raise ValidationError(f"{what} cannot be empty")
    if limit is not None and len(cleaned) > limit:
        raise ValidationError(f"{what} is longer than {limit} characters")
    return cleaned


def load(tx: Tx, number: int, expected_version: int | None = None) -> Ticket:
    """The ticket ``number``, locked for this change; a stale ``expected_version`` is
    a conflict (someone else changed it since the caller read it)."""
    ticket = tx.session.exec(
        select(Ticket).where(Ticket.number == number).with_for_update()
    ).first()
    if ticket is None:
        raise NotFoundError(f"no ticket #{number}")
    if expected_version is not None and ticket.version != expected_version:
        raise ConflictError(number, expected_version, ticket.version)
    return ticket


def load_all(tx: Tx, numbers: Iterable[int]) -> list[Ticket]:
    """The tickets ``numbers`` that exist, locked for this change, in number order (a
    batch of them in one query: the SLA sweep's chunks)."""
    return list(
        tx.session.exec(
            select(Ticket)
            .where(col(Ticket.number).in_(list(numbers)))
            .order_by(col(Ticket.number))
            .with_for_update()
        ).all()
    )


def touch(ticket: Ticket, at: datetime) -> None:
    """Mark ``ticket`` changed: its version moves on (other processes see a conflict)."""
    ticket.version += 1
    ticket.updated_at = max(at, ticket.updated_at)


def node(tx: Tx, ticket: Ticket) -> hierarchy.Node:
    master_number = None
    if ticket.master_id is not None:
        master = tx.session.get(Ticket, ticket.master_id)
        master_number = master.number if master else None
    return hierarchy.Node(ticket.number, ticket.is_master, master_number, ticket.status)


def transition(tx: Tx, ticket: Ticket, target: Status, *, actor: Actor, at: datetime) -> None:
    """Move ``ticket`` to ``target`` if the lifecycle table allows ``actor`` to (else it
    raises); the SLA's pauses and done spans follow the move."""
    move = lifecycle.check_transition(ticket.status, target, actor.kind)
    before = ticket.status
    ticket.status = target
    if target == Status.RESOLVED:
        ticket.resolved_at = at
    elif target == Status.CLOSED:
        ticket.closed_at = at
        if ticket.resolved_at is None:
            ticket.resolved_at = at
    elif move.kind == TransitionKind.REOPEN:
        ticket.resolved_at = None
        ticket.closed_at = None
    pauses = sla.update_pauses(sla.load_pauses(ticket.sla_pauses), before, target, at)
    ticket.sla_pauses = sla.dump_pauses(pauses)
    spans = sla.update_done_spans(sla.load_pauses(ticket.sla_done_spans), before, target, at)
    ticket.sla_done_spans = sla.dump_pauses(spans)
    touch(ticket, at)
    tx.event(
        ticket,
        move.kind,
        before.value,
        target.value,
        at=at,
        actor=actor,
        detail=ticket.resolution if target == Status.RESOLVED else None,
    )


def close_overdue(tx: Tx, ticket: Ticket) -> None:
    """Close a Resolved ticket whose 24 hours are up, dated when it became due."""
    assert ticket.resolved_at is not None
    when = lifecycle.auto_close_at(ticket.resolved_at)
    transition(tx, ticket, Status.CLOSED, actor=Actor.system("auto-close"), at=when)


def escalate(tx: Tx, ticket: Ticket, reason: EscalationReason, at: datetime) -> None:
    """Policy escalation: LOW/MEDIUM become HIGH, never lower (a skip is recorded)."""
    before = ticket.priority
    new = check_priority_change(before, Priority.HIGH, PriorityChangeSource.POLICY)
    detail = f"source policy, reason {reason.value}"
    if new == before:
        tx.event(
            ticket,
            EventKind.PRIORITY_ESCALATION_SKIPPED,
            before.value,
            before.value,
            at=at,
            detail=f"{detail}; already {before.label}",
        )
        return
    set_priority(tx, ticket, new, detail, at)


def set_priority(tx: Tx, ticket: Ticket, new: Priority, detail: str, at: datetime) -> None:
    """Change priority (the path already checked): breaches under the old one are
    kept, the SLA re-targeted, and the change recorded with where it came from."""
    before = ticket.priority
    retarget = retarget_note(sla_book(tx), ticket, new, at)
    ticket.priority = new
    touch(ticket, at)
    if retarget:
        detail += f"; {retarget}"
    tx.event(ticket, EventKind.PRIORITY_CHANGED, before.value, new.value, at=at, detail=detail)


def link(tx: Tx, master: Ticket, child: Ticket, at: datetime) -> None:
    """Put ``child`` under ``master`` if the hierarchy allows it (else it raises)."""
    hierarchy.check_link(node(tx, master), node(tx, child))
    child.master_id = master.id
    touch(child, at)
    touch(master, at)
    tx.event(child, EventKind.LINKED_TO_MASTER, to=str(master.number))
    tx.event(master, EventKind.CHILD_LINKED, to=str(child.number))


def assign(tx: Tx, ticket: Ticket, tech: Technician | None) -> None:
    """Give ``ticket`` to ``tech`` (``None``: nobody); the same assignee is no change."""
    before = tx.session.get(Technician, ticket.assignee_id) if ticket.assignee_id else None
    if (before.id if before else None) == (tech.id if tech else None):
        who = tech.username if tech else "nobody"
        raise NoChange(f"#{ticket.number} is already assigned to {who}")
    ticket.assignee_id = tech.id if tech else None
    touch(ticket, tx.now())
    tx.event(
        ticket,
        EventKind.ASSIGNED,
        before.username if before else None,
        tech.username if tech else None,
    )


def technician(tx: Tx, username: str) -> Technician:
    """The active technician ``username``, or a clear refusal."""
    tech = tx.session.exec(select(Technician).where(Technician.username == username)).first()
    if tech is None or not tech.active:
        raise NotFoundError(f"no active technician {shown(username)}")
    return tech


def row_id(row: Ticket | Reply) -> int:
    assert row.id is not None, "flush before asking for an id"
    return row.id


def excerpt(body: str, limit: int = 120) -> str:
    """One line of ``body`` for an Event's detail."""
    line = " ".join(body.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def numbers(listed: Iterable[int]) -> str:
    text = ", ".join(f"#{n}" for n in listed)
    return text or "none"


def retarget_note(book: SlaBook, ticket: Ticket, new: Priority, now: datetime) -> str:
    """Mark breaches under the old priority as permanent; describe the new due times."""
    old_state = book.state(inputs_of(ticket), now)
    if old_state is not None:
        if old_state.response.badge == Badge.BREACHED:
            ticket.response_breached = True
        if old_state.resolution.badge == Badge.BREACHED:
            ticket.resolution_breached = True
    new_state = book.state(inputs_of(ticket), now, priority=new)
    if new_state is None:
        return ""
    parts = []
    for label, clock in (("response", new_state.response), ("resolution", new_state.resolution)):
        if clock.stopped:
            parts.append(f"{label} {clock.badge.label}")
        elif clock.due_at is None:
            parts.append(f"{label} paused")
        else:
            parts.append(f"{label} due {clock.due_at:%Y-%m-%d %H:%M} UTC")
    return "SLA re-targeted: " + ", ".join(parts)
