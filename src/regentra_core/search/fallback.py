"""The answer while an index is missing or being built: a plain database match.

A technician searching during a rebuild (minutes on a large desk) gets the tickets
whose subject, description or resolution note holds every word, marked incomplete,
rather than a wait.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select

from ..enums import Status
from ..store.engine import Database
from ..store.models import Ticket
from .documents import MAX_TITLE, Matches, SearchHit, SearchResults

REBUILDING_NOTE = (
    "the search index is being rebuilt (by the worker, or now: regentra reindex); "
    "these results match subjects, descriptions and resolutions only and may be incomplete"
)

_FIELD_ANY = re.compile(r"\b\w+:\S+")


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def answer_from_database(db: Database, text: str, limit: int, kind: str | None) -> SearchResults:
    """Tickets whose subject, description or resolution note holds every word (the
    index is down)."""
    if kind == "kb":
        return SearchResults([], complete=False, note=REBUILDING_NOTE)
    query = _holding_every_word(select(Ticket.number, Ticket.subject, Ticket.status), text)
    query = query.order_by(col(Ticket.updated_at).desc()).limit(limit)
    with db.read() as s:
        rows = s.exec(query).all()
    hits = [
        SearchHit("ticket", str(n), subject[:MAX_TITLE], 0.0, status=Status(status).value)
        for n, subject, status in rows
    ]
    return SearchResults(hits, complete=False, note=REBUILDING_NOTE)


def numbers_from_database(db: Database, text: str) -> Matches:
    """Every ticket whose subject, description or resolution note holds every word
    (the index is down)."""
    query = _holding_every_word(select(Ticket.number), text)
    with db.read() as s:
        numbers = frozenset(s.exec(query).all())
    return Matches(numbers, complete=False, note=REBUILDING_NOTE)


def _holding_every_word(query: Any, text: str) -> Any:
    words = [
        w.strip('"*?').lower()
        for w in _FIELD_ANY.sub(" ", text).split()
        if w.upper() not in ("AND", "OR", "NOT")
    ]
    for word in (w for w in words if w):
        pattern = f"%{_escape_like(word)}%"
        query = query.where(
            or_(
                func.lower(Ticket.subject).like(pattern, escape="\\"),
                func.lower(Ticket.description).like(pattern, escape="\\"),
                func.lower(func.coalesce(Ticket.resolution, "")).like(pattern, escape="\\"),
            )
        )
    return query
