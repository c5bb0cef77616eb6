"""Search over 100k tickets / 1M replies: Whoosh (ours) beside SQLite FTS5, one run.

Generates a seeded desk straight into SQLite (bulk inserts: this measures search,
not ticket creation), then for each engine reports build time, index size and
query latency p50/p95 for one- and two-word queries (top 20, with snippets).
Target: Whoosh p95 under 50 ms. Size with ``BENCH_TICKETS`` / ``BENCH_REPLIES``.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from regentra_core.enums import Channel, Priority, Status
from regentra_core.search import SearchIndex
from regentra_core.store import Database, upgrade
from regentra_core.store.models import Reply, Ticket

TICKETS = int(os.environ.get("BENCH_TICKETS", "100000"))
REPLIES = int(os.environ.get("BENCH_REPLIES", "1000000"))
QUERIES = 200
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)

IT_WORDS = (
    "printer toner scanner outlook mailbox password reset vpn gateway tunnel laptop "
    "monitor keyboard mouse dock firmware driver update reboot crash freeze slow disk "
    "backup restore server share folder permission license office teams calendar "
    "invite meeting phone voicemail wifi network switch router firewall certificate "
    "domain dns email bounce spam phishing virus malware ransomware account locked "
    "login mfa token sync onedrive sharepoint excel word pdf invoice payroll quickbooks"
).split()


def _vocabulary(rng: random.Random) -> list[str]:
    syllables = ["ka", "lo", "mi", "ra", "te", "su", "no", "vi", "de", "pa", "xo", "ze"]
    made = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(6000)}
    return IT_WORDS + sorted(made)


def _text(rng: random.Random, vocab: list[str], n: int) -> str:
    # Zipf-like: common words often, rare words rarely, as in real mail.
    return " ".join(vocab[min(int(rng.paretovariate(1.1)) - 1, len(vocab) - 1)] for _ in range(n))


def build_desk(path: Path) -> tuple[Database, list[str]]:
    rng = random.Random(20261125)
    vocab = _vocabulary(rng)
    db = Database(str(path))
    upgrade(db)
    tickets = []
    for i in range(TICKETS):
        created = NOW - timedelta(minutes=rng.randint(1, 60 * 24 * 365))
        tickets.append(
            {
                "number": 1001 + i,
                "subject": _text(rng, vocab, 6),
                "description": _text(rng, vocab, 30),
                "status": rng.choice(list(Status)).value,
                "priority": rng.choice(list(Priority)).value,
                "channel": Channel.EMAIL.value,
                "is_master": False,
                "version": 1,
                "created_at": created,
                "updated_at": created,
                "sla_pauses": "[]",
                "response_breached": False,
                "resolution_breached": False,
            }
        )
    with db.write() as s:
        s.execute(insert(Ticket.__table__), tickets)  # type: ignore[attr-defined]
    batch = []
    for _ in range(REPLIES):
        batch.append(
            {
                "ticket_id": rng.randint(1, TICKETS),
                "author_kind": "customer",
                "author_name": "bench",
                "body": _text(rng, vocab, 12),
                "channel": Channel.EMAIL.value,
                "created_at": NOW,
            }
        )
        if len(batch) == 50_000:
            with db.write() as s:
                s.execute(insert(Reply.__table__), batch)  # type: ignore[attr-defined]
            batch = []
    if batch:
        with db.write() as s:
            s.execute(insert(Reply.__table__), batch)  # type: ignore[attr-defined]
    return db, vocab


def build_fts5(desk: Path, target: Path) -> None:
    """SQLite FTS5 over a desk's text: a ticket's subject as its title, its
    description and replies as its body (porter tokenizer), the baseline of search."""
    fts = sqlite3.connect(target)
    fts.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='porter')")
    source = sqlite3.connect(desk)
    bodies: dict[int, list[str]] = {}
    for ticket_id, body in source.execute("SELECT ticket_id, body FROM reply"):
        bodies.setdefault(ticket_id, []).append(body)
    rows = (
        (tid, subject, "\n\n".join([description, *bodies.get(tid, [])]))
        for tid, subject, description in source.execute(
            "SELECT id, subject, description FROM ticket"
        )
    )
    fts.executemany("INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)", rows)
    fts.commit()
    fts.close()
    source.close()


def _queries(vocab: list[str]) -> tuple[list[str], list[str]]:
    rng = random.Random(7)
    pool = vocab[:400]  # words that occur, from very common to fairly rare
    one = [rng.choice(pool) for _ in range(QUERIES)]
    two = [f"{rng.choice(pool)} {rng.choice(pool)}" for _ in range(QUERIES)]
    return one, two


def _percentiles(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=100)
    return f"p50 {statistics.median(samples) * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms"


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        db, vocab = build_desk(Path(tmp) / "bench.db")
        print(
            f"generated {TICKETS:,} tickets and {REPLIES:,} replies in "
            f"{time.perf_counter() - t0:.0f} s"
        )
        one, two = _queries(vocab)

        index = SearchIndex(Path(tmp) / "whoosh", db)
        t0 = time.perf_counter()
        index.rebuild()
        whoosh_build = time.perf_counter() - t0
        print(f"whoosh: build {whoosh_build:.0f} s, size {_size(index.path) / 1e6:.0f} MB")
        index.search("warmup")
        for label, queries in (("one word", one), ("two words", two)):
            samples = []
            for q in queries:
                start = time.perf_counter()
                index.search(q, limit=20)
                samples.append(time.perf_counter() - start)
            print(f"whoosh {label}: {_percentiles(samples)}")

        fts_path = Path(tmp) / "fts.db"
        t0 = time.perf_counter()
        build_fts5(Path(tmp) / "bench.db", fts_path)
        fts_build = time.perf_counter() - t0
        fts = sqlite3.connect(fts_path)
        print(f"fts5: build {fts_build:.0f} s, size {fts_path.stat().st_size / 1e6:.0f} MB")
        for label, queries in (("one word", one), ("two words", two)):
            samples = []
            for q in queries:
                start = time.perf_counter()
                fts.execute(
                    "SELECT rowid, snippet(docs, 1, '[', ']', '…', 12) FROM docs "
                    "WHERE docs MATCH ? ORDER BY rank LIMIT 20",
                    (q,),
                ).fetchall()
                samples.append(time.perf_counter() - start)
            print(f"fts5 {label}: {_percentiles(samples)}")
        print(f"build ratio whoosh/fts5: {whoosh_build / fts_build:.1f}x")
        fts.close()
        db.close()
