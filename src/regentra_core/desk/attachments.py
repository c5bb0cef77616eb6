"""Attachment rows: written in the transaction of the message that carries them.

Desk API:

- ``Desk.add_technician_reply(number, body, ..., attachments=[Upload, ...])``: the
  reply, its outbound message and its ``FileAttachment`` rows in one transaction
  (the files are checked before anything is written, and their bytes stored
  before the transaction, by hash, so a rolled-back reply leaves at most an
  unreferenced copy that a later identical file reuses).
- ``Desk.attach_files(number, uploads, reply_id=None)``: files added to a ticket's
  opening message or to one of its replies afterwards (one Event).
- :func:`add_rows` (module function): what intake (``desk/channels.py``) calls
  for an ``Inbound``'s attachments, inside ``receive``'s transaction.

Reads are in :mod:`regentra_core.queries.attachments`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, select

from ..attachments import (
    MAX_ATTACHMENT_BYTES,
    Stored,
    check_file,
    human_size,
    sniff_type,
    store_bytes,
)
from ..channels.message import Attachment
from ..enums import Channel, Status
from ..errors import NotFoundError, ValidationError
from ..events import EventKind
from ..records import ReplyRecord
from ..store.models import FileAttachment, OutboundMessage, Reply, Ticket
from ._base import _id
from .work import WorkCases


@dataclass(frozen=True, slots=True)
class Upload:
    """A file a technician attaches: its name and bytes (and the type its source
    claimed, if any; the recorded type is sniffed)."""

    filename: str
    data: bytes
    claimed_type: str | None = None


@dataclass(frozen=True, slots=True)
class _Kept:
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


class AttachmentCases(WorkCases):
    """Files sent with a technician's reply, or added to a ticket's message."""

    attachments_dir: Path | None = None
    """Where the desk keeps attachments (``Settings.attachments_dir()``); the
    interfaces set it. Unset: a technician's file cannot be kept, and is refused."""
    attachment_limit: int = MAX_ATTACHMENT_BYTES
    """``Settings.max_attachment_mb`` in bytes (``attachments.limit_bytes``)."""

    _pending = threading.local()

    def add_technician_reply(
        self,
        number: int,
        body: str,
        *,
        expected_version: int | None = None,
        then: Status | None = None,
        resolution: str | None = None,
        draft: int | None = None,
        attachments: Sequence[Upload] = (),
    ) -> ReplyRecord:
        """A public reply (``WorkCases.add_technician_reply``) with ``attachments``:
        every file is checked first (a missing name, an empty or too big file is
        refused before anything is written), stored by hash, and its row written in
        the reply's own transaction, so the mail that sends it finds its files."""
        kept = self._keep(attachments)
        self._pending.files = kept
        try:
            return super().add_technician_reply(
                number,
                body,
                expected_version=expected_version,
                then=then,
                resolution=resolution,
                draft=draft,
            )
        finally:
            self._pending.files = []

    def _technician_reply(self, s: Session, ticket: Ticket, body: str) -> Reply:
        reply = super()._technician_reply(s, ticket, body)
        kept: list[_Kept] = getattr(self._pending, "files", [])
        if kept:
            # Only the reply add_technician_reply asked for carries its files.
            self._pending.files = []
            self._rows(s, ticket, _id(reply), kept)
            _note_sms(s, reply, len(kept))
        return reply

    def attach_files(
        self, number: int, uploads: Sequence[Upload], *, reply_id: int | None = None
    ) -> list[int]:
        """Add files to ticket ``number``'s opening message (``reply_id`` None) or to
        one of its replies; the new rows' ids. Nothing is sent: files meant for the
        customer go with a reply."""
        if not uploads:
            raise ValidationError("no files to attach")
        kept = self._keep(uploads)
        with self._write() as s:
            ticket = self._load(s, number)
            if reply_id is not None:
                reply = s.get(Reply, reply_id)
                if reply is None or reply.ticket_id != ticket.id:
                    raise NotFoundError(f"no reply {reply_id} on #{number}")
            self._touch(ticket, self.clock())
            rows = self._rows(s, ticket, reply_id, kept)
            s.flush()
            return [row.id for row in rows if row.id is not None]

    def _keep(self, uploads: Sequence[Upload]) -> list[_Kept]:
        """Check every file, then store them: all or none refused, before any write."""
        if not uploads:
            return []
        if self.attachments_dir is None:
            raise ValidationError("this desk has no attachments folder set: files cannot be kept")
        for upload in uploads:
            check_file(upload.filename, len(upload.data), self.attachment_limit)
        return [
            _Kept(
                stored := store_bytes(self.attachments_dir, upload.filename, upload.data),
                sniff_type(stored.filename, upload.data, upload.claimed_type),
            )
            for upload in uploads
        ]

    def _rows(
        self, s: Session, ticket: Ticket, reply_id: int | None, kept: Sequence[_Kept]
    ) -> list[FileAttachment]:
        now = self.clock()
        rows = []
        for file in kept:
            row = FileAttachment(
                ticket_id=_id(ticket),
                reply_id=reply_id,
                filename=file.stored.filename,
                content_type=file.content_type[:255],
                size=file.stored.size,
                path=file.stored.path,
                sha256=file.stored.sha256,
                created_at=now,
            )
            s.add(row)
            rows.append(row)
        self._event(
            s,
            ticket,
            EventKind.ATTACHMENTS_ADDED,
            to=str(len(rows)),
            detail=", ".join(f"{f.stored.filename} ({human_size(f.stored.size)})" for f in kept)[
                :500
            ],
        )
        return rows


def _note_sms(s: Session, reply: Reply, count: int) -> None:
    """An SMS carries no file: the queued message says so, as the outbox shows."""
    message = s.exec(
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
