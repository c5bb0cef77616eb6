"""Who works at and with the desk: technicians, clients, contacts; KB articles."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import col, select

from ..enums import Status
from ..records import ArticleRecord
from ..store.engine import Database
from ..store.models import (
    Client,
    Contact,
    KBArticle,
    SlaPolicy,
    Technician,
    Ticket,
)
from ..ticket_records import escape_like as _escape_like


def technicians(db: Database, *, active_only: bool = True) -> list[Technician]:
    with db.read() as s:
        query = select(Technician).order_by(col(Technician.username))
        if active_only:
            query = query.where(col(Technician.active).is_(True))
        return list(s.exec(query).all())


def clients(db: Database) -> list[Client]:
    with db.read() as s:
        return list(s.exec(select(Client).order_by(col(Client.name))).all())


@dataclass(frozen=True, slots=True)
class ClientRow:
    """A client as ``client list`` and the app's client screen show it."""

    name: str
    vip: bool
    sla_policy: str | None
    """None: the desk's default policy."""
    domains: list[str]
    open_tickets: int


def client_rows(db: Database) -> list[ClientRow]:
    """Every client with its policy's name and how many of its tickets are open."""
    done = [s.value for s in Status if s.is_done]
    open_count = (
        select(func.count())
        .where(Ticket.client_id == Client.id, col(Ticket.status).not_in(done))
        .scalar_subquery()
    )
    query = (
        select(Client, SlaPolicy.name, open_count)
        .outerjoin(SlaPolicy, col(SlaPolicy.id) == col(Client.sla_policy_id))
        .order_by(col(Client.name))
    )
    with db.read() as s:
        return [
            ClientRow(
                c.name,
                c.vip,
                policy,
                [d for d in c.domains.split(",") if d],
                int(count or 0),
            )
            for c, policy, count in s.exec(query).all()
        ]


def kb_articles(db: Database) -> list[ArticleRecord]:
    """Every article as the app and ``kb list`` show it, by title."""
    with db.read() as s:
        rows = s.exec(select(KBArticle).order_by(col(KBArticle.title), col(KBArticle.id))).all()
        return [ArticleRecord.of(a) for a in rows]


def find_contacts(db: Database, text: str) -> list[Contact]:
    needle = f"%{_escape_like(text.strip())}%"
    with db.read() as s:
        return list(
            s.exec(
                select(Contact).where(
                    or_(
                        col(Contact.email).ilike(needle, escape="\\"),
                        col(Contact.name).ilike(needle, escape="\\"),
                    )
                )
            ).all()
        )
