"""The TUI's handle on the core: one database, one acting technician, one clock.

Widgets never touch SQL: they call these methods from thread workers and post the
results back. Every write goes through a fresh ``Desk`` acting as the technician
who runs the app, with source ``tui``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from regentra_core import queries
from regentra_core.ai import reviews
from regentra_core.ai.assistant import Assistant
from regentra_core.ai.requests import daemon_running, needs_daemon
from regentra_core.clock import Clock, utcnow
from regentra_core.config import load_settings
from regentra_core.desk import Desk
from regentra_core.enums import Status
from regentra_core.identity import Actor
from regentra_core.queries import SortKey, TicketDetail, TicketFilter, TicketRow
from regentra_core.records import ArticleRecord, TicketRecord
from regentra_core.search import SearchEngine, Snippet
from regentra_core.sla_book import SlaBook
from regentra_core.store import Database
from regentra_core.views import View, saved_views

from .render import SHOWN_CHARACTERS

BOARD_PAGE = 24
BOARD_DONE_FOR = timedelta(days=7)
"""The board's Resolved and Closed columns hold what was done this week; the list
(its status filter) holds all of them. A desk's years of closed tickets made every
board load sort them all."""
"""Cards fetched per board page: a tall terminal shows about a dozen per column."""


@dataclass
class ColumnData:
    """One board column's count and first page of cards."""

    status: Status
    total: int
    rows: list[TicketRow] = field(default_factory=list)


@dataclass
class DeskSession:
    """What the app needs to read and write the desk as one technician."""

    db: Database
    actor: Actor
    clock: Clock = utcnow
    index: SearchEngine | None = None
    """The full-text index; without it the search box filters subjects only."""
    snippets: dict[int, Snippet] = field(default_factory=dict)
    """The matching snippet of each ticket found by the last search."""
    search_note: str | None = None
    """Why the last search may be incomplete (the index is being rebuilt), if it may."""
    assistant: Assistant | None = None
    """Analyses and drafts; made from the desk's settings when first asked for."""
    board_order: SortKey = SortKey.SLA
    """The board's working columns: most urgent SLA first (the stand-up's order), or
    by priority (``o`` on the board switches)."""

    def resolve(self, f: TicketFilter) -> tuple[TicketFilter, list[int]]:
        """Turn the search text into ranked ticket numbers (full-text search).

        Returns the filter to run and the numbers in rank order ([] when not searching).
        """
        if not f.text or self.index is None:
            return f, []
        hits = self.index.search(_as_you_type(f.text), limit=500, kind="ticket")
        self.search_note = hits.note
        ranked = [h.number for h in hits if h.number is not None]
        self.snippets = {
            h.number: h.snippets[0] for h in hits if h.number is not None and h.snippets
        }
        return replace(f, text=None, numbers=tuple(ranked)), ranked

    @property
    def username(self) -> str:
        return self.actor.name

    def desk(self) -> Desk:
        return Desk(self.db, self.actor, source="tui", clock=self.clock)

    def now(self) -> datetime:
        return self.clock()

    def ai(self) -> Assistant:
        """The AI helper (call from a worker: a model's first call imports litellm)."""
        if self.assistant is None:
            self.assistant = Assistant(self.db, load_settings())
        return self.assistant

    def ai_via_daemon(self) -> bool:
        """Whether model drafts are asked of the worker daemon: a model is set up and
        its key is the service account's (call from a worker: it reads the config)."""
        return needs_daemon(self.ai().settings)

    def daemon_running(self) -> bool:
        """Whether a worker daemon holds the lease now (by the database's clock, as
        the lease is dated; never the clock the app shows tickets by)."""
        return daemon_running(self.db)

    def ai_state(self, number: int) -> tuple[reviews.SuggestionRow | None, ...]:
        """The ticket's latest analysis and latest draft (either may be None)."""
        return reviews.latest(self.db, number, "analysis"), reviews.latest(self.db, number, "draft")

    def review_queue(self, *, pending_only: bool = True) -> list[reviews.SuggestionRow]:
        return reviews.suggestions(self.db, pending_only=pending_only)

    def accuracy(self) -> list[reviews.AccuracyRow]:
        return reviews.accuracy(self.db, now=self.clock())

    def version_after(self, result: object) -> tuple[int, int] | None:
        """(number, version) of the ticket a Desk write returned, if it returned one
        (the screens keep it, so their next write expects their own change)."""
        return (result.number, result.version) if isinstance(result, TicketRecord) else None

    def kb_articles(self) -> list[ArticleRecord]:
        return queries.kb_articles(self.db)

    # -- reads (call from workers) ---------------------------------------------

    def board(
        self, f: TicketFilter, statuses: list[Status], order: SortKey | None = None
    ) -> list[ColumnData]:
        """Every column's count and first page, in ``order`` (by default
        :attr:`board_order`); the done columns are always by priority."""
        order = order or self.board_order
        f, _ = self.resolve(f)
        book = queries.sla_book(self.db)
        now = self.now()
        since = now - BOARD_DONE_FOR
        counts = queries.count_by_status(self.db, f, now=now, book=book, done_since=since)
        pages = queries.first_pages_by_status(
            self.db, f, BOARD_PAGE, now=now, book=book, done_since=since, sort=order
        )
        return [ColumnData(status, counts[status], pages[status]) for status in statuses]

    def board_page(
        self,
        f: TicketFilter,
        status: Status,
        page: int,
        *,
        book: SlaBook | None = None,
        order: SortKey | None = None,
    ) -> list[TicketRow]:
        f, _ = self.resolve(f)
        now = self.now()
        sort = queries.board_sort(status, order or self.board_order)
        return queries.list_tickets(
            self.db,
            _with_status(f, status),
            sort=sort,
            descending=sort == SortKey.PRIORITY,
            limit=BOARD_PAGE,
            offset=page * BOARD_PAGE,
            now=now,
            book=book,
            done_since=now - BOARD_DONE_FOR,
        )

    def list_page(
        self, f: TicketFilter, sort: SortKey, descending: bool, offset: int, limit: int
    ) -> tuple[int, list[TicketRow]]:
        f, ranked = self.resolve(f)
        if ranked:
            # Search results come in rank order (BM25F), best first.
            rows = queries.list_tickets(self.db, f, limit=len(ranked), now=self.now())
            by_number = {r.number: r for r in rows}
            ordered = [by_number[n] for n in ranked if n in by_number]
            return len(ordered), ordered[offset : offset + limit]
        rows = queries.list_tickets(
            self.db,
            f,
            sort=sort,
            descending=descending,
            limit=limit,
            offset=offset,
            now=self.now(),
        )
        return queries.count_tickets(self.db, f, now=self.now()), rows

    def detail(self, number: int) -> TicketDetail:
        return queries.ticket_detail(self.db, number, now=self.now(), body_limit=SHOWN_CHARACTERS)

    def ticket(self, number: int) -> TicketRow:
        """One ticket's row (a picker line names a linked ticket by its subject)."""
        return queries.get_ticket(self.db, number, now=self.now())

    def cascade_offer(self, master: int, target: Status) -> list[int]:
        """The open children a cascade of ``target`` on ``master`` would move."""
        return queries.cascade_offer(self.db, master, target)

    def history(self, number: int) -> list[queries.EventRow]:
        return queries.ticket_history(self.db, number)

    def views(self) -> list[View]:
        assert self.actor.technician_id is not None
        return saved_views(self.db, self.actor.technician_id, self.username)

    def marker(self) -> int:
        return queries.latest_event_id(self.db)

    def link_candidates(self, master: TicketRow, limit: int = 200) -> list[TicketRow]:
        """Tickets that could become children of ``master``: the same client's open
        tickets that are neither masters nor linked already, newest first."""
        f = TicketFilter(
            statuses=tuple(s for s in Status if not s.is_done),
            client=master.client,
        )
        rows = queries.list_tickets(
            self.db, f, sort=SortKey.UPDATED, descending=True, limit=limit, now=self.now()
        )
        return [
            r for r in rows if r.number != master.number and not r.is_master and r.master is None
        ]

    def technicians(self) -> list[str]:
        return [t.username for t in queries.technicians(self.db)]

    def clients(self) -> list[str]:
        return [c.name for c in queries.clients(self.db)]


def _with_status(f: TicketFilter, status: Status) -> TicketFilter:
    return replace(f, statuses=(status,))


SEARCH_REST_SECONDS = 0.12
"""How long the search box rests before a full-text search runs: a burst of typed
keys searches once, for the last text. Each search takes the index's one lock, and
on a 100k desk a common prefix takes Whoosh half a second: five keys typed in a
burst queued five searches, 2.5 s before the last one showed."""


def rest_while_typing(typed: bool, superseded: Callable[[], bool]) -> bool:
    """In a loading thread: wait out a burst of keys; False when a newer load came.

    ``typed``: the search text changed with this load (a page turn or a live refresh
    of the same search loads at once)."""
    if typed:
        time.sleep(SEARCH_REST_SECONDS)
    return not superseded()


def _as_you_type(text: str) -> str:
    """Plain words typed in the box match as prefixes, so results follow each key."""
    stripped = text.strip()
    if not stripped or any(c in stripped for c in '"*:()') or stripped.endswith(" "):
        return stripped
    return stripped + "*"
