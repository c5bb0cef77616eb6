"""What the portal reads of one ticket: its public thread folded, its files, why its
priority is what it is, and the time zone its SLA promises are kept in.

Its own read, not ``queries.ticket_detail``: the portal needs each reply's id (its
files hang on it) and never the notes, time entries or technicians' names, so
they are not read at all. Who may see a ticket (or a file) is decided here too,
in one place, so a file of someone else's ticket answers exactly what their ticket
does: nothing (404).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select as sa_select
from sqlmodel import col, select

from ..attachments import summary_line
from ..channels.quoting import Folded, fold
from ..enums import AuthorKind
from ..events import EventKind
from ..queries import ThreadItem, TicketRow, get_ticket
from ..sla_book import SlaBook
from ..store.engine import Database
from ..store.models import Contact, Event, FileAttachment, Reply, Ticket
from .wording import PriorityChange


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
class PublicItem:
    """One message of the public thread, labelled for the customer."""

    author: str
    at: datetime
    body: str
    from_support: bool
    files: tuple[PortalFile, ...] = ()

    @property
    def folded(self) -> Folded:
        """The message split as the app shows it: new text, then what it carried."""
        return fold(without_file_line(self.body, self.files))


@dataclass(frozen=True, slots=True)
class PortalTicket:
    """Everything the portal's ticket page shows."""

    row: TicketRow
    description: Folded
    opening_files: tuple[PortalFile, ...]
    items: list[PublicItem]
    priority_change: PriorityChange | None
    timezone: str
    """The SLA calendar's time zone: what the promised times are said in."""


def without_file_line(body: str, files: Sequence[PortalFile]) -> str:
    """The text without the ``Attachments: ...`` line the intake adds for search
    (``attachments.summary_line``): the page lists the files themselves, with links."""
    line = summary_line((f.filename, f.content_type, f.size) for f in files)
    if line and body.rstrip().endswith(line):
        return body.rstrip()[: -len(line)].rstrip()
    return body


def may_see(contact: Contact, ticket_contact_id: int | None, ticket_client_id: int | None) -> bool:
    """The portal's one access rule: a contact sees their own tickets, a client admin
    every ticket of their client."""
    if ticket_contact_id is not None and ticket_contact_id == contact.id:
        return True
    return bool(
        contact.client_admin and contact.client_id and ticket_client_id == contact.client_id
    )


def visible(db: Database, contact: Contact, number: int) -> bool:
    """Whether ``contact`` may see ticket ``number`` (False when there is none)."""
    with db.read() as s:
        found = s.exec(
            select(Ticket.contact_id, Ticket.client_id).where(Ticket.number == number)
        ).first()
    return found is not None and may_see(contact, *found)


def author_label(author: str, kind: AuthorKind) -> tuple[str, bool]:
    """Who a public message says it is from, and whether that is the support team.
    Only a technician's reply is "Support"; a customer's carries their name and
    "(customer)", whatever name they gave (``Support <attacker@evil.example>``)."""
    if kind == AuthorKind.TECHNICIAN:
        return "Support", True
    if kind == AuthorKind.SYSTEM:
        return "Automatic message", False
    return f"{author} (customer)", False


def public_items(thread: Sequence[ThreadItem]) -> list[PublicItem]:
    """What of a thread its customer reads: replies, never notes, and a reply from a
    sender who is neither the ticket's contact nor of its client (the intake marks
    it unverified) not until a technician accepts it: anyone can put ``[#N]`` in a
    subject."""
    items = []
    for item in thread:
        if item.kind != "reply" or item.private or item.unverified:
            continue
        author, support = author_label(item.author, item.author_kind)
        items.append(PublicItem(author=author, at=item.at, body=item.body, from_support=support))
    return items


def portal_ticket(db: Database, number: int, now: datetime) -> PortalTicket:
    """Ticket ``number`` as its customer sees it (the caller checked they may)."""
    row = get_ticket(db, number, now=now)
    with db.read() as s:
        tid, client_id, description = s.exec(
            select(Ticket.id, Ticket.client_id, Ticket.description).where(Ticket.number == number)
        ).one()
        replies = s.execute(
            sa_select(
                col(Reply.id),
                col(Reply.author_name),
                col(Reply.author_kind),
                col(Reply.body),
                col(Reply.created_at),
            )
            .where(col(Reply.ticket_id) == tid, col(Reply.unverified_sender).is_(False))
            .order_by(col(Reply.created_at), col(Reply.id))
        ).all()
        files: dict[int | None, list[PortalFile]] = {}
        for f in s.exec(
            select(FileAttachment)
            .where(FileAttachment.ticket_id == tid)
            .order_by(col(FileAttachment.id))
        ).all():
            assert f.id is not None
            files.setdefault(f.reply_id, []).append(
                PortalFile(f.id, f.filename, f.content_type, f.size, f.path is not None)
            )
        change = s.exec(
            select(Event.from_value, Event.to_value, Event.detail)
            .where(Event.ticket_id == tid, Event.kind == EventKind.PRIORITY_CHANGED.value)
            .order_by(col(Event.at).desc(), col(Event.id).desc())
        ).first()
        policy = SlaBook.load(s).policy_for(client_id)
    items = []
    for reply_id, author, kind, body, at in replies:
        label, support = author_label(author, kind)
        items.append(PublicItem(label, at, body, support, tuple(files.get(reply_id, ()))))
    opening = tuple(files.get(None, ()))
    return PortalTicket(
        row=row,
        description=fold(without_file_line(description or "", opening)),
        opening_files=opening,
        items=items,
        priority_change=PriorityChange.of_event(*change) if change else None,
        timezone=policy.calendar.timezone if policy is not None else "UTC",
    )


@dataclass(frozen=True, slots=True)
class KeptFile:
    """A file to hand a customer: its name, type and where its bytes are."""

    filename: str
    content_type: str
    size: int
    path: Path


def file_for(db: Database, contact: Contact, file_id: int, folder: Path) -> KeptFile | None:
    """Attachment ``file_id`` if ``contact`` may see its ticket and its bytes were
    kept; None otherwise (someone else's file answers as one that does not exist).
    Notes have no files and a reply an unverified sender wrote is not shown, so
    neither are the files that came with it."""
    with db.read() as s:
        found = s.exec(
            select(FileAttachment, Ticket.contact_id, Ticket.client_id, Reply.unverified_sender)
            .join(Ticket, col(Ticket.id) == col(FileAttachment.ticket_id))
            .outerjoin(Reply, col(Reply.id) == col(FileAttachment.reply_id))
            .where(FileAttachment.id == file_id)
        ).first()
    if found is None:
        return None
    f, contact_id, client_id, unverified = found
    if not may_see(contact, contact_id, client_id) or unverified or f.path is None:
        return None
    path = (folder / f.path).resolve()
    # The stored path is ours (hash/name), but a row is data: it never leads out.
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        return None
    return KeptFile(f.filename, f.content_type, f.size, path)


__all__ = [
    "KeptFile",
    "PortalFile",
    "PortalTicket",
    "PublicItem",
    "author_label",
    "file_for",
    "may_see",
    "portal_ticket",
    "public_items",
    "visible",
]
