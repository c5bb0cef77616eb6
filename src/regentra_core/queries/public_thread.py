"""What a customer may read of the desk, read for the portal: who a portal session
is, whether a ticket or a file is theirs, and a ticket's public thread.

These are the web service's only reads of the database, kept in the core beside the
other read queries so that ``regentra_web`` never touches the store or an ORM row:
it gets frozen records. The public thread is selected as such: replies from the
ticket's own people or the support team, the files that came with them, the latest
priority Event and the SLA calendar's zone. Internal notes, time entries and
technicians' names are never selected (not read and then dropped in a view), so no
slip in a template can show them. ``queries.ticket_detail`` is the technician's
read, notes included; this is not a filtered copy of it.

Who may see a ticket or a file is decided here, in one rule (:func:`may_see`), so a
file of someone else's ticket answers exactly what their ticket does: nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select as sa_select
from sqlmodel import col, select

from ..enums import AuthorKind
from ..events import EventKind
from ..sla_book import SlaBook
from ..store.engine import Database
from ..store.models import Contact, Event, FileAttachment, PortalLogin, Reply, Ticket
from .tickets import TicketRow, get_ticket


@dataclass(frozen=True, slots=True)
class PortalContact:
    """The contact a live portal session signs in (never the row itself)."""

    id: int
    name: str
    email: str
    client_id: int | None
    client_admin: bool
    """Sees every ticket of their client, not only their own."""


def portal_contact(
    db: Database, contact_id: int, session_id: int, now: datetime
) -> PortalContact | None:
    """The contact session ``session_id`` signs in, or None. A session counts only
    while its row is a spent sign-in link of that contact that has not ended
    (sign-out, a lead's sign-out everywhere) and the contact still has an address."""
    with db.read() as s:
        found = s.execute(
            sa_select(
                col(Contact.name),
                col(Contact.email),
                col(Contact.client_id),
                col(Contact.client_admin),
            )
            .join(PortalLogin, col(PortalLogin.contact_id) == col(Contact.id))
            .where(
                col(PortalLogin.id) == session_id,
                col(Contact.id) == contact_id,
                col(PortalLogin.used_at).is_not(None),
                col(PortalLogin.expires_at) > now,
            )
        ).first()
    if found is None:
        return None
    name, email, client_id, client_admin = found
    if not email:
        return None
    return PortalContact(contact_id, name, email, client_id, bool(client_admin))


def may_see(
    contact: PortalContact, ticket_contact_id: int | None, ticket_client_id: int | None
) -> bool:
    """The portal's one access rule: a contact sees their own tickets, a client admin
    every ticket of their client."""
    if ticket_contact_id is not None and ticket_contact_id == contact.id:
        return True
    return bool(
        contact.client_admin and contact.client_id and ticket_client_id == contact.client_id
    )


def ticket_visible(db: Database, contact: PortalContact, number: int) -> bool:
    """Whether ``contact`` may see ticket ``number`` (False when there is none)."""
    with db.read() as s:
        found = s.exec(
            select(Ticket.contact_id, Ticket.client_id).where(Ticket.number == number)
        ).first()
    return found is not None and may_see(contact, *found)


@dataclass(frozen=True, slots=True)
class PortalFile:
    """A file of a message, as its customer may see it (never where it is kept)."""

    id: int
    filename: str
    content_type: str
    size: int
    kept: bool
    """False: it was over the size limit when it came, and only its name was kept."""


@dataclass(frozen=True, slots=True)
class PublicMessage:
    """One message of the public thread as stored: the view labels its author."""

    author_name: str
    author_kind: AuthorKind
    at: datetime
    body: str
    files: tuple[PortalFile, ...]


@dataclass(frozen=True, slots=True)
class PriorityEvent:
    """The ticket's latest ``priority_changed`` Event, as recorded."""

    from_value: str | None
    to_value: str | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class PublicThread:
    """Everything the portal shows of one ticket, and nothing it does not."""

    row: TicketRow
    description: str
    opening_files: tuple[PortalFile, ...]
    messages: tuple[PublicMessage, ...]
    """Replies in order, without those from a sender who is neither the ticket's
    contact nor of its client until a technician accepts them (anyone can put
    ``[#N]`` in a subject)."""
    priority_change: PriorityEvent | None
    timezone: str
    """The SLA calendar's time zone: what the promised times are said in."""


def public_thread(db: Database, number: int, now: datetime) -> PublicThread:
    """Ticket ``number`` as its customer may read it (the caller checked they may)."""
    row = get_ticket(db, number, now=now)
    with db.read() as s:
        tid, client_id, description = s.exec(
            select(Ticket.id, Ticket.client_id, Ticket.description).where(Ticket.number == number)
        ).one()
        replies = s.execute(
            sa_select(
                col(Reply.id),
                col(Reply.created_at),
                col(Reply.author_kind),
                col(Reply.author_name),
                col(Reply.body),
            )
            .where(col(Reply.ticket_id) == tid, col(Reply.unverified_sender).is_(False))
            .order_by(col(Reply.created_at), col(Reply.id))
        ).all()
        files: dict[int | None, list[PortalFile]] = {}
        for file_id, reply_id, filename, content_type, size, path in s.execute(
            sa_select(
                col(FileAttachment.id),
                col(FileAttachment.reply_id),
                col(FileAttachment.filename),
                col(FileAttachment.content_type),
                col(FileAttachment.size),
                col(FileAttachment.path),
            )
            .where(col(FileAttachment.ticket_id) == tid)
            .order_by(col(FileAttachment.id))
        ).all():
            files.setdefault(reply_id, []).append(
                PortalFile(file_id, filename, content_type, size, path is not None)
            )
        change = s.exec(
            select(Event.from_value, Event.to_value, Event.detail)
            .where(Event.ticket_id == tid, Event.kind == EventKind.PRIORITY_CHANGED.value)
            .order_by(col(Event.at).desc(), col(Event.id).desc())
        ).first()
        policy = SlaBook.load(s).policy_for(client_id)
    messages = tuple(
        PublicMessage(author, kind, at, body, tuple(files.get(reply_id, ())))
        for reply_id, at, kind, author, body in replies
    )
    return PublicThread(
        row=row,
        description=description or "",
        opening_files=tuple(files.get(None, ())),
        messages=messages,
        priority_change=PriorityEvent(*change) if change else None,
        timezone=policy.calendar.timezone if policy is not None else "UTC",
    )


@dataclass(frozen=True, slots=True)
class KeptFile:
    """A file to hand a customer: its name, type and where its bytes are."""

    filename: str
    content_type: str
    size: int
    path: Path


def portal_file(
    db: Database, contact: PortalContact, file_id: int, folder: Path
) -> KeptFile | None:
    """Attachment ``file_id`` if ``contact`` may see its ticket and its bytes were
    kept; None otherwise (someone else's file answers as one that does not exist).
    Notes have no files and a reply an unverified sender wrote is not shown, so
    neither are the files that came with it."""
    with db.read() as s:
        found = s.execute(
            sa_select(
                col(FileAttachment.filename),
                col(FileAttachment.content_type),
                col(FileAttachment.size),
                col(FileAttachment.path),
                col(Ticket.contact_id),
                col(Ticket.client_id),
                col(Reply.unverified_sender),
            )
            .join(Ticket, col(Ticket.id) == col(FileAttachment.ticket_id))
            .outerjoin(Reply, col(Reply.id) == col(FileAttachment.reply_id))
            .where(col(FileAttachment.id) == file_id)
        ).first()
    if found is None:
        return None
    filename, content_type, size, stored, contact_id, client_id, unverified = found
    if not may_see(contact, contact_id, client_id) or unverified or stored is None:
        return None
    path = (folder / stored).resolve()
    # The stored path is ours (hash/name), but a row is data: it never leads out.
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        return None
    return KeptFile(filename, content_type, size, path)


__all__ = [
    "KeptFile",
    "PortalContact",
    "PortalFile",
    "PriorityEvent",
    "PublicMessage",
    "PublicThread",
    "may_see",
    "portal_contact",
    "portal_file",
    "public_thread",
    "ticket_visible",
]
