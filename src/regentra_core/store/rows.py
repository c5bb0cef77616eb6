"""Rows inserted at once, without a flush of the session.

A use case that needs a new row's id straight away (a ticket's, for its events and
the spike check; a reply's, for its result) used to flush for it, and a flush writes
everything else the session holds: in a batch of inbound mail that was a flush per
message, most of intake's time. One INSERT gives the id instead; the object is then
attached as stored, so later changes to it are ordinary updates.
"""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, SQLModel

from . import clock_writes, outbox
from .models import Ticket


def insert_now(s: Session, row: SQLModel) -> None:
    """Insert ``row`` (a new object with no id) with one statement and attach it."""
    values = row.model_dump(exclude={"id"})
    key = s.connection().execute(insert(type(row)), values).inserted_primary_key
    assert key is not None
    row.id = int(key[0])
    make_transient_to_detached(row)
    s.add(row)
    outbox.note_inserted(s, row)
    if isinstance(row, Ticket):
        clock_writes.note(s, row)
