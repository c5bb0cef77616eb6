"""One rebuild of the search documents, whichever engine writes them.

Both engines (``engine.SearchIndex``, ``postgres.PostgresSearch``) rebuild the same
way: note the outbox's high-water mark first (rows queued after it are drained later,
never lost), write the KB's documents and then the tickets' a batch at a time,
telling ``progress`` after each batch of tickets, and delete the outbox rows up to
the mark. Where each engine writes and in which transactions stays in the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from ..store.models import IndexOutbox, KBArticle, Ticket
from .documents import kb_documents, ticket_documents

Progress = Callable[[int, int], None]
"""Told (documents done, documents in all) as a build goes."""


class Rebuilds(Protocol):
    """The one spelling of ``rebuild`` (part of the ``SearchEngine`` interface, which
    every engine subclasses it for); an engine says in ``_rebuild`` how it takes its
    one-builder lock and writes."""

    def rebuild(
        self,
        progress: Progress | None = None,
        *,
        only_if_unhealthy: bool = False,
        wait: bool = True,
    ) -> int:
        """Every document written anew, one builder at a time; with
        ``only_if_unhealthy`` a builder that waited finds it built and returns 0;
        without ``wait`` a build under way elsewhere raises ``SearchBusy``."""
        return self._rebuild(progress, only_if_unhealthy, wait)

    def _rebuild(self, progress: Progress | None, only_if_unhealthy: bool, wait: bool) -> int:
        raise NotImplementedError


@dataclass
class Rebuild:
    """What one rebuild covers and how far it has come."""

    high_water: int
    """The newest outbox row when it began: the rows it makes redundant."""
    ticket_ids: list[int]
    total: int
    """Documents in all (tickets and articles)."""
    progress: Progress | None
    done: int = 0

    @classmethod
    def plan(cls, s: Session, progress: Progress | None) -> Rebuild:
        """The outbox's mark and the documents to write, read in one session."""
        high_water = s.execute(select(func.max(IndexOutbox.id))).scalar() or 0
        ticket_ids = [i for i in s.execute(select(col(Ticket.id))).scalars() if i is not None]
        kb_count = int(s.execute(select(func.count()).select_from(KBArticle)).scalar() or 0)
        return cls(high_water, ticket_ids, len(ticket_ids) + kb_count, progress)

    def batches(self, s: Session, size: int) -> Iterator[Iterator[dict[str, object]]]:
        """The articles' documents, then the tickets' ``size`` at a time, each batch
        read as the caller goes (a ticket's document can be megabytes). A document
        counts as done once the caller asks for the next; after each batch of tickets
        ``progress`` is told."""
        yield self._counted(kb_documents(s))
        for start in range(0, len(self.ticket_ids), size):
            yield self._counted(ticket_documents(s, self.ticket_ids[start : start + size]))
            if self.progress is not None:
                self.progress(self.done, self.total)

    def _counted(self, docs: Iterable[dict[str, object]]) -> Iterator[dict[str, object]]:
        for doc in docs:
            yield doc
            self.done += 1

    def forget_outbox(self, s: Session) -> None:
        """Delete the outbox rows the rebuild made redundant (none queued since)."""
        s.execute(delete(IndexOutbox).where(col(IndexOutbox.id) <= self.high_water))

    def finish(self) -> int:
        """Tell ``progress`` it is all done (after the caller's commit); documents
        written."""
        if self.progress is not None:
            self.progress(self.total, self.total)
        return self.done
