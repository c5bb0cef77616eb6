"""What a search document holds, read from the database in bulk."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from ..store.models import Client, InternalNote, KBArticle, Reply, Technician, Ticket


@dataclass(frozen=True, slots=True)
class Snippet:
    """A fragment of matching text: (text, is_match) pieces, for literal display."""

    field: str
    pieces: tuple[tuple[str, bool], ...]

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.pieces)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result, ranked."""

    kind: str
    """``ticket`` or ``kb``."""
    key: str
    """The ticket number or the article slug."""
    title: str
    score: float
    status: str | None = None
    client: str | None = None
    snippets: list[Snippet] = field(default_factory=list)

    @property
    def number(self) -> int | None:
        return int(self.key) if self.kind == "ticket" else None

    @property
    def in_note(self) -> bool:
        """The text matched a private internal note (technicians only)."""
        return any(s.field == "notes" for s in self.snippets)


def ticket_documents(s: Session, ids: Iterable[int]) -> Iterator[dict[str, object]]:
    """Search documents for the tickets with these row ids."""
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        tickets = s.exec(select(Ticket).where(col(Ticket.id).in_(chunk))).all()
        replies: dict[int, list[str]] = {}
        for r in s.exec(select(Reply).where(col(Reply.ticket_id).in_(chunk))).all():
            replies.setdefault(r.ticket_id, []).append(r.body)
        notes: dict[int, list[str]] = {}
        for n in s.exec(select(InternalNote).where(col(InternalNote.ticket_id).in_(chunk))).all():
            notes.setdefault(n.ticket_id, []).append(n.body)
        clients = {c.id: c.name for c in s.exec(select(Client)).all()}
        people = {t.id: t.username for t in s.exec(select(Technician)).all()}
        for t in tickets:
            assert t.id is not None
            yield {
                "doc_id": f"t:{t.id}",
                "kind": "ticket",
                "key": str(t.number),
                "number": t.number,
                "title": t.subject,
                "body": "\n\n".join([t.description, *replies.get(t.id, [])]),
                "notes": "\n\n".join(notes.get(t.id, [])),
                "status": t.status.value,
                "priority": t.priority.value,
                "client": clients.get(t.client_id, "") if t.client_id else "",
                "assignee": people.get(t.assignee_id, "") if t.assignee_id else "",
                "created": _naive(t.created_at),
                "updated": _naive(t.updated_at),
            }


def kb_documents(s: Session, ids: Iterable[int] | None = None) -> Iterator[dict[str, object]]:
    """Search documents for KB articles (all of them when ``ids`` is None)."""
    query = select(KBArticle)
    if ids is not None:
        query = query.where(col(KBArticle.id).in_(sorted(set(ids))))
    for a in s.exec(query).all():
        yield {
            "doc_id": f"kb:{a.id}",
            "kind": "kb",
            "key": a.slug,
            "title": a.title,
            "body": a.body + ("\n\n" + a.tags if a.tags else ""),
            "notes": "",
            "created": _naive(a.created_at),
            "updated": _naive(a.updated_at),
        }


def _naive(value: datetime) -> datetime:
    # Whoosh DATETIME fields compare naive datetimes; everything here is UTC.
    return value.replace(tzinfo=None)
