"""The analyzer of ticket text: Whoosh's stemming analyzer, fused into one pass.

Whoosh's ``StemmingAnalyzer`` is a tokenizer and three filters, four generators
handing one token along for every word; in the indexer that hand-off cost more
than the stemming itself. ``Words`` does the same steps in one loop and yields
exactly the tokens the chain yields (a test compares them on every option Whoosh
passes), so an index written by either is searched the same way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

from whoosh.analysis import STOP_WORDS, Token, Tokenizer
from whoosh.analysis.tokenizers import default_pattern
from whoosh.lang.porter import stem

MIN_SIZE = 2
"""Shorter words are stop words, as in Whoosh's ``StopFilter``."""

_WORD = re.compile(default_pattern.pattern.replace("(", "(?:"))
"""Whoosh's word pattern without its capturing group, so ``findall`` returns words."""


@functools.lru_cache(maxsize=100_000)
def stem_word(word: str) -> str:
    """Porter stemming behind the C LRU cache (Whoosh's own cache is Python, and its
    bookkeeping cost as much as the stemming it saved)."""
    return str(stem(word))


class Words(Tokenizer):  # type: ignore[misc]  # Whoosh is untyped
    """Words of at least two letters, lower case, stop words dropped, stemmed.

    Module level and without state beyond the class, so the schema Whoosh pickles
    into the index names it.
    """

    is_morph = True
    """It stems: Whoosh asks this before offering spelling suggestions."""

    def __eq__(self, other: object) -> bool:
        return other is not None and self.__class__ is other.__class__

    def __hash__(self) -> int:
        return hash(self.__class__)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        no_morph: bool = False,
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        step = _same if no_morph else stem_word
        if tokenize and positions and removestops and not chars and not keeporiginal:
            # What the indexer asks for, on every document: the words alone.
            yield from _indexed(token, _WORD.findall(value), step, start_pos)
            return
        if not tokenize:
            matches: Any = [(value, 0, len(value))]
        else:
            matches = ((m.group(0), m.start(), m.end()) for m in default_pattern.finditer(value))
        kept_pos: int | None = None
        for index, (text, start, end) in enumerate(matches):
            token.boost = 1.0
            if keeporiginal or not tokenize:
                token.original = text
            word = text.lower()
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            if len(word) < MIN_SIZE or word in STOP_WORDS:
                if removestops:
                    continue
                token.text, token.stopped = word, True
                if positions:
                    token.pos = start_pos + index
                yield token
                continue
            if positions:
                # Renumbered over the words kept, as StopFilter(renumber=True) does.
                kept_pos = start_pos + index if kept_pos is None else kept_pos + 1
                token.pos = kept_pos
            token.text, token.stopped = step(word), False
            yield token


def _same(word: str) -> str:
    return word


def _indexed(
    token: Token, words: list[str], step: Callable[[str], str], start_pos: int
) -> Iterator[Token]:
    """The common case in a tight loop: kept words, stemmed, numbered in turn."""
    stops = STOP_WORDS
    kept_pos: int | None = None
    token.boost, token.stopped = 1.0, False
    for index, text in enumerate(words):
        word = text.lower()
        if len(word) < MIN_SIZE or word in stops:
            continue
        kept_pos = start_pos + index if kept_pos is None else kept_pos + 1
        token.pos = kept_pos
        token.text = step(word)
        yield token
