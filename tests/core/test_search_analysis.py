"""The indexer's speed-ups change nothing found: the fused analyzer yields Whoosh's
stemming analyzer's tokens, and the segment writer writes what Whoosh's writes."""

from __future__ import annotations

import random
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.qparser import MultifieldParser

from regentra_core.search.engine import schema
from regentra_core.search.words import Words, stem_word
from regentra_core.search.writer import SegmentWriter

TEXTS = [
    "",
    "a",
    "The printer on the 3rd floor is offline AGAIN, and the VPN drops every 5 minutes.",
    "Re: Re: [#1007] can't log in -- password reset e-mail never arrived",
    "x y z ab of to is it's don't 192.168.0.1 user@example.com C++ foo.bar.baz",
    "Überweisung fehlgeschlagen: Konto gesperrt? naïve café résumé",
    "wild*card pre* *post running runs runner ran",
    "   leading and trailing spaces   ",
]


def _random_texts(count: int) -> list[str]:
    rnd = random.Random(7)
    pieces = [
        "the",
        "a",
        "of",
        "printing",
        "printers",
        "VPN",
        "Mailbox",
        "it",
        "42",
        "x",
        "e-mail",
        "don't",
        "über",
        "...",
        "\n",
        "  ",
        "Outlook",
        "connection",
        "be",
    ]
    return [" ".join(rnd.choices(pieces, k=rnd.randint(0, 40))) for _ in range(count)]


OPTIONS: list[dict[str, Any]] = [
    {},
    {"positions": True},
    {"positions": True, "chars": True},
    {"positions": True, "chars": True, "removestops": False},
    {"chars": True, "keeporiginal": True, "start_pos": 3, "start_char": 10},
    {"mode": "query"},
    {"mode": "query", "tokenize": False},
    {"tokenize": False, "positions": True, "chars": True, "start_char": 4},
    {"no_morph": True},
    {"no_morph": True, "removestops": False, "positions": True},
]

FIELDS = ("text", "pos", "startchar", "endchar", "stopped", "boost", "original")


def _tokens(analyzer: Any, text: str, options: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        tuple(getattr(token, name, None) for name in FIELDS) for token in analyzer(text, **options)
    ]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "defaults")
def test_words_yields_the_stemming_analyzers_tokens(options: dict[str, Any]) -> None:
    chain = StemmingAnalyzer(stemfn=stem_word, cachesize=None)
    for text in TEXTS + _random_texts(200):
        assert _tokens(Words(), text, options) == _tokens(chain, text, options), text


def test_words_is_equal_to_itself_only_so_a_pickled_schema_compares_equal() -> None:
    assert Words() == Words()
    assert Words() != StemmingAnalyzer()
    assert Words().has_morph()


def _ranked(path: Any, make_writer: Any) -> dict[str, list[tuple[str, float]]]:
    ix = whoosh_index.create_in(str(path), schema())
    texts = TEXTS + _random_texts(60)
    for start in range(0, len(texts), 4):  # small commits: Whoosh merges their segments
        writer = make_writer(ix)
        for n, text in enumerate(texts[start : start + 4], start):
            writer.update_document(doc_id=f"t{n}", kind="ticket", title=text[:40], body=text)
        writer.commit()
    parser = MultifieldParser(["title", "body"], ix.schema)
    found = {}
    with ix.searcher() as searcher:
        for query in ("printer", "printing vpn", '"vpn drops"', "mail*", "outlook OR über"):
            hits = searcher.search(parser.parse(query), limit=None)
            found[query] = [(hit["doc_id"], round(hit.score, 6)) for hit in hits]
    ix.close()
    return found


def test_segment_writer_ranks_every_query_as_whooshs_own_writer(tmp_path: Any) -> None:
    (tmp_path / "ours").mkdir()
    (tmp_path / "whoosh").mkdir()
    ours = _ranked(tmp_path / "ours", SegmentWriter)
    theirs = _ranked(tmp_path / "whoosh", lambda ix: ix.writer())
    assert ours == theirs
    assert all(ours.values())  # each query found something: the comparison means something
