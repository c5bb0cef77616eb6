"""Which KB articles fit a ticket: stemmed words weighted by rarity (BM25).

The knowledge base is small (tens to hundreds of articles) and read whole for each
draft, so ranking here needs no index and works in a fresh CLI as in the daemon.
The analyzer is the search index's own, so "printers" finds "printer".
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from ..search.words import Words

_WORDS = Words()
K1 = 1.2
B = 0.75
TITLE_WEIGHT = 3


@dataclass(frozen=True, slots=True)
class Article:
    slug: str
    title: str
    body: str
    tags: str = ""


def terms(text: str) -> list[str]:
    return [token.text for token in _WORDS(text)]


def best_articles(query: str, articles: list[Article], limit: int = 3) -> list[Article]:
    """The articles that best match ``query``, best first; none that share no word."""
    wanted = set(terms(query))
    if not wanted or not articles:
        return []
    docs = [
        Counter(terms(a.title) * TITLE_WEIGHT + terms(a.tags) * TITLE_WEIGHT + terms(a.body))
        for a in articles
    ]
    average = sum(sum(d.values()) for d in docs) / len(docs) or 1.0
    df = Counter(term for d in docs for term in set(d) if term in wanted)
    scored: list[tuple[float, int]] = []
    for n, doc in enumerate(docs):
        length = sum(doc.values())
        score = 0.0
        for term in wanted & doc.keys():
            idf = math.log(1 + (len(docs) - df[term] + 0.5) / (df[term] + 0.5))
            tf = doc[term]
            score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
        if score > 0:
            scored.append((score, n))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [articles[n] for _, n in scored[:limit]]
