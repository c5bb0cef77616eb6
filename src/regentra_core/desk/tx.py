"""The transaction context every use case runs in, passed explicitly.

A write used to keep its state where nobody could see it: the events it had
queued and the answers it had looked up lived in ``Session.info`` under string
keys, and which automation rules had already fired was one more key. A ``Tx``
holds all of it as typed fields, and every function that needs it takes it as its
first argument, so reading one use case shows everything it touches:

* ``session``: the one write transaction (``BEGIN IMMEDIATE`` on SQLite);
* ``actor``, ``source``, ``clock``: who acts, through which door, at what time;
* ``config``: the policies the settings name (spike, mail identity, where files
  are kept: ``DeskConfig``), as the composition root gave them to the Desk;
* ``events``: the audit Events this change has made so far (written as one
  multi-row INSERT when it commits; the automation rules read them to know what
  the change did);
* ``memo(Kind)``: answers looked up once per transaction (a batch of inbound mail
  asks the same questions hundreds of times); each module declares its own typed
  ``Kind`` dataclass beside the code that fills it;
* ``chain``: the automation rules already fired on which tickets, and how many of
  ``events`` they have looked at, shared by every rule acting in this change.

A rule's actions run as the rule (``acting_as``): the same session, events, memo
and chain, another actor and source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar, cast

from sqlmodel import Session

from ..clock import Clock
from ..desk_config import DeskConfig
from ..enums import ActorKind
from ..errors import PermissionDenied
from ..events import EventKind
from ..identity import Actor
from ..lifecycle import TransitionKind
from ..store import journal
from ..store.engine import Database
from ..store.journal import Audited, EventRow
from . import sla_marking

M = TypeVar("M")

Settle = Callable[["Tx"], None]
"""What a change triggers, run before it commits (the automation rules)."""


@dataclass(frozen=True, slots=True)
class Door:
    """What a ``Desk`` is bound to: the desk's database, who acts, through which door
    (``tui``, ``cli``, ``email``, ``worker``...), by which clock, what a change
    triggers before it commits, and the policies the settings name."""

    db: Database
    actor: Actor
    source: str
    clock: Clock
    settle: Settle | None = None
    config: DeskConfig = field(default_factory=DeskConfig)


class OnDoor:
    """What a Desk and each of its transactions read from their ``door``: the
    database, the clock and the policies are the door's, whoever acts."""

    __slots__ = ()
    door: Door

    @property
    def db(self) -> Database:
        return self.door.db

    @property
    def clock(self) -> Clock:
        return self.door.clock

    @property
    def config(self) -> DeskConfig:
        """The policies the settings name (the composition root's ``DeskConfig``)."""
        return self.door.config


@dataclass(slots=True)
class Chain:
    """The automation rules' progress through one change (see ``desk.automations``)."""

    looked_at: int = 0
    """How many of the change's events the rules have looked at."""
    fired: set[tuple[int, int]] = field(default_factory=set)
    """(rule id, ticket id) pairs that already ran: a rule runs once a ticket a chain."""


@dataclass(slots=True)
class Tx(OnDoor):
    """One use case's write transaction and everything it has done so far."""

    session: Session
    door: Door
    actor: Actor
    source: str
    events: list[EventRow] = field(default_factory=list)
    chain: Chain = field(default_factory=Chain)
    _memos: dict[type, object] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.door.clock()

    def memo(self, kind: type[M]) -> M:
        """This transaction's instance of ``kind`` (made on first use): answers a
        batch reads once. Only this session's own writes can change them under a
        write transaction, and the code that writes keeps its memo in step."""
        found = self._memos.get(kind)
        if found is None:
            found = self._memos[kind] = kind()
        return cast(M, found)

    def acting_as(self, actor: Actor, source: str) -> Tx:
        """The same change, done by someone else (an automation rule's actions)."""
        return replace(self, actor=actor, source=source)

    def event(
        self,
        ticket: Audited | None,
        kind: EventKind | TransitionKind,
        from_: str | None = None,
        to: str | None = None,
        *,
        detail: str | None = None,
        at: datetime | None = None,
        actor: Actor | None = None,
    ) -> None:
        """Queue one audit Event; ``ticket`` is read for its id when it is written."""
        who = actor or self.actor
        self.events.append(
            EventRow(
                ticket=ticket,
                actor=who.name,
                actor_kind=who.kind,
                source=self.source,
                kind=kind,
                from_value=from_,
                to_value=to,
                detail=detail,
                at=at or self.now(),
            )
        )

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of this change that may fail on its own (one child of a cascade):
        if it raises, its rows roll back and so do the Events it had queued, so the
        audit trail never tells of a change that was not made."""
        queued = len(self.events)
        try:
            with self.session.begin_nested():
                yield
        except BaseException:
            del self.events[queued:]
            raise

    def settle(self) -> None:
        """Run what this change has triggered so far (the automation rules) now, so a
        record built from the rows afterwards shows their changes too. Idempotent:
        the rules look only at events they have not seen."""
        if self.door.settle is not None:
            self.door.settle(self)

    def require_technician(self) -> int:
        """The acting technician's id; anyone else is refused."""
        if self.actor.kind != ActorKind.TECHNICIAN or self.actor.technician_id is None:
            raise PermissionDenied("only a technician can do this")
        return self.actor.technician_id

    def require_lead(self, what: str) -> None:
        if self.actor.kind == ActorKind.TECHNICIAN and not self.actor.is_lead:
            raise PermissionDenied(f"only a lead technician may {what}")


@contextmanager
def transaction(door: Door) -> Iterator[Tx]:
    """One use case's write: what it triggers runs at its end, inside it, and its
    events are written just before it commits (all of it commits or rolls back)."""
    with door.db.write() as session:
        tx = Tx(session=session, door=door, actor=door.actor, source=door.source)
        yield tx
        tx.settle()
        sla_marking.settle_marks(tx)
        journal.write(session, tx.events)
