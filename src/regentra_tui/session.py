"""The TUI's handle on the core: one database, one acting technician, one clock.

Screens and widgets never touch SQL, nor the database itself: they call these
methods from thread workers and post the results back (an import-hygiene test
holds them to it). Every write goes through a fresh ``Desk`` acting as the
technician who runs the app, with source ``tui``.

The session is built once, by the process's composition root
(``cli/launch.py`` from ``regentra_core.wiring``), which hands it the settings
it read; the session never reads settings itself. It holds no state a worker
writes: a read returns what it found (a search's snippets and note ride back
with the page), and the widget that asked stores it on the UI thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from regentra_core import (
    AccuracyRow,
    Actor,
    ArticleRecord,
    Assistant,
    Clock,
    Database,
    Desk,
    EventRow,
    SearchEngine,
    SlaBook,
    Snippet,
    SortKey,
    Status,
    SuggestionRow,
    TicketDetail,
    TicketFilter,
    TicketRecord,
    TicketRow,
    View,
    ai_accuracy,
    ai_suggestions,
    board_sort,
    cascade_offer,
    client_rows,
    count_by_status,
    count_tickets,
    daemon_running,
    first_pages_by_status,
    get_ticket,
    kb_articles,
    latest_event_id,
    latest_suggestion,
    list_clients,
    list_technicians,
    list_tickets,
    load_settings,
    needs_daemon,
    on_the_board,
    read_sla_book,
    saved_views,
    sla_config,
    ticket_detail,
    ticket_history,
    utcnow,
)

from .render import SHOWN_CHARACTERS

if TYPE_CHECKING:
    from regentra_core import (
        Analysis,
        AttachmentFile,
        AttachmentRow,
        ChangeFeed,
        ClientRow,
        ContactRow,
        Draft,
        DryRun,
        LeaseView,
        Report,
        ReportPeriod,
        RequestView,
        RunRow,
        Settings,
        SpikeView,
        StoredRule,
        ThreadFiles,
        Upload,
    )

RANKED = 500
"""Search results shown in rank order (with their snippets) before the other matches."""
RANK_UP_TO = 5_000
"""A search matching more tickets than this lists them in the list's own order,
unranked: ranking a common word's 100,000 matches took Whoosh seconds on every page
turn, and said little (the word is in all of them)."""
BOARD_PAGE = 24
"""Cards fetched per board page: a tall terminal shows about a dozen per column."""
BOARD_DONE_FOR = timedelta(days=7)
"""The board's Resolved and Closed columns hold what was done this week; the list
(its status filter) holds all of them. A desk's years of closed tickets made every
board load sort them all."""


@dataclass
class ColumnData:
    """One board column's count and first page of cards."""

    status: Status
    total: int
    rows: list[TicketRow] = field(default_factory=list)


@dataclass(frozen=True)
class Found:
    """What the search text found: the filter to run, the numbers in rank order
    ([] when not searching), each ticket's matching snippet, and why the search may
    be incomplete (the index is being rebuilt), if it may."""

    filter: TicketFilter
    ranked: list[int] = field(default_factory=list)
    snippets: dict[int, Snippet] = field(default_factory=dict)
    note: str | None = None


@dataclass(frozen=True)
class ListPage:
    """One page of the list, with what its search found (shown under each subject)."""

    total: int
    rows: list[TicketRow]
    snippets: dict[int, Snippet] = field(default_factory=dict)
    note: str | None = None


def _settings() -> Settings:
    return load_settings()


@dataclass
class DeskSession:
    """What the app needs to read and write the desk as one technician."""

    db: Database
    actor: Actor
    clock: Clock = utcnow
    index: SearchEngine | None = None
    """The full-text index; without it the search box filters subjects only."""
    settings: Settings = field(default_factory=_settings)
    """The process's settings, read once by whoever built the session (the
    composition root passes its own; a session made without them reads them then)."""
    assistant: Assistant | None = None
    """Analyses and drafts; made from :attr:`settings` when first asked for."""
    board_order: SortKey = SortKey.SLA
    """The board's working columns: most urgent SLA first (the stand-up's order), or
    by priority (``o`` on the board switches)."""
    _ai_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def resolve(self, f: TicketFilter, *, rank: bool = False) -> Found:
        """Turn the search text into the filter of every ticket it matches (so the
        board's and the list's counts are all of them, not the best 500's), and with
        ``rank`` the best :data:`RANKED` in rank order with their snippets, unless
        there are more than :data:`RANK_UP_TO`."""
        if not f.text or self.index is None:
            return Found(f)
        text = _as_you_type(f.text)
        matches = self.index.matching(text)
        every = replace(f, text=None, numbers=tuple(sorted(matches.numbers)))
        if not rank or len(matches.numbers) > RANK_UP_TO:
            return Found(every, note=matches.note)  # the list then keeps its own order
        hits = self.index.search(text, limit=RANKED, kind="ticket")
        wanted = matches.numbers
        ranked = [h.number for h in hits if h.number is not None and h.number in wanted]
        snippets = {h.number: h.snippets[0] for h in hits if h.number is not None and h.snippets}
        note = matches.note or hits.note
        return Found(every, ranked, snippets, note)

    @property
    def username(self) -> str:
        return self.actor.name

    @property
    def desk_url(self) -> str:
        """The desk's database URL (drafts are kept per desk)."""
        return self.db.url

    @property
    def desk_name(self) -> str:
        """The desk as the status line names it: a SQLite file's name, or the URL
        without its password."""
        url = self.db.display_url
        return Path(url.removeprefix("sqlite:///")).name if "sqlite" in url else url

    def desk(self) -> Desk:
        """A Desk acting as this technician, with the policies the settings name."""
        return Desk(
            self.db,
            self.actor,
            source="tui",
            clock=self.clock,
            config=self.settings.desk_config(),
        )

    def uploads(self, paths: tuple[str, ...]) -> list[Upload]:
        """The files a technician named, read and checked against the settings."""
        from .cli.attachments import read_uploads

        return read_uploads(paths, self.settings)

    def check_upload(self, name: str, size: int) -> None:
        """Refuse a file the desk would not send (its kind, or over the size limit)."""
        from regentra_core import check_file, limit_bytes

        check_file(name, size, limit_bytes(self.settings.max_attachment_mb))

    @property
    def phone_region(self) -> str:
        """Where a phone number typed without a country code is read (``sms_default_region``)."""
        return self.settings.sms_default_region

    def now(self) -> datetime:
        return self.clock()

    def ai(self) -> Assistant:
        """The AI helper (call from a worker: a model's first call imports litellm)."""
        with self._ai_lock:
            if self.assistant is None:
                self.assistant = Assistant(self.db, self.settings)
            return self.assistant

    def ai_via_daemon(self) -> bool:
        """Whether model drafts are asked of the worker daemon: a model is set up and
        its key is the service account's."""
        return needs_daemon(self.settings)

    def daemon_running(self) -> bool:
        """Whether a worker daemon holds the lease now (by the database's clock, as
        the lease is dated; never the clock the app shows tickets by)."""
        return daemon_running(self.db)

    def ai_state(self, number: int) -> tuple[SuggestionRow | None, ...]:
        """The ticket's latest analysis and latest draft (either may be None)."""
        return latest_suggestion(self.db, number, "analysis"), latest_suggestion(
            self.db, number, "draft"
        )

    def follow_request(
        self, request: int, *, stop: threading.Event, until: float | None = None
    ) -> RequestView | None:
        """Wait for the daemon's answer to an AI request (None: no daemon any more)."""
        from regentra_core import follow_request

        return follow_request(self.db, request, stop=stop, until=until)

    def answer_of(self, view: RequestView) -> Draft | Analysis:
        """The analysis or draft a finished request made."""
        from regentra_core import answer_of

        return answer_of(self.db, view)

    def review_queue(self, *, pending_only: bool = True) -> list[SuggestionRow]:
        return ai_suggestions(self.db, pending_only=pending_only)

    def accuracy(self) -> list[AccuracyRow]:
        return ai_accuracy(self.db, now=self.clock())

    def version_after(self, result: object) -> tuple[int, int] | None:
        """(number, version) of the ticket a Desk write returned, if it returned one
        (the screens keep it, so their next write expects their own change)."""
        return (result.number, result.version) if isinstance(result, TicketRecord) else None

    def kb_articles(self) -> list[ArticleRecord]:
        return kb_articles(self.db)

    # -- reads (call from workers) ---------------------------------------------

    def board(
        self, f: TicketFilter, statuses: list[Status], order: SortKey | None = None
    ) -> list[ColumnData]:
        """Every column's count and first page, in ``order`` (by default
        :attr:`board_order`); the done columns are always by priority."""
        order = order or self.board_order
        now = self.now()
        since = now - BOARD_DONE_FOR
        f = on_the_board(self.db, self.resolve(f).filter, since)
        book = read_sla_book(self.db)
        counts = count_by_status(self.db, f, now=now, book=book, done_since=since)
        pages = first_pages_by_status(
            self.db, f, BOARD_PAGE, now=now, book=book, done_since=since, sort=order, counted=counts
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
        now = self.now()
        since = now - BOARD_DONE_FOR
        f = on_the_board(self.db, self.resolve(f).filter, since)
        sort = board_sort(status, order or self.board_order)
        return list_tickets(
            self.db,
            _with_status(f, status),
            sort=sort,
            descending=sort == SortKey.PRIORITY,
            limit=BOARD_PAGE,
            offset=page * BOARD_PAGE,
            now=now,
            book=book,
            done_since=since,
        )

    def list_page(
        self, f: TicketFilter, sort: SortKey, descending: bool, offset: int, limit: int
    ) -> ListPage:
        found = self.resolve(f, rank=True)
        f, ranked = found.filter, found.ranked
        if ranked:
            return self._ranked_page(found, sort, descending, offset, limit)
        rows = list_tickets(
            self.db,
            f,
            sort=sort,
            descending=descending,
            limit=limit,
            offset=offset,
            now=self.now(),
        )
        total = count_tickets(self.db, f, now=self.now())
        return ListPage(total, rows, found.snippets, found.note)

    def _ranked_page(
        self, found: Found, sort: SortKey, descending: bool, offset: int, limit: int
    ) -> ListPage:
        """A page of search results: the best :data:`RANKED` first in rank order
        (BM25F), then every other match the filters keep, in ``sort`` order; the
        total counts them all."""
        f, now = found.filter, self.now()
        best = list_tickets(
            self.db, replace(f, numbers=tuple(found.ranked)), limit=len(found.ranked), now=now
        )
        by_number = {r.number: r for r in best}
        ordered = [by_number[n] for n in found.ranked if n in by_number]
        total = count_tickets(self.db, f, now=now)
        page = ordered[offset : offset + limit]
        if len(page) < limit and total > len(ordered):
            rest = set(f.numbers or ()) - set(found.ranked)
            page += list_tickets(
                self.db,
                replace(f, numbers=tuple(sorted(rest))),
                sort=sort,
                descending=descending,
                limit=limit - len(page),
                offset=max(0, offset - len(ordered)),
                now=now,
            )
        return ListPage(total, page, found.snippets, found.note)

    def detail(self, number: int) -> TicketDetail:
        return ticket_detail(self.db, number, now=self.now(), body_limit=SHOWN_CHARACTERS)

    def ticket(self, number: int) -> TicketRow:
        """One ticket's row (a picker line names a linked ticket by its subject)."""
        return get_ticket(self.db, number, now=self.now())

    def spike(self, number: int) -> SpikeView | None:
        """The spike ``number`` belongs to, if it does."""
        from regentra_core import spike_of

        return spike_of(self.db, number)

    def thread_files(self, number: int) -> ThreadFiles:
        """The files of the ticket's opening message and of each reply."""
        from regentra_core import thread_files

        return thread_files(self.db, number)

    def attachments(self, number: int) -> list[AttachmentRow]:
        from regentra_core import attachments_of

        return attachments_of(self.db, number)

    def attachment(self, attachment_id: int) -> AttachmentFile:
        """One attachment, found where this host keeps them."""
        from regentra_core import read_attachment

        return read_attachment(self.db, attachment_id, self.settings.attachments_dir())

    def cascade_offer(self, master: int, target: Status) -> list[int]:
        """The open children a cascade of ``target`` on ``master`` would move."""
        return cascade_offer(self.db, master, target)

    def history(self, number: int) -> list[EventRow]:
        return ticket_history(self.db, number)

    def views(self) -> list[View]:
        assert self.actor.technician_id is not None
        return saved_views(self.db, self.actor.technician_id, self.username)

    def marker(self) -> int:
        return latest_event_id(self.db)

    def changes(self, feed: ChangeFeed) -> set[int] | None:
        """What other processes changed since ``feed`` last looked (None: nothing)."""
        return feed.poll(self.db)

    def lease(self) -> LeaseView | None:
        """Who holds the worker lease now, by the database's clock."""
        from regentra_core import current_lease

        return current_lease(self.db)

    def link_candidates(self, master: TicketRow, limit: int = 200) -> list[TicketRow]:
        """Tickets that could become children of ``master``: the same client's open
        tickets that are neither masters nor linked already, newest first."""
        f = TicketFilter(
            statuses=tuple(s for s in Status if not s.is_done),
            client=master.client,
        )
        rows = list_tickets(
            self.db, f, sort=SortKey.UPDATED, descending=True, limit=limit, now=self.now()
        )
        return [
            r for r in rows if r.number != master.number and not r.is_master and r.master is None
        ]

    def technicians(self) -> list[str]:
        return [t.username for t in list_technicians(self.db)]

    def clients(self) -> list[str]:
        return [c.name for c in list_clients(self.db)]

    def client_rows(self) -> list[ClientRow]:
        """Every client with its VIP flag, SLA policy, open tickets and domains."""
        return client_rows(self.db)

    def sla_policies(self) -> list[str]:
        """The names of the SLA policies a client may be put on."""
        return [p.name for p in sla_config(self.db).policies]

    def contacts(self) -> list[ContactRow]:
        """Every live contact."""
        from regentra_core import contact_rows

        return contact_rows(self.db)

    def rules(self) -> list[StoredRule]:
        """The automation rules, in the order they run."""
        from regentra_core import stored_rules

        return stored_rules(self.db)

    def dry_run(self, rule: str, ticket: int | None) -> DryRun:
        """What ``rule`` would do (on ``ticket``, or the open tickets), changing nothing."""
        from regentra_core import dry_run_rule

        return dry_run_rule(self.db, rule, ticket=ticket, now=self.now())

    def rule_log(self, rule: str | None, *, matched_only: bool, limit: int) -> list[RunRow]:
        """The automation runs, newest first."""
        from regentra_core import rule_log

        return rule_log(self.db, rule=rule, matched_only=matched_only, limit=limit)

    def report(self, kind: str, period: ReportPeriod) -> Report:
        from regentra_core import build_report

        return build_report(self.db, kind, period, now=self.now())


def _with_status(f: TicketFilter, status: Status) -> TicketFilter:
    return replace(f, statuses=(status,))


SEARCH_REST_SECONDS = 0.12
"""How long the search box rests after the last key before a full-text search runs:
a burst of typed keys searches once, for the last text. Each search takes the
index's one lock, and on a 100k desk a common prefix took Whoosh half a second: five
keys typed in a burst queued five searches, 2.5 s before the last one showed."""


def rest_while_typing(typed_at: float | None, superseded: Callable[[], bool]) -> bool:
    """In a loading thread: wait out a burst of keys; False when a newer load came.

    ``typed_at``: when the search text last changed (``time.monotonic()``), if it
    changed with this load (a page turn or a live refresh of the same search loads at
    once). The rest ends :data:`SEARCH_REST_SECONDS` after that key, not after this
    load started: the load that follows one a burst superseded (views load one at a
    time) rests only what is left, where it rested the whole interval again (a burst
    typed in one go rested twice, 240 ms, before its search began)."""
    if typed_at is not None:
        left = typed_at + SEARCH_REST_SECONDS - time.monotonic()
        if left > 0:
            time.sleep(left)
    return not superseded()


def _as_you_type(text: str) -> str:
    """Plain words typed in the box match as prefixes, so results follow each key."""
    stripped = text.strip()
    if not stripped or any(c in stripped for c in '"*:()') or stripped.endswith(" "):
        return stripped
    return stripped + "*"
