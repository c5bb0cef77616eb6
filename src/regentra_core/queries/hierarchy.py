"""Reads about masters and their children: what a cascade would move.

A read, so it lives here and not on ``Desk``: every door that moves a master to
Resolved or Closed asks it after the move, to offer the cascade (the app) or say
what it left (the command line); an automation asks it inside its own write.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from .. import hierarchy
from ..enums import Status
from ..store.engine import Database
from ..store.models import Ticket


def cascade_candidates(s: Session, master: Ticket, target: Status) -> list[int]:
    """Numbers of ``master``'s children that a cascade of ``target`` would move
    (:func:`hierarchy.cascade_offer`), read in the caller's session."""
    if not master.is_master:
        return []
    children = s.exec(
        select(Ticket).where(Ticket.master_id == master.id).order_by(col(Ticket.number))
    ).all()
    nodes = [hierarchy.Node(c.number, c.is_master, master.number, c.status) for c in children]
    return [n.number for n in hierarchy.cascade_offer(target, nodes)]


def cascade_offer(db: Database, number: int, target: Status) -> list[int]:
    """The children of ticket ``number`` a cascade of ``target`` would move, to ask
    about; empty for a ticket that is not a master (or does not exist)."""
    with db.read() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == number)).first()
        return cascade_candidates(s, ticket, target) if ticket is not None else []
