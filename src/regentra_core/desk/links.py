"""Master/child: promote, link, unlink, and cascades to open children.

Each use case is a function over the transaction it runs in (``Desk`` lists
them); a cascade makes each child's move with the same moves a technician's own
change makes (``moves``, ``outgoing``), inside one savepoint a child, so a child
that refuses is listed and the rest go ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import col, select

from .. import hierarchy, lifecycle
from ..enums import Status
from ..errors import RegentraError, ValidationError
from ..events import EventKind
from ..records import TicketRecord
from ..store.models import Technician, Ticket
from . import moves
from .moves import clean_text, numbers
from .outgoing import technician_reply
from .tx import Tx


@dataclass(slots=True)
class CascadeResult:
    """What a cascade did to each child of a master."""

    master: int
    changed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


# -- master / child -------------------------------------------------------------


def promote(tx: Tx, number: int) -> TicketRecord:
    """Make a ticket a master that children can be linked to."""
    ticket = moves.load(tx, number)
    hierarchy.check_promote(moves.node(tx, ticket))
    ticket.is_master = True
    moves.touch(ticket, tx.now())
    tx.event(ticket, EventKind.PROMOTED_TO_MASTER)
    tx.settle()
    return TicketRecord.of(ticket)


def link(tx: Tx, master_number: int, child_number: int) -> TicketRecord:
    """Link ``child`` under ``master``; returns the child."""
    master = moves.load(tx, master_number)
    child = moves.load(tx, child_number)
    moves.link(tx, master, child, tx.now())
    tx.settle()
    return TicketRecord.of(child)


def unlink(tx: Tx, child_number: int) -> TicketRecord:
    """Detach a child from its master; both stay as they are otherwise."""
    child = moves.load(tx, child_number)
    hierarchy.check_unlink(moves.node(tx, child))
    master = tx.session.get(Ticket, child.master_id)
    assert master is not None
    child.master_id = None
    now = tx.now()
    moves.touch(child, now)
    moves.touch(master, now)
    tx.event(child, EventKind.UNLINKED_FROM_MASTER, from_=str(master.number))
    tx.event(master, EventKind.CHILD_UNLINKED, from_=str(child.number))
    tx.settle()
    return TicketRecord.of(child)


def cascade(
    tx: Tx,
    master_number: int,
    *,
    status: Status | None = None,
    assignee: str | None = None,
    resolution: bool = False,
    reply: str | None = None,
) -> CascadeResult:
    """Apply the master's status, assignee, resolution and/or a reply to its children.

    Children already Resolved or Closed are skipped (as are children already at
    the cascaded status, when that is all there is to do). A child that cannot make the
    move is listed as refused, and the rest still go ahead. Closing a child that is
    not yet resolved resolves it first, as a technician would by hand.
    """
    if status is None and assignee is None and not resolution and reply is None:
        raise ValidationError(
            "say what to cascade: a status, an assignee, the resolution or a reply"
        )
    reply_body = clean_text(reply, what="reply") if reply is not None else None
    s = tx.session
    master = moves.load(tx, master_number)
    if not master.is_master:
        raise ValidationError(f"#{master_number} is not a master ticket")
    children = list(
        s.exec(
            select(Ticket)
            .where(Ticket.master_id == master.id)
            .order_by(col(Ticket.number))
            .with_for_update()
        ).all()
    )
    if resolution and not master.resolution:
        raise ValidationError(f"#{master_number} has no resolution note to cascade")
    tech = moves.technician(tx, assignee) if assignee else None
    result = CascadeResult(master.number)
    only_status = assignee is None and not resolution and reply_body is None
    for child in children:
        if hierarchy.cascade_skips(child.status, status, only_status=only_status):
            result.skipped.append(child.number)
            continue
        try:
            with tx.savepoint():
                _cascade_one(tx, master, child, status, tech, resolution, reply_body)
        except RegentraError as exc:  # a rule refusal for this child only
            result.refused.append((child.number, str(exc)))
        else:
            result.changed.append(child.number)
    what = ", ".join(
        part
        for part, on in (
            (f"status {status.value}" if status else "", status is not None),
            (f"assignee {assignee}", assignee is not None),
            ("resolution", resolution),
            ("reply", reply_body is not None),
        )
        if on
    )
    tx.event(
        master,
        EventKind.CASCADED,
        to=what,
        detail=f"changed {numbers(result.changed)}; skipped {numbers(result.skipped)}; "
        f"refused {numbers(n for n, _ in result.refused)}",
    )
    return result


def _cascade_one(
    tx: Tx,
    master: Ticket,
    child: Ticket,
    status: Status | None,
    tech: Technician | None,
    resolution: bool,
    reply: str | None,
) -> None:
    now = tx.now()
    if tech is not None and child.assignee_id != tech.id:
        moves.assign(tx, child, tech)
    if resolution or (status == Status.RESOLVED and master.resolution):
        child.resolution = master.resolution
    if reply is not None:
        technician_reply(tx, child, reply)
    if status is not None and status != child.status:
        if status == Status.CLOSED and not lifecycle.may_move(child.status, status):
            moves.transition(tx, child, Status.RESOLVED, actor=tx.actor, at=now)
        moves.transition(tx, child, status, actor=tx.actor, at=now)
    tx.event(child, EventKind.CASCADE_APPLIED, to=str(master.number))
