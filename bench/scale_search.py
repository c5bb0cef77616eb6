"""Search on the seeded desk as the app asks it, beside SQLite FTS5 (issue #30).

In process, on the desk's own index, for a rare word, a common word, two words and a
prefix, each beside SQLite FTS5 over the same text (built once into the cache):

- the board's ask: every matching ticket's number, unscored (``matching``); FTS5:
  every matching rowid. First after the engine opened and read its columns ahead, as
  the app does (``cold``), then again on the same segments (``warm``: what the
  board's reload after each desk change pays while the search stays typed);
- the list's ask: the best 500 ranked with snippets, and every match's number when
  there are more (``DeskSession.resolve(rank=True)``); FTS5: the best 500 by rank
  with a snippet, and every rowid.

And in the app, in tmux: a common word (in 10,000 tickets or more) typed into the
board's search box in one burst, each time another word (so no answer is
remembered), until the Open column says the right count, worked out beforehand
from the index and the database.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from .desk import RARE_WORD, index_of

RANKED = 500
ASKS = {
    "rare word": RARE_WORD,
    "common word": "printer",
    "two words": "printer toner",
    "prefix": "tone*",
}


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = call()
    return time.perf_counter() - start, out


def _report(label: str, ours: list[float], theirs: list[float]) -> None:
    o, t = statistics.median(ours) * 1000, statistics.median(theirs) * 1000
    print(
        f"scale: search, {label}: ours median {o:.1f} ms (max {max(ours) * 1000:.1f}), "
        f"SQLite FTS5 median {t:.1f} ms; {o / t:.1f}x",
        flush=True,
    )


def in_process(desk: Path, fts_path: Path, runs: int) -> None:
    from regentra_core.store import Database

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
        fts.execute(_BEST, (text, RANKED)).fetchall()
        fts_every()

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
    _report(f"{label} {text!r}, list's ask (best {RANKED} + every match)", listed, theirs_list)


def _list_ask(index: Any, text: str) -> None:
    hits = index.search(text, limit=RANKED, kind="ticket")
    if len(hits) >= RANKED or not hits.complete:
        index.matching(text)


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
