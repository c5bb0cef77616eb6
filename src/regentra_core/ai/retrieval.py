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
RELEVANT_SHARE = 0.4
"""Articles scoring under this share of the best one are left out."""


@dataclass(frozen=True, slots=True)
class Article:
    slug: str
    title: str
    body: str
    tags: str = ""


GENERIC = frozenset(
    "again alwai ani anyth can cannot dai do everi get hello help hi issu just know like "
    "look monday morn need new now pleas problem see still thank thing time todai tri "
    "us want week work".split()
)
"""Stemmed words every ticket and article use: they say nothing about the topic."""


def terms(text: str) -> list[str]:
    return [t for token in _WORDS(text) if (t := token.text) not in GENERIC]


def best_articles(query: str, articles: list[Article], limit: int = 3) -> list[Article]:
    """The articles that best match ``query``, best first; none that share no word."""
    wanted = set(terms(query))
    if not wanted or not articles:
        return []
    heads = [set(terms(a.title)) | set(terms(a.tags)) for a in articles]
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
        shared = wanted & doc.keys()
        # One word in passing is chance: two shared words, or one in the title or tags.
        if score > 0 and (len(shared) >= 2 or shared & heads[n]):
            scored.append((score, n))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    # An article sharing a common word or two with a ticket only misleads a draft.
    best = scored[0][0] if scored else 0.0
    return [articles[n] for score, n in scored[:limit] if score >= best * RELEVANT_SHARE]
