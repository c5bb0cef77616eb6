"""TRANSITIONAL (issue #29): the old mixin base, delegating to ``tx``/``moves``/``outgoing``.

Modules not yet rewritten as functions over an explicit ``Tx`` still call these
methods with a ``Session``; the session's ``Tx`` is found through ``_tx(s)``. This
module is deleted when the last mixin is gone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TypeVar, cast

from sqlmodel import Session

from .. import hierarchy
from ..clock import Clock, utcnow
from ..enums import EscalationReason, Priority, Status
from ..events import EventKind
from ..identity import Actor
from ..lifecycle import TransitionKind
from ..store.engine import Database
from ..store.models import OutboundMessage, Reply, Technician, Ticket
from . import automations, moves, outgoing
from .moves import (
    FIRST_TICKET_NUMBER,
    MAX_MINUTES_PER_ENTRY,
    clean_text,
    retarget_note,
)
from .moves import excerpt as _excerpt
from .moves import numbers as _numbers
from .moves import row_id as _id
from .outgoing import AUTOMATIC_MAIL_CAP, AUTOMATIC_MAIL_WINDOW
from .tx import Door, Tx, transaction

T = TypeVar("T")
_TX = "regentra_tx"

__all__ = [
    "AUTOMATIC_MAIL_CAP",
    "AUTOMATIC_MAIL_WINDOW",
    "FIRST_TICKET_NUMBER",
    "MAX_MINUTES_PER_ENTRY",
    "DeskBase",
    "_excerpt",
    "_id",
    "_memo",
    "_numbers",
    "_tx",
    "as_desk",
    "clean_text",
    "retarget_note",
]


def _tx(s: Session) -> Tx:
    return cast(Tx, s.info[_TX])


class DeskBase:
    """State and shared primitives of every use case (see :class:`Desk`)."""

    def __init__(self, db: Database, actor: Actor, *, source: str, clock: Clock = utcnow) -> None:
        self.db = db
        self.actor = actor
        self.source = source
        self.clock = clock
        self.door: Door = Door(db, actor, source, clock, settle=automations.settle)

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with transaction(self.door) as tx:
            tx.session.info[_TX] = tx
            yield tx.session

    def _close_overdue(self, s: Session, ticket: Ticket) -> None:
        moves.close_overdue(self._as_me(s), ticket)

    def _transition(
        self, s: Session, ticket: Ticket, target: Status, *, actor: Actor, at: datetime
    ) -> None:
        moves.transition(self._as_me(s), ticket, target, actor=actor, at=at)

    def _escalate(self, s: Session, ticket: Ticket, reason: EscalationReason, at: datetime) -> None:
        moves.escalate(self._as_me(s), ticket, reason, at)

    def _set_priority(
        self, s: Session, ticket: Ticket, new: Priority, detail: str, at: datetime
    ) -> None:
        moves.set_priority(self._as_me(s), ticket, new, detail, at)

    def _link(self, s: Session, master: Ticket, child: Ticket, at: datetime) -> None:
        moves.link(self._as_me(s), master, child, at)

    def _assign(self, s: Session, ticket: Ticket, tech: Technician | None) -> None:
        moves.assign(self._as_me(s), ticket, tech)

    def _technician(self, s: Session, username: str) -> Technician:
        return moves.technician(self._as_me(s), username)

    def _technician_reply(self, s: Session, ticket: Ticket, body: str) -> Reply:
        return outgoing.technician_reply(self._as_me(s), ticket, body)

    def _queue_outbound(
        self,
        s: Session,
        ticket: Ticket,
        body: str,
        now: datetime,
        *,
        reply: Reply | None = None,
        kind: str = "reply",
    ) -> OutboundMessage | None:
        return outgoing.queue_outbound(self._as_me(s), ticket, body, now, reply=reply, kind=kind)

    def _load(self, s: Session, number: int, expected_version: int | None = None) -> Ticket:
        return moves.load(self._as_me(s), number, expected_version)

    def _node(self, s: Session, ticket: Ticket) -> hierarchy.Node:
        return moves.node(self._as_me(s), ticket)

    def _automatic_mail_capped(self, s: Session, ticket: Ticket, now: datetime) -> bool:
        return outgoing._automatic_mail_capped(self._as_me(s), ticket, now)

    def _touch(self, ticket: Ticket, at: datetime) -> None:
        moves.touch(ticket, at)

    def _require_lead(self, what: str) -> None:
        Tx.require_lead(self._bare(), what)

    def _require_technician(self) -> int:
        return Tx.require_technician(self._bare())

    def _event(
        self,
        s: Session,
        ticket: Ticket | None,
        kind: EventKind | TransitionKind,
        from_: str | None = None,
        to: str | None = None,
        *,
        detail: str | None = None,
        at: datetime | None = None,
        actor: Actor | None = None,
    ) -> None:
        self._as_me(s).event(ticket, kind, from_, to, detail=detail, at=at, actor=actor)

    def _as_me(self, s: Session) -> Tx:
        """The session's transaction, as this (old-style) Desk's actor and source: an
        automation's agent Desk shares its parent's session."""
        tx = _tx(s)
        if tx.actor == self.actor and tx.source == self.source:
            return tx
        return tx.acting_as(self.actor, self.source)

    def _bare(self) -> Tx:
        return Tx(session=cast(Session, None), door=self.door, actor=self.actor, source=self.source)


def as_desk(tx: Tx) -> DeskBase:
    """TRANSITIONAL: a desk for a mixin-era helper that takes ``(desk, s)`` (``cc.gather``)
    when a use case already a function calls it: its events go to ``tx``."""
    tx.session.info[_TX] = tx
    return DeskBase(tx.db, tx.actor, source=tx.source, clock=tx.clock)


def _memo(s: Session, key: str, load: Callable[[], T]) -> T:
    """TRANSITIONAL: a value read once per transaction under a string key."""
    if key not in s.info:
        s.info[key] = load()
    return cast(T, s.info[key])
