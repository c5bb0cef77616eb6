"""Where the polled channels have read up to."""

from __future__ import annotations

from datetime import datetime

from ..store.engine import Database
from ..store.models import (
    ChannelCursor,
)


def channel_position(db: Database, name: str) -> datetime | None:
    """How far the polled channel ``name`` (Twilio's log) has been read; None: never."""
    with db.read() as s:
        row = s.get(ChannelCursor, name)
    return None if row is None else datetime.fromisoformat(row.position)
