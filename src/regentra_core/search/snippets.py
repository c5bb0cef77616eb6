"""Snippets of a hit's text around the words that matched, found in one scan.

Whoosh's highlighter runs the whole analyzer over every stored field of every hit
to find the matching words, token object by token object: on a desk with long
threads that was nine tenths of a search (57 of 62 ms for 20 hits on the 100k desk).
Here a regular expression finds the words that could match, and only those are
stemmed; the windows are then cut as Whoosh's context fragmenter
cuts them: up to ``MAX_CHARS`` characters, ``SURROUND`` around each match, the
``TOP`` windows with the most matches, in text order.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection

from whoosh.analysis import STOP_WORDS
from whoosh.analysis.tokenizers import default_pattern

from .words import MIN_SIZE, stem_word

MAX_CHARS = 160
SURROUND = 40
TOP = 2
BETWEEN = " … "
_START, _END = "\ue000", "\ue001"
"""Private-use marks around matched words (never typed by people)."""


def matches(
    text: str, stems: Collection[str], prefixes: Collection[str] = ()
) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` whose stem is one of ``stems``, or
    that begin with one of ``prefixes`` (lower case)."""
    if not stems and not prefixes:
        return []
    found = []
    for candidate in _heads(frozenset(stems), frozenset(prefixes)).finditer(text):
        word = default_pattern.match(text, candidate.start())
        if word is None:
            continue
        lowered = word.group(0).lower()
        if any(lowered.startswith(p) for p in prefixes) or (
            len(lowered) >= MIN_SIZE and lowered not in STOP_WORDS and stem_word(lowered) in stems
        ):
            found.append(word.span())
    return found


@functools.lru_cache(maxsize=64)
def _heads(stems: frozenset[str], prefixes: frozenset[str] = frozenset()) -> re.Pattern[str]:
    """Where a word could stem to one of ``stems``: it begins with the stem less its
    last two letters (Porter stemming rewrites at most a word's end, as in ``happy``
    -> ``happi``), found by the regular-expression engine rather than word by word
    in Python; each candidate is then stemmed to be sure."""
    heads = {stem[: max(len(stem) - 2, 1)] for stem in stems if stem} | {p for p in prefixes if p}
    ordered = sorted(heads, key=len)
    return re.compile(
        r"(?<![\w.])(?:" + "|".join(re.escape(h) for h in reversed(ordered)) + ")", re.IGNORECASE
    )


def marked(
    text: str, stems: Collection[str], start: str, end: str, prefixes: Collection[str] = ()
) -> str | None:
    """The best windows of ``text``, each matching word between ``start`` and
    ``end``, windows joined by ``BETWEEN``; None when no word matches."""
    spans = matches(text, stems, prefixes)
    if not spans:
        return None
    windows: list[list[tuple[int, int]]] = []
    for span in spans:
        window = windows[-1] if windows else None
        if window is not None and span[1] - window[0][0] + 2 * SURROUND <= MAX_CHARS:
            window.append(span)
        else:
            windows.append([span])
    best = sorted(windows, key=lambda w: (-len(w), w[0][0]))[:TOP]
    best.sort(key=lambda w: w[0][0])
    return BETWEEN.join(_cut(text, window, start, end) for window in best)


def _cut(text: str, window: list[tuple[int, int]], start: str, end: str) -> str:
    left = _word_start(text, max(window[0][0] - SURROUND, 0))
    right = _word_end(text, min(window[-1][1] + SURROUND, len(text)))
    pieces = []
    at = left
    for s, e in window:
        pieces += [text[at:s], start, text[s:e], end]
        at = e
    pieces.append(text[at:right])
    return "".join(pieces).strip()


def _word_start(text: str, at: int) -> int:
    """``at``, moved forward past a word cut in two (a window starts at a word)."""
    if at == 0 or not text[at - 1].isalnum():
        return at
    while at < len(text) and text[at].isalnum():
        at += 1
    return at


def _word_end(text: str, at: int) -> int:
    """``at``, moved back before a word cut in two."""
    if at == len(text) or not text[at].isalnum():
        return at
    while at > 0 and text[at - 1].isalnum():
        at -= 1
    return at


def pieces(
    text: str, stems: Collection[str], prefixes: Collection[str] = ()
) -> tuple[tuple[str, bool], ...] | None:
    """The best windows of ``text`` as (text, is_match) pieces, for literal display."""
    found = marked(text, stems, _START, _END, prefixes)
    if found is None:
        return None
    parts: list[tuple[str, bool]] = []
    for part in re.split(f"({_START}.*?{_END})", found):
        if not part:
            continue
        if part.startswith(_START):
            parts.append((part[1:-1], True))
        else:
            parts.append((part.replace(_START, "").replace(_END, ""), False))
    return tuple(parts)
