"""What a search document holds, read from the database in bulk.

Email brings 10 MB messages. Whoosh's memory and time grow with a document's
length, and a match's snippet is cut from the stored text, so each piece of text is
capped where it is read (in SQL, so memory stays flat): the first
``MAX_PIECE`` characters of each description, reply, resolution note and note, at
most ``MAX_FIELD`` per field. A ticket's resolution note is in its body, after the
replies: "how did we fix the P: drive last time" is what it answers. Nobody
searches for words past the first pages of a log dump; the whole text stays in the
database and on the ticket.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from ..store.models import Client, InternalNote, KBArticle, Reply, Technician, Ticket

MAX_TITLE = 1_000
"""Characters of a subject that are indexed and shown in results."""
MAX_PIECE = 20_000
"""Characters of one description, reply or note that are indexed."""
MAX_FIELD = 200_000
"""Characters of one field (all replies, all notes) of one document."""


class SearchResults(list["SearchHit"]):
    """Hits in rank order, and whether they are the index's full answer.

    ``complete`` is False while the index is being rebuilt and the hits come from a
    plain database match; ``note`` says so in words for the interfaces to show.
    """

    def __init__(
        self, hits: Iterable[SearchHit] = (), *, complete: bool = True, note: str | None = None
    ) -> None:
        super().__init__(hits)
        self.complete = complete
        self.note = note


@dataclass(frozen=True, slots=True)
class Matches:
    """Every ticket a search matches, unranked (a filter counts them all: the board's
    "Open 1,462", not the Open ones among the best 500), and whether that is the
    index's full answer (``note`` says why not, as for :class:`SearchResults`)."""

    numbers: frozenset[int]
    complete: bool = True
    note: str | None = None


def _joined(pieces: list[str]) -> str:
    text = "\n\n".join(pieces)
    return text[:MAX_FIELD]


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
        tickets = s.execute(
            select_columns(
                col(Ticket.id),
                col(Ticket.number),
                func.substr(Ticket.subject, 1, MAX_TITLE),
                func.substr(Ticket.description, 1, MAX_PIECE),
                func.substr(func.coalesce(Ticket.resolution, ""), 1, MAX_PIECE),
                col(Ticket.status),
                col(Ticket.priority),
                col(Ticket.client_id),
                col(Ticket.assignee_id),
                col(Ticket.created_at),
                col(Ticket.updated_at),
            ).where(col(Ticket.id).in_(chunk))
        ).all()
        replies = _beginnings(s, Reply, chunk)
        notes = _beginnings(s, InternalNote, chunk)
        clients = {c.id: c.name for c in s.exec(select(Client)).all()}
        people = {t.id: t.username for t in s.exec(select(Technician)).all()}
        for (
            tid,
            number,
            subject,
            description,
            resolution,
            status,
            priority,
            cid,
            aid,
            created,
            updated,
        ) in tickets:
            yield {
                "doc_id": f"t:{tid}",
                "kind": "ticket",
                "key": str(number),
                "number": number,
                "title": subject,
                "body": _joined(
                    [description, *replies.get(tid, []), *([resolution] if resolution else [])]
                ),
                "notes": _joined(notes.get(tid, [])),
                "status": status.value,
                "priority": priority.value,
                "client": clients.get(cid, "") if cid else "",
                "assignee": people.get(aid, "") if aid else "",
                "created": _naive(created),
                "updated": _naive(updated),
            }


def _beginnings(
    s: Session, table: type[Reply] | type[InternalNote], ticket_ids: list[int]
) -> dict[int, list[str]]:
    """The first ``MAX_PIECE`` characters of each reply (or note), per ticket, in order."""
    found: dict[int, list[str]] = {}
    rows = s.exec(
        select(table.ticket_id, func.substr(table.body, 1, MAX_PIECE))
        .where(col(table.ticket_id).in_(ticket_ids))
        .order_by(col(table.id))
    )
    for ticket_id, body in rows:
        found.setdefault(ticket_id, []).append(body)
    return found


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
            "title": a.title[:MAX_TITLE],
            "body": (a.body + ("\n\n" + a.tags if a.tags else ""))[:MAX_FIELD],
            "notes": "",
            "created": _naive(a.created_at),
            "updated": _naive(a.updated_at),
        }


def _naive(value: datetime) -> datetime:
    # Whoosh DATETIME fields compare naive datetimes; everything here is UTC.
    return value.replace(tzinfo=None)
