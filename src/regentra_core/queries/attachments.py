"""A ticket's attachments, read: the list (``attachments_of``) and one file with
where its bytes are (``attachment``). Used by ``regentra attachment``, the app's
attachment screen and thread, the portal's download and the outbound mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import col, select

from ..errors import NotFoundError
from ..store.engine import Database
from ..store.models import FileAttachment, OutboundMessage, Ticket


@dataclass(frozen=True, slots=True)
class AttachmentRow:
    """One attachment as stored (``path`` relative to the attachments folder; None
    when the file was over the size limit and only its name, type and size kept)."""

    id: int
    ticket: int
    """The ticket's number."""
    reply_id: int | None
    """The reply it came or went with; None: the ticket's opening message."""
    filename: str
    content_type: str
    size: int
    path: str | None
    sha256: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AttachmentFile:
    """One attachment and where its bytes are on this host."""

    row: AttachmentRow
    location: Path | None
    """Absolute; None when it was never kept (over the limit)."""

    @property
    def missing(self) -> str | None:
        """Why its bytes cannot be read, in words; None when they can."""
        if self.location is None:
            return f"{self.row.filename} was not kept: it was over the attachment limit"
        if not self.location.is_file():
            return f"{self.row.filename} is missing from storage ({self.location})"
        return None


def attachments_of(db: Database, number: int) -> list[AttachmentRow]:
    """Ticket ``number``'s attachments, opening message first, then in the order
    they came."""
    with db.read() as s:
        found = s.exec(select(Ticket.id).where(Ticket.number == number)).first()
        if found is None:
            raise NotFoundError(f"no ticket #{number}")
        rows = s.exec(
            select(FileAttachment)
            .where(FileAttachment.ticket_id == found)
            .order_by(col(FileAttachment.created_at), col(FileAttachment.id))
        ).all()
        return [_row(r, number) for r in rows]


def attachment(db: Database, attachment_id: int, folder: Path) -> AttachmentFile:
    """Attachment ``attachment_id`` with its absolute path under ``folder`` (the
    desk's ``Settings.attachments_dir()``)."""
    with db.read() as s:
        found = s.exec(
            select(FileAttachment, Ticket.number)
            .join(Ticket, col(Ticket.id) == col(FileAttachment.ticket_id))
            .where(FileAttachment.id == attachment_id)
        ).first()
    if found is None:
        raise NotFoundError(f"no attachment {attachment_id}")
    row = _row(found[0], int(found[1]))
    return AttachmentFile(row, within(folder, row.path))


def within(folder: Path, relative: str | None) -> Path | None:
    """``folder / relative``, or None for a path that would leave the folder (a row
    is written by the desk, but a path is never trusted to stay put)."""
    if relative is None:
        return None
    base = folder.resolve()
    target = (base / relative).resolve()
    return target if target.is_relative_to(base) else None


def _row(r: FileAttachment, number: int) -> AttachmentRow:
    assert r.id is not None
    return AttachmentRow(
        id=r.id,
        ticket=number,
        reply_id=r.reply_id,
        filename=r.filename,
        content_type=r.content_type,
        size=r.size,
        path=r.path,
        sha256=r.sha256,
        created_at=r.created_at,
    )


@dataclass(frozen=True, slots=True)
class OutgoingFile:
    """A file that goes out with a queued message (its reply's attachment)."""

    filename: str
    content_type: str
    location: Path | None
    """Absolute; None when it cannot be sent (never kept, or outside the folder)."""


def outbound_files(db: Database, folder: Path, outbound_id: int) -> list[OutgoingFile]:
    """The files of the reply queued outbound message ``outbound_id`` carries (none
    for an acknowledgement or a sign-in link), in the order they were attached.
    The mail transport reads them when it composes the message."""
    with db.read() as s:
        reply_id = s.exec(
            select(OutboundMessage.reply_id).where(OutboundMessage.id == outbound_id)
        ).first()
        if reply_id is None:
            return []
        rows = s.exec(
            select(FileAttachment)
            .where(FileAttachment.reply_id == reply_id)
            .order_by(col(FileAttachment.id))
        ).all()
        return [OutgoingFile(r.filename, r.content_type, within(folder, r.path)) for r in rows]


@dataclass(frozen=True, slots=True)
class ThreadFiles:
    """A ticket's files by message, for drawing them under each one."""

    opening: list[AttachmentRow]
    """The opening message's (the description's)."""
    by_reply: dict[int, list[AttachmentRow]]
    """Each reply's, by reply id (``ThreadItem.reply_id``)."""


def thread_files(db: Database, number: int) -> ThreadFiles:
    """Ticket ``number``'s files grouped by the message they came or went with."""
    rows = attachments_of(db, number)
    by_reply: dict[int, list[AttachmentRow]] = {}
    for row in rows:
        if row.reply_id is not None:
            by_reply.setdefault(row.reply_id, []).append(row)
    return ThreadFiles([r for r in rows if r.reply_id is None], by_reply)
