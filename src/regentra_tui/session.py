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
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from regentra_core import (
    Actor,
    Clock,
    PlainUnavailable,
    SortKey,
    Status,
    TicketFilter,
    TicketRow,
    View,
    board_sort,
    utcnow,
)

from .render import SHOWN_CHARACTERS

if TYPE_CHECKING:
    from regentra_core import (
        AccuracyRow,
        Analysis,
        ArticleRecord,
        Assistant,
        AttachmentFile,
        AttachmentRow,
        ChangeFeed,
        ClientRow,
        ContactRow,
        Database,
        Desk,
        Draft,
        DryRun,
        EventRow,
        LeaseView,
        PlainDesk,
        Report,
        ReportPeriod,
        RequestView,
        RunRow,
        SearchEngine,
        Settings,
        SlaBook,
        Snippet,
        SpikeView,
        StoredRule,
        SuggestionRow,
        ThreadFiles,
        TicketDetail,
        Upload,
    )

WritePath = Callable[[], "tuple[Database, SearchEngine | None, Settings]"]
"""Opens the desk through the ORM and its search index (the launcher's wiring), with
the settings it read to do so."""

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


@dataclass
class _FirstReads:
    """What :meth:`DeskSession.read_first` read, each taken once."""

    done: threading.Event = field(default_factory=threading.Event)
    marker: int | None = None
    """The newest Event id, read before the rest: the first poll starts there."""
    views: list[View] | None = None
    board: tuple[TicketFilter, SortKey, list[ColumnData]] | None = None

    def take_marker(self) -> int | None:
        self.done.wait()
        marker, self.marker = self.marker, None
        return marker

    def take_views(self) -> list[View] | None:
        self.done.wait()
        views, self.views = self.views, None
        return views

    def take_board(self, f: TicketFilter, order: SortKey) -> list[ColumnData] | None:
        """The first board if it was read for ``f`` in ``order`` (else None: the
        filter changed before it was shown, and that load reads for itself)."""
        self.done.wait()
        board, self.board = self.board, None
        if board is None or board[:2] != (f, order):
            return None
        return board[2]


class DeskSession:
    """What the app needs to read and write the desk as one technician.

    Made ready (``db`` a :class:`Database`), or deferred (``db`` None, with
    ``write_path`` and the desk's ``target``): the launcher's way, so the first
    board is painted from plain SQL (``plain_reads``) before SQLAlchemy, the models
    and the Desk are imported. :meth:`open_write_path` opens them once, in the
    background after the first paint; whatever needs them first (a read in a thread,
    an action) waits for it there.

    Every method calls :meth:`open_write_path` before it imports the core's ORM-backed
    names: one thread imports them while the others wait on its lock. Two threads
    importing the same modules at once wait on each other's module locks, which
    Python breaks by handing one of them a half-made module.
    """

    def __init__(
        self,
        db: Database | None,
        actor: Actor,
        clock: Clock = utcnow,
        index: SearchEngine | None = None,
        settings: Settings | None = None,
        assistant: Assistant | None = None,
        board_order: SortKey = SortKey.SLA,
        *,
        write_path: WritePath | None = None,
        target: str | None = None,
    ) -> None:
        if db is None and (write_path is None or target is None):
            raise ValueError("a deferred session needs its write_path and target")
        self._db = db
        self._index = index
        self._write_path = write_path
        self._loading = threading.RLock()
        self.target = target if target is not None else (db.url if db is not None else "")
        """The desk's database URL or file, as the plain reader opens it."""
        self.actor = actor
        self.clock = clock
        self._settings = settings
        self.assistant = assistant
        """Analyses and drafts; made from :attr:`settings` when first asked for."""
        self.board_order = board_order
        """The board's working columns: most urgent SLA first (the stand-up's order),
        or by priority (``o`` on the board switches)."""
        self._ai_lock = threading.Lock()
        self._first: _FirstReads | None = None

    def read_first(self) -> None:
        """Start reading, in plain SQL in a thread of its own, what the first screen
        shows: the views and the first view's board. The app starts up meanwhile (a
        query waits in SQLite, not on Python), and its first loads take the answers.
        """
        if self._db is not None or self._first is not None:
            return
        first = self._first = _FirstReads()

        def read() -> None:
            try:
                with open_plain(self.target, username=self.actor.name) as desk:
                    assert self.actor.technician_id is not None
                    first.marker = plain_latest_event_id(desk)
                    views = plain_saved_views(desk, self.actor.technician_id, self.username)
                    f = replace(views[0].filter, statuses=())
                    now = self.now()
                    columns = _plain_board(
                        desk, f, list(Status), self.board_order, now, now - BOARD_DONE_FOR
                    )
                first.views, first.board = views, (f, self.board_order, columns)
            except Exception:  # the loads then read for themselves, and say why
                pass
            finally:
                first.done.set()

        from regentra_core import open_plain, plain_latest_event_id, plain_saved_views

        threading.Thread(target=read, name="first-reads", daemon=True).start()

    @property
    def settings(self) -> Settings:
        """The process's settings, read once by whoever built the session (the
        composition root passes its own; a session made without them reads them
        then)."""
        if self._settings is None:
            from regentra_core import load_settings

            self._settings = load_settings()
        return self._settings

    @property
    def ready(self) -> bool:
        """Whether the ORM path is open (reads then go through it)."""
        return self._db is not None

    def open_write_path(self) -> Database:
        """The ORM desk, opened now if it is not yet (once; other threads wait)."""
        with self._loading:
            if self._db is None:
                assert self._write_path is not None
                db, index, settings = self._write_path()
                self._settings = self._settings or settings
                # What the methods below import: here, in this one thread.
                from regentra_core import Desk, list_tickets  # noqa: F401

                self._db, self._index = db, index
            return self._db

    @property
    def db(self) -> Database:
        return self._db if self._db is not None else self.open_write_path()

    @property
    def index(self) -> SearchEngine | None:
        """The full-text index; without it the search box filters subjects only."""
        if self._db is None:
            self.open_write_path()
        return self._index

    def plain(self) -> AbstractContextManager[PlainDesk] | None:
        """The desk for a plain read while the ORM path is still opening, else None."""
        if self._db is not None:
            return None
        from regentra_core import open_plain

        return open_plain(self.target, username=self.actor.name)

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
        return self._db.url if self._db is not None else desk_url(self.target)

    @property
    def desk_name(self) -> str:
        """The desk as the status line names it: a SQLite file's name, or the URL
        without its password."""
        url = self.desk_url
        if url.startswith("sqlite:///") and "?" not in url:
            return Path(url.removeprefix("sqlite:///")).name
        url = self.db.display_url
        return Path(url.removeprefix("sqlite:///")).name if "sqlite" in url else url

    def desk(self) -> Desk:
        """A Desk acting as this technician, with the policies the settings name."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import Desk

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
                self.open_write_path()  # before importing it: see the class docstring
                from regentra_core import Assistant

                self.assistant = Assistant(self.db, self.settings)
            return self.assistant

    def ai_via_daemon(self) -> bool:
        """Whether model drafts are asked of the worker daemon: a model is set up and
        its key is the service account's."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import needs_daemon

        return needs_daemon(self.settings)

    def daemon_running(self) -> bool:
        """Whether a worker daemon holds the lease now (by the database's clock, as
        the lease is dated; never the clock the app shows tickets by)."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import daemon_running

        return daemon_running(self.db)

    def ai_state(self, number: int) -> tuple[SuggestionRow | None, ...]:
        """The ticket's latest analysis and latest draft (either may be None)."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import latest_suggestion

        return latest_suggestion(self.db, number, "analysis"), latest_suggestion(
            self.db, number, "draft"
        )

    def follow_request(
        self, request: int, *, stop: threading.Event, until: float | None = None
    ) -> RequestView | None:
        """Wait for the daemon's answer to an AI request (None: no daemon any more)."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import follow_request

        return follow_request(self.db, request, stop=stop, until=until)

    def answer_of(self, view: RequestView) -> Draft | Analysis:
        """The analysis or draft a finished request made."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import answer_of

        return answer_of(self.db, view)

    def review_queue(self, *, pending_only: bool = True) -> list[SuggestionRow]:
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import ai_suggestions

        return ai_suggestions(self.db, pending_only=pending_only)

    def accuracy(self) -> list[AccuracyRow]:
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import ai_accuracy

        return ai_accuracy(self.db, now=self.clock())

    def version_after(self, result: object) -> tuple[int, int] | None:
        """(number, version) of the ticket a Desk write returned, if it returned one
        (the screens keep it, so their next write expects their own change)."""
        from regentra_core import TicketRecord

        return (result.number, result.version) if isinstance(result, TicketRecord) else None

    def kb_articles(self) -> list[ArticleRecord]:
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import kb_articles

        return kb_articles(self.db)

    # -- reads (call from workers) ---------------------------------------------

    def board(
        self, f: TicketFilter, statuses: list[Status], order: SortKey | None = None
    ) -> list[ColumnData]:
        """Every column's count and first page, in ``order`` (by default
        :attr:`board_order`); the done columns are always by priority."""
        order = order or self.board_order
        f = self.resolve(f).filter
        if self._first is not None and (first := self._first.take_board(f, order)) is not None:
            return [column for column in first if column.status in statuses]
        now = self.now()
        since = now - BOARD_DONE_FOR
        # A search's matches take the ORM's way: ``on_the_board`` cuts them to the
        # tickets a board can show once, not in each of its statements.
        plain = self.plain() if f.numbers is None else None
        if plain is not None:
            try:
                with plain as desk:
                    return _plain_board(desk, f, statuses, order, now, since)
            except PlainUnavailable:
                pass  # the ORM path opens the desk, or says in one line why not
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import (
            count_by_status,
            first_pages_by_status,
            on_the_board,
            read_sla_book,
        )

        f = on_the_board(self.db, f, since)
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
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import list_tickets, on_the_board

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
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import count_tickets, list_tickets

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
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import count_tickets, list_tickets

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
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import ticket_detail

        return ticket_detail(self.db, number, now=self.now(), body_limit=SHOWN_CHARACTERS)

    def ticket(self, number: int) -> TicketRow:
        """One ticket's row (a picker line names a linked ticket by its subject)."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import get_ticket

        return get_ticket(self.db, number, now=self.now())

    def spike(self, number: int) -> SpikeView | None:
        """The spike ``number`` belongs to, if it does."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import spike_of

        return spike_of(self.db, number)

    def thread_files(self, number: int) -> ThreadFiles:
        """The files of the ticket's opening message and of each reply."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import thread_files

        return thread_files(self.db, number)

    def attachments(self, number: int) -> list[AttachmentRow]:
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import attachments_of

        return attachments_of(self.db, number)

    def attachment(self, attachment_id: int) -> AttachmentFile:
        """One attachment, found where this host keeps them."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import read_attachment

        return read_attachment(self.db, attachment_id, self.settings.attachments_dir())

    def cascade_offer(self, master: int, target: Status) -> list[int]:
        """The open children a cascade of ``target`` on ``master`` would move."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import cascade_offer

        return cascade_offer(self.db, master, target)

    def history(self, number: int) -> list[EventRow]:
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import ticket_history

        return ticket_history(self.db, number)

    def first_board(self, f: TicketFilter, order: SortKey) -> list[ColumnData] | None:
        """The board :meth:`read_first` has read by now for ``f`` in ``order``, if it
        has (taken once)."""
        if self._first is None or not self._first.done.is_set() or f.text:
            return None
        return self._first.take_board(f, order)

    def first_views(self) -> list[View] | None:
        """The views :meth:`read_first` has read by now, if it has (taken once)."""
        if self._first is None or not self._first.done.is_set():
            return None
        return self._first.take_views()

    def views(self) -> list[View]:
        assert self.actor.technician_id is not None
        if self._first is not None and (views := self._first.take_views()) is not None:
            return views
        plain = self.plain()
        if plain is not None:
            from regentra_core import plain_saved_views

            try:
                with plain as desk:
                    return plain_saved_views(desk, self.actor.technician_id, self.username)
            except PlainUnavailable:
                pass
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import saved_views

        return saved_views(self.db, self.actor.technician_id, self.username)

    def marker(self) -> int:
        """The newest Event id; the first time, the one read before the first board
        (changes made while the app started are then newer than it)."""
        if self._first is not None and (marker := self._first.take_marker()) is not None:
            return marker
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import latest_event_id

        return latest_event_id(self.db)

    def changes(self, feed: ChangeFeed) -> set[int] | None:
        """What other processes changed since ``feed`` last looked (None: nothing)."""
        return feed.poll(self.db)

    def lease(self) -> LeaseView | None:
        """Who holds the worker lease now, by the database's clock."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import current_lease

        return current_lease(self.db)

    def link_candidates(self, master: TicketRow, limit: int = 200) -> list[TicketRow]:
        """Tickets that could become children of ``master``: the same client's open
        tickets that are neither masters nor linked already, newest first."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import list_tickets

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
        plain = self.plain()
        if plain is not None:
            from regentra_core import plain_technicians

            try:
                with plain as desk:
                    return plain_technicians(desk)
            except PlainUnavailable:
                pass
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import list_technicians

        return [t.username for t in list_technicians(self.db)]

    def clients(self) -> list[str]:
        plain = self.plain()
        if plain is not None:
            from regentra_core import plain_clients

            try:
                with plain as desk:
                    return plain_clients(desk)
            except PlainUnavailable:
                pass
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import list_clients

        return [c.name for c in list_clients(self.db)]

    def client_rows(self) -> list[ClientRow]:
        """Every client with its VIP flag, SLA policy, open tickets and domains."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import client_rows

        return client_rows(self.db)

    def sla_policies(self) -> list[str]:
        """The names of the SLA policies a client may be put on."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import sla_config

        return [p.name for p in sla_config(self.db).policies]

    def contacts(self) -> list[ContactRow]:
        """Every live contact."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import contact_rows

        return contact_rows(self.db)

    def rules(self) -> list[StoredRule]:
        """The automation rules, in the order they run."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import stored_rules

        return stored_rules(self.db)

    def dry_run(self, rule: str, ticket: int | None) -> DryRun:
        """What ``rule`` would do (on ``ticket``, or the open tickets), changing nothing."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import dry_run_rule

        return dry_run_rule(self.db, rule, ticket=ticket, now=self.now())

    def rule_log(self, rule: str | None, *, matched_only: bool, limit: int) -> list[RunRow]:
        """The automation runs, newest first."""
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import rule_log

        return rule_log(self.db, rule=rule, matched_only=matched_only, limit=limit)

    def report(self, kind: str, period: ReportPeriod) -> Report:
        self.open_write_path()  # before importing it: see the class docstring
        from regentra_core import build_report

        return build_report(self.db, kind, period, now=self.now())


def _plain_board(
    desk: PlainDesk,
    f: TicketFilter,
    statuses: list[Status],
    order: SortKey,
    now: datetime,
    since: datetime,
) -> list[ColumnData]:
    """:meth:`DeskSession.board` in plain SQL (the first board, before the ORM)."""
    from regentra_core import (
        plain_count_by_status,
        plain_first_pages_by_status,
        plain_sla_book,
    )

    book = plain_sla_book(desk)
    counts = plain_count_by_status(desk, f, now=now, book=book, done_since=since)
    pages = plain_first_pages_by_status(
        desk, f, BOARD_PAGE, now=now, book=book, done_since=since, sort=order
    )
    return [ColumnData(status, counts[status], pages[status]) for status in statuses]


def desk_url(target: str) -> str:
    """``target`` (a URL or a SQLite file's path) as the URL the ORM opens it by
    (``store.engine.normalise_url``), without importing it."""
    if "://" in target:
        return target
    return f"sqlite:///{Path(target).expanduser().resolve()}"


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
