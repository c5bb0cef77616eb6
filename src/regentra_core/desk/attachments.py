"""Attachment rows: written in the transaction of the message that carries them.

Desk API:

- ``Desk.add_technician_reply(number, body, ..., attachments=[Upload, ...])``: the
  reply, its outbound message and its ``FileAttachment`` rows in one transaction
  (``work.reply_with_files``: the files are checked before anything is written, and
  their bytes stored before the transaction, by hash, so a rolled-back reply leaves
  at most an unreferenced copy that a later identical file reuses).
- ``Desk.attach_files(number, uploads, reply_id=None)``: files added to a ticket's
  opening message or to one of its replies afterwards (one Event).
- :func:`add_rows` (module function): what intake (``desk/channels.py``) calls
  for an ``Inbound``'s attachments, inside ``receive``'s transaction.

The files a use case keeps are passed to the code that writes their rows
(:func:`keep`, then :func:`file_rows`), never left in hidden state for a later
call to find. Where the desk keeps them, and how big one may be, is its
``DeskConfig.shelf`` (the settings' ``attachments_dir`` and ``max_attachment_mb``),
on the Desk's door.

Reads are in :mod:`regentra_core.queries.attachments`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, select

from ..attachments import (
    Stored,
    check_file,
    human_size,
    sniff_type,
    store_bytes,
)
from ..channels.message import Attachment
from ..desk_config import Shelf
from ..enums import Channel
from ..errors import NotFoundError, ValidationError
from ..events import EventKind
from ..store.models import FileAttachment, OutboundMessage, Reply, Ticket
from .moves import load, row_id, touch
from .tx import Door, Tx, transaction


@dataclass(frozen=True, slots=True)
class Upload:
    """A file a technician attaches: its name and bytes (and the type its source
    claimed, if any; the recorded type is sniffed)."""

    filename: str
    data: bytes
    claimed_type: str | None = None


@dataclass(frozen=True, slots=True)
class Kept:
    """A file checked and stored before its transaction opened, waiting for its row."""

    stored: Stored
    content_type: str


def add_rows(
    s: Session,
    ticket_id: int,
    reply_id: int | None,
    files: Sequence[Attachment],
    now: datetime,
) -> list[FileAttachment]:
    """One ``FileAttachment`` row per file of an inbound message (a file over the
    limit keeps its name, type and size, with no path)."""
    rows = []
    for file in files:
        row = FileAttachment(
            ticket_id=ticket_id,
            reply_id=reply_id,
            filename=file.filename,
            content_type=(file.content_type or "application/octet-stream")[:255],
            size=file.size,
            path=file.path,
            sha256=_digest_of(file.path),
            created_at=now,
        )
        s.add(row)
        rows.append(row)
    return rows


def _digest_of(path: str | None) -> str | None:
    """The hash a stored file's folder is named by (``ab/<sha256>/name``)."""
    if path is None:
        return None
    parts = Path(path).parts
    return parts[1] if len(parts) == 3 and len(parts[1]) == 64 else None


def keep(shelf: Shelf, uploads: Sequence[Upload]) -> list[Kept]:
    """Check every file, then store them: all or none refused, before any write (the
    bytes are stored outside the transaction, so its write lock is never held over
    file I/O)."""
    if not uploads:
        return []
    if shelf.folder is None:
        raise ValidationError("this desk has no attachments folder set: files cannot be kept")
    for upload in uploads:
        check_file(upload.filename, len(upload.data), shelf.limit)
    return [
        Kept(
            stored := store_bytes(shelf.folder, upload.filename, upload.data),
            sniff_type(stored.filename, upload.data, upload.claimed_type),
        )
        for upload in uploads
    ]


def attach_files(
    door: Door,
    number: int,
    uploads: Sequence[Upload],
    *,
    reply_id: int | None = None,
) -> list[int]:
    """Add files to ticket ``number``'s opening message (``reply_id`` None) or to
    one of its replies; the new rows' ids. Nothing is sent: files meant for the
    customer go with a reply."""
    if not uploads:
        raise ValidationError("no files to attach")
    kept = keep(door.config.shelf, uploads)
    with transaction(door) as tx:
        ticket = load(tx, number)
        if reply_id is not None:
            reply = tx.session.get(Reply, reply_id)
            if reply is None or reply.ticket_id != ticket.id:
                raise NotFoundError(f"no reply {reply_id} on #{number}")
        touch(ticket, tx.now())
        rows = file_rows(tx, ticket, reply_id, kept)
        tx.session.flush()
        return [row.id for row in rows if row.id is not None]


def file_rows(
    tx: Tx, ticket: Ticket, reply_id: int | None, kept: Sequence[Kept]
) -> list[FileAttachment]:
    """The rows of files kept for ``ticket`` (its opening message, or ``reply_id``),
    and the one Event that lists them."""
    now = tx.now()
    rows = []
    for file in kept:
        row = FileAttachment(
            ticket_id=row_id(ticket),
            reply_id=reply_id,
            filename=file.stored.filename,
            content_type=file.content_type[:255],
            size=file.stored.size,
            path=file.stored.path,
            sha256=file.stored.sha256,
            created_at=now,
        )
        tx.session.add(row)
        rows.append(row)
    tx.event(
        ticket,
        EventKind.ATTACHMENTS_ADDED,
        to=str(len(rows)),
        detail=", ".join(f"{f.stored.filename} ({human_size(f.stored.size)})" for f in kept)[:500],
    )
    return rows


def note_sms(tx: Tx, reply: Reply, count: int) -> None:
    """An SMS carries no file: the queued message says so, as the outbox shows."""
    message = tx.session.exec(
        select(OutboundMessage).where(
            OutboundMessage.reply_id == reply.id, OutboundMessage.channel == Channel.SMS
        )
    ).first()
    if message is None:
        return
    said = sms_attachment_note(count)
    message.note = f"{message.note}; {said}" if message.note else said


def sms_attachment_note(count: int) -> str:
    """What a reply's SMS says of its files: ``not sent by SMS: 1 attachment``."""
    return f"not sent by SMS: {count} attachment{'s' if count != 1 else ''}"
