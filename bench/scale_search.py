"""Search on the seeded desk as the app asks it, beside SQLite FTS5 (issue #30).

In process, on the desk's own index, for a rare word, a common word, two words and a
prefix, each beside SQLite FTS5 over the same text (built once into the cache):

- the board's ask: every matching ticket's number, unscored (``matching``); FTS5:
  every matching rowid. First after the engine opened and read its columns ahead, as
  the app does (``cold``), then again on the same segments (``warm``: what the
  board's reload after each desk change pays while the search stays typed);
- the list's ask, as ``DeskSession.resolve(rank=True)`` asks it: every match's
  number, and the best 500 ranked with snippets only when there are at most
  ``RANK_UP_TO`` matches (the list shows more in its own order, unranked); FTS5: every
  rowid, and the best 500 by rank with a snippet under the same condition.

And the board's whole load with a common word typed, in process (``board_load``):
what ``DeskSession.board`` does (every match, the counts per column, each column's
first page), a fresh word each time and on a freshly opened engine (nothing
remembered), beside the board's load without a search and FTS5's every rowid.

And in the app, in tmux: a common word (in 10,000 tickets or more) typed into the
board's search box in one burst, each time another word (so no answer is
remembered), until the Open column says the right count, worked out beforehand
from the index and the database.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from .desk import RARE_WORD, index_of

RANKED = 500
RANK_UP_TO = 5_000
"""As ``regentra_tui.session.RANK_UP_TO`` (a test holds them equal)."""
ASKS = {
    "rare word": RARE_WORD,
    "common word": "printer",
    "two words": "printer toner",
    "prefix": "tone*",
}
TYPED = (
    "printer toner scanner outlook mailbox password reset vpn gateway tunnel laptop "
    "monitor keyboard mouse dock firmware"
).split()
"""Common words typed into the board (as the app asks them: a prefix each)."""


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = call()
    return time.perf_counter() - start, out


def _ms(samples: list[float]) -> str:
    """Median and p95 in milliseconds."""
    p95 = statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]
    return f"median {statistics.median(samples) * 1000:.1f} ms (p95 {p95 * 1000:.1f})"


def _report(label: str, ours: list[float], theirs: list[float]) -> None:
    o, t = statistics.median(ours), statistics.median(theirs)
    print(
        f"scale: search, {label}: ours {_ms(ours)}, SQLite FTS5 {_ms(theirs)}; {o / t:.1f}x",
        flush=True,
    )


def in_process(desk: Path, fts_path: Path, runs: int) -> None:
    from regentra_core.store import Database

    print(f"scale: search, load {os.getloadavg()[0]:.2f}", flush=True)
    db = Database(str(desk))
    fts = sqlite3.connect(fts_path)
    try:
        for label, text in ASKS.items():
            _ask(label, text, desk, db, fts, runs)
    finally:
        fts.close()
        db.close()


_EVERY = "SELECT rowid FROM docs WHERE docs MATCH ?"
_BEST = (
    "SELECT rowid, snippet(docs, 1, '[', ']', '…', 12) FROM docs "
    "WHERE docs MATCH ? ORDER BY rank LIMIT ?"
)


def _ask(label: str, text: str, desk: Path, db: Any, fts: sqlite3.Connection, runs: int) -> None:
    from regentra_core.search import SearchIndex

    def fts_every() -> list[Any]:
        return fts.execute(_EVERY, (text,)).fetchall()

    def fts_list() -> None:
        if len(fts_every()) <= RANK_UP_TO:
            fts.execute(_BEST, (text, RANKED)).fetchall()

    cold, warm, listed, theirs_all, theirs_list = [], [], [], [], []
    found: Any = None
    rows: list[Any] = []
    for _ in range(runs):
        index = SearchIndex(index_of(desk), db)
        index.warm()
        took, found = _timed(partial(index.matching, text))
        cold.append(took)
        warm.append(_timed(partial(index.matching, text))[0])
        index.close()
        index = SearchIndex(index_of(desk), db)
        index.warm()
        listed.append(_timed(partial(_list_ask, index, text))[0])
        index.close()
        took, rows = _timed(fts_every)
        theirs_all.append(took)
        theirs_list.append(_timed(fts_list)[0])
    if not found.numbers or not rows:
        raise RuntimeError(f"{text!r}: ours {len(found.numbers)}, fts5 {len(rows)}")
    n = len(found.numbers)
    _report(f"{label} {text!r} ({n:,} tickets), board's ask, cold", cold, theirs_all)
    _report(f"{label} {text!r}, board's ask, warm", warm, theirs_all)
    ranked = f"best {RANKED} if at most {RANK_UP_TO:,}"
    _report(f"{label} {text!r}, list's ask (every match, {ranked})", listed, theirs_list)


def _list_ask(index: Any, text: str) -> None:
    """As ``DeskSession.resolve(rank=True)``: every match, ranked only if few."""
    if len(index.matching(text).numbers) <= RANK_UP_TO:
        index.search(text, limit=RANKED, kind="ticket")


def _fetch_all(con: sqlite3.Connection, sql: str, values: tuple[Any, ...]) -> list[Any]:
    return con.execute(sql, values).fetchall()


def board_load(desk: Path, fts_path: Path, runs: int) -> None:
    """The board's load with a common word typed (``DeskSession.board``), each word
    once a run on a freshly opened engine, beside the board without a search and
    FTS5's every rowid of the same prefix; wall and CPU time."""
    from regentra_core import Status, TicketFilter
    from regentra_core.search import SearchIndex
    from regentra_core.store import Database
    from regentra_tui.session import DeskSession

    print(f"scale: search, board load, load {os.getloadavg()[0]:.2f}", flush=True)
    db = Database(str(desk))
    fts = sqlite3.connect(fts_path)
    session = DeskSession(db, None, index=None)  # type: ignore[arg-type]
    statuses = list(Status)
    session.board(TicketFilter(), statuses)
    wall, cpu, plain, theirs, alone = [], [], [], [], []
    try:
        for _ in range(runs):
            for word in TYPED:
                session.index = None
                plain.append(_timed(partial(session.board, TicketFilter(), statuses))[0])
                index = SearchIndex(index_of(desk), db)
                index.warm()
                alone.append(_timed(partial(index.matching, word + "*"))[0])
                index.close()
                session.index = index = SearchIndex(index_of(desk), db)
                index.warm()
                started = time.process_time()
                wall.append(_timed(partial(session.board, TicketFilter(text=word), statuses))[0])
                cpu.append(time.process_time() - started)
                index.close()
                every = partial(_fetch_all, fts, _EVERY, (word + "*",))
                theirs.append(_timed(every)[0])
    finally:
        fts.close()
        db.close()
    words = f"{len(TYPED)} common words x {runs}"
    print(
        f"scale: search, board load with a common word typed ({words}): {_ms(wall)}, "
        f"CPU {_ms(cpu)}; of it every match alone {_ms(alone)}; the board without a "
        f"search {_ms(plain)}; SQLite FTS5 every rowid {_ms(theirs)}",
        flush=True,
    )


def open_counts(desk: Path, wanted: int = 5) -> dict[str, str]:
    """Common words, each with its Open count as the board must show it once the word
    is typed (as a prefix): counts that differ from each other and from the column's
    count without a search, so the screen cannot show a word's count early."""
    from regentra_core.search import SearchIndex
    from regentra_core.store import Database

    from .desk import _WORDS

    db = Database(str(desk))
    index = SearchIndex(index_of(desk), db)
    counts: dict[str, str] = {}
    with sqlite3.connect(desk) as con:
        (everyone,) = con.execute("SELECT count(*) FROM ticket WHERE status = 'open'").fetchone()
        seen = {everyone}
        for word in _WORDS[:40]:
            numbers = sorted(index.matching(word + "*").numbers)
            if len(numbers) < 10_000:
                continue  # not a common word
            (n,) = con.execute(
                "SELECT count(*) FROM ticket WHERE status = 'open' AND number IN "
                "(SELECT value FROM json_each(?))",
                (str(numbers),),
            ).fetchone()
            if n not in seen:
                seen.add(n)
                counts[word] = f"{n:,}"
            if len(counts) == wanted:
                break
    index.close()
    db.close()
    return counts


def typed_into_the_board(
    pane: Any, counts: dict[str, str], count_of: Callable[[str], Any]
) -> list[float]:
    """Seconds from a word sent in one burst into the search box until the Open
    column shows its right count."""
    samples = []
    for word, want in counts.items():
        pane.keys("/")
        time.sleep(0.3)
        pane.keys("C-u")
        time.sleep(0.5)
        pane.start = time.perf_counter()
        pane.keys("-l", word)
        samples.append(pane.wait_for(lambda t, w=want: count_of(t) == w))
        time.sleep(0.3)
    pane.keys("C-u")
    pane.keys("Escape")
    return samples
