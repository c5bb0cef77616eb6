"""Full-text search over tickets and KB articles (Whoosh), as derived data.

The index is rebuilt from the database whenever it is missing or damaged, and is
written by one process only (the worker draining the outbox). Readers anywhere
just open it. The engine sits behind :class:`SearchIndex`, so it can change.
"""

from .documents import SearchHit, SearchResults, Snippet
from .engine import SearchIndex, index_path_for

__all__ = ["SearchHit", "SearchIndex", "SearchResults", "Snippet", "index_path_for"]
