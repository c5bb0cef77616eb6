"""The 100k desk on PostgreSQL beside the same desk on SQLite (issue #15).

The seeded desk (``bench/desk.py``) is copied into PostgreSQL with ``migrate-db``'s
copy (verified table by table) and both are measured in one process, interleaved,
medians of ``BENCH_RUNS`` (default 7): the board's query, the list in SLA order,
a priority filter, one ticket's full detail (the 500-reply one), a steady SLA
sweep; then ``regentra ticket show`` as a process on each; then search: PostgreSQL's
own full-text search (``search_engine = "postgresql"``) built over the copy, beside
the Whoosh index and SQLite FTS5 over the same text (the baseline), the same
queries taking turns, and the freshness path (a note written, then drained).

PostgreSQL: ``BENCH_POSTGRES`` names a server's ``postgres`` database to create
the copy in (else a throwaway cluster is started from Debian's binaries, as the
tests do); ``BENCH_POSTGRES_DESK`` names an already copied desk to skip the copy.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .desk import LONG_LAST_WORD, LONG_TICKET, RARE_WORD, copy_of_desk, index_of

RUNS = int(os.environ.get("BENCH_RUNS", "7"))


def _pg_desk(work: Path) -> tuple[str, Callable[[], None]]:
    given = os.environ.get("BENCH_POSTGRES_DESK")
    if given:
        return given, lambda: None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from regentra_core.store import Database
    from regentra_core.store.copy import copy_desk

    server = os.environ.get("BENCH_POSTGRES")
    stop: Callable[[], None] = lambda: None  # noqa: E731
    if not server:
        from tests.helpers import postgres

        folder, server = postgres.start()
        stop = lambda: postgres.stop(folder)  # noqa: E731
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS regentra_bench WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE regentra_bench"))
    url = make_url(server).set(database="regentra_bench").render_as_string(hide_password=False)
    start = time.perf_counter()
    source, target = Database(str(work / "desk.db")), Database(url)
    copy_desk(source, target)
    with target.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    source.close()
    target.close()
    print(f"postgres: copied the seeded desk in {time.perf_counter() - start:.0f} s")
    return url, stop


def _interleaved_ms(case: Callable[[object], object], desks: dict[str, object]) -> dict[str, float]:
    """Median milliseconds of ``case`` on each desk, the desks taking turns."""
    samples: dict[str, list[float]] = {name: [] for name in desks}
    for db in desks.values():
        case(db)  # warm
    for _ in range(RUNS):
        for name, db in desks.items():
            start = time.perf_counter()
            case(db)
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(v) * 1000 for name, v in samples.items()}


def run() -> None:
    from regentra_core import queries
    from regentra_core.desk import Desk
    from regentra_core.enums import Priority, Status
    from regentra_core.identity import Actor
    from regentra_core.queries import SortKey, TicketFilter
    from regentra_core.store import Database
    from regentra_core.views import OPEN_STATUSES
    from regentra_tui.session import DeskSession

    work = Path(tempfile.mkdtemp(prefix="regentra-bench-pg-"))
    copy_of_desk(work / "desk.db")
    url, stop = _pg_desk(work)
    try:
        desks = {"sqlite": Database(str(work / "desk.db")), "postgresql": Database(url)}
        working = TicketFilter(statuses=tuple(OPEN_STATUSES))
        critical = TicketFilter(priorities=(Priority.CRITICAL,))
        cases: dict[str, Callable[[Database], object]] = {
            "board (session.board, every column)": lambda db: DeskSession(db, None).board(  # type: ignore[arg-type]
                TicketFilter(), list(Status)
            ),
            "board, priority Critical": lambda db: DeskSession(db, None).board(  # type: ignore[arg-type]
                critical, list(Status)
            ),
            "list, all open, SLA order, first 100": lambda db: queries.list_tickets(
                db, working, sort=SortKey.SLA, limit=100
            ),
            "list, all open, by number, first 100 + count": lambda db: (
                queries.list_tickets(db, working, limit=100),
                queries.count_tickets(db, working),
            ),
            f"ticket #{LONG_TICKET} detail (500 replies)": lambda db: queries.ticket_detail(
                db, LONG_TICKET
            ),
            "steady SLA sweep": lambda db: Desk(
                db, Actor.system("bench"), source="bench"
            ).run_sla_sweep(),
        }
        for label, case in cases.items():
            figures = _interleaved_ms(case, desks)  # type: ignore[arg-type]
            ratio = figures["postgresql"] / figures["sqlite"]
            print(
                f"postgres: {label}: SQLite {figures['sqlite']:.1f} ms, "
                f"PostgreSQL {figures['postgresql']:.1f} ms ({ratio:.2f}x)",
                flush=True,
            )
        for db in desks.values():
            db.close()
        regentra = str(Path(sys.executable).with_name("regentra"))
        index = work / "index"
        shutil.copytree(index_of(work / "desk.db"), index)
        shows: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
        for _ in range(RUNS):
            for name, target in (("sqlite", str(work / "desk.db")), ("postgresql", url)):
                env = {
                    **os.environ,
                    "REGENTRA_DATABASE_URL": target,
                    "REGENTRA_INDEX_DIR": str(index),
                    "REGENTRA_DATA_DIR": str(work / "data"),
                    "REGENTRA_CONFIG": str(work / "none.toml"),
                    "REGENTRA_SITE_CONFIG": str(work / "none-site.toml"),
                }
                start = time.perf_counter()
                subprocess.run(
                    [regentra, "ticket", "show", str(LONG_TICKET)],
                    env=env,
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
                shows[name].append(time.perf_counter() - start)
        s, p = statistics.median(shows["sqlite"]), statistics.median(shows["postgresql"])
        print(
            f"postgres: regentra ticket show {LONG_TICKET}: SQLite {s:.2f} s, PostgreSQL {p:.2f} s"
        )
        _searches(work / "desk.db", url)
    finally:
        stop()
        shutil.rmtree(work, ignore_errors=True)


SEARCHES = {
    "a rare word (20 tickets)": (RARE_WORD, RARE_WORD),
    "the long thread's last word (1 ticket)": (LONG_LAST_WORD, LONG_LAST_WORD),
    "a common word (printer)": ("printer", "printer"),
    "two common words (toner reset)": ("toner reset", "toner reset"),
    "as you type (tone*, first 500 tickets)": ("tone*", "tone*"),
    "a word and a filter (toner status:open)": ("toner status:open", None),
}
"""Label: (our query, FTS5's or None where FTS5 has no such filter)."""


def _searches(desk: Path, url: str) -> None:
    import sqlite3

    from sqlalchemy import text

    from regentra_core.desk import Desk
    from regentra_core.search import PostgresSearch, SearchIndex
    from regentra_core.store import Database

    from .scale import _fts5_of

    sqlite_db, pg_db = Database(str(desk)), Database(url)
    postgres = PostgresSearch(pg_db)
    start = time.perf_counter()
    built = postgres.rebuild()
    took = time.perf_counter() - start
    with pg_db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(
            text("VACUUM ANALYZE search_document")
        )
        size = conn.execute(text("SELECT pg_total_relation_size('search_document')")).scalar()
    print(
        f"postgres: built PostgreSQL's search documents ({built:,}) in {took:.0f} s, "
        f"{int(size or 0) / 1e6:.0f} MB with its GIN index",
        flush=True,
    )
    whoosh = SearchIndex(index_of(desk), sqlite_db)
    fts = sqlite3.connect(_fts5_of(desk))

    def fts5(query: str, limit: int) -> list[object]:
        return fts.execute(
            "SELECT rowid, snippet(docs, 1, '[', ']', '…', 12) FROM docs "
            "WHERE docs MATCH ? ORDER BY rank LIMIT ?",
            (query, limit),
        ).fetchall()

    for label, (ours, theirs) in SEARCHES.items():
        limit = 500 if ours.endswith("*") else 20
        engines: dict[str, Callable[[], object]] = {
            "whoosh": lambda q=ours, n=limit: whoosh.search(q, limit=n, kind="ticket"),
            "postgresql": lambda q=ours, n=limit: postgres.search(q, limit=n, kind="ticket"),
        }
        if theirs is not None:
            engines["fts5"] = lambda q=theirs, n=limit: fts5(q, n)
        counts = {name: len(run()) for name, run in engines.items()}  # type: ignore[arg-type]
        figures = _interleaved_ms(lambda run: run(), engines)  # type: ignore[arg-type,return-value,operator]
        base = figures.get("fts5")
        line = ", ".join(
            f"{name} {ms:.1f} ms ({counts[name]} hits"
            + (f", {ms / base:.1f}x FTS5)" if base and name != "fts5" else ")")
            for name, ms in figures.items()
        )
        print(f"postgres: search, {label}: {line}", flush=True)
    # Freshness: a technician's note, then the drain that makes it searchable.
    drains: dict[str, list[float]] = {"whoosh": [], "postgresql": []}
    for n in range(RUNS):
        for name, db, engine in (
            ("whoosh", sqlite_db, whoosh),
            ("postgresql", pg_db, postgres),
        ):
            Desk.for_os_user(db, source="bench").add_note(LONG_TICKET, f"fresh{n} word")
            start = time.perf_counter()
            engine.drain()
            drains[name].append(time.perf_counter() - start)
            assert engine.search(f"fresh{n}"), name
    w, p = (statistics.median(drains[k]) * 1000 for k in ("whoosh", "postgresql"))
    print(
        f"postgres: drain of one noted ticket (#{LONG_TICKET}, 500 replies): "
        f"Whoosh {w:.0f} ms, PostgreSQL {p:.0f} ms",
        flush=True,
    )
    whoosh.close()
    fts.close()
    sqlite_db.close()
    pg_db.close()
