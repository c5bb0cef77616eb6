"""Contacts as ``contact list`` and the app's contacts screen show them.

A read of its own beside :mod:`.people` because a contact row carries what the
people there do not: its client's name, how many tickets it has, and whether it
was merged into another (merged contacts are left out unless asked for).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from ..store.engine import Database
from ..store.models import Client, Contact, Ticket


@dataclass(frozen=True, slots=True)
class ContactRow:
    """One contact: who, how to reach them, whose they are."""

    id: int
    name: str
    email: str | None
    phone: str | None
    """E.164 (``+4930...``) for numbers the desk normalised."""
    client: str | None
    """The client's name; None: no client (its tickets get the default SLA)."""
    client_admin: bool
    tickets: int
    merged_into: int | None
    """The id of the contact this one was merged into; None for a live contact."""

    @property
    def key(self) -> str:
        """What names this contact on the command line: ``#id``."""
        return f"#{self.id}"


def contact_rows(
    db: Database, *, client: str | None = None, merged: bool = False
) -> list[ContactRow]:
    """Live contacts (and merged ones too with ``merged``), by client then name;
    ``client`` narrows to one client's (``""``: those of no client)."""
    count = (
        select(func.count()).where(Ticket.contact_id == Contact.id).correlate(Contact)
    ).scalar_subquery()
    owner = aliased(Client)
    query = (
        select(Contact, owner.name, count)
        .outerjoin(owner, col(owner.id) == col(Contact.client_id))
        .order_by(col(owner.name).is_(None), col(owner.name), col(Contact.name), col(Contact.id))
    )
    if not merged:
        query = query.where(col(Contact.merged_into_id).is_(None))
    if client is not None:
        query = (
            query.where(col(owner.name) == client.strip())
            if client.strip()
            else query.where(col(Contact.client_id).is_(None))
        )
    with db.read() as s:
        return [
            ContactRow(
                id=c.id or 0,
                name=c.name,
                email=c.email,
                phone=c.phone,
                client=name,
                client_admin=c.client_admin,
                tickets=int(n or 0),
                merged_into=c.merged_into_id,
            )
            for c, name, n in s.exec(query).all()
        ]


def client_known(db: Database, name: str) -> bool:
    """Whether a client named ``name`` exists (``contact list --client`` says so
    rather than listing nobody for a typo)."""
    with db.read() as s:
        return s.exec(select(Client.id).where(Client.name == name.strip())).first() is not None
