"""PostgreSQL's own full-text search: one row per searchable document.

For ``search_engine = "postgresql"``: every host then answers a search from the one
database instead of from an index folder of its own. ``search_document`` holds what
the Whoosh index holds (capped text for snippets, the fields searched by filter) and
a weighted ``tsvector`` (subject A, description and replies B, notes C) under a GIN
index; ``search_state`` says which build of it is complete. SQLite desks search
with Whoosh and get none of this.

The words are analysed by ``regentra_english``: PostgreSQL's English stemming
without its stop-word list, which is three times Whoosh's and holds words people
search in phrases ("after", "down", "off"); the query side drops Whoosh's stop words
from single words, so both engines ignore the same ones.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 02:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TEXT SEARCH DICTIONARY regentra_stem (TEMPLATE = snowball, LANGUAGE = english)"
    )
    op.execute("CREATE TEXT SEARCH CONFIGURATION regentra_english (COPY = pg_catalog.english)")
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION regentra_english ALTER MAPPING FOR "
        "asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH regentra_stem"
    )
    op.execute(
        """
        CREATE TABLE search_document (
            doc_id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            number INTEGER,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            notes TEXT NOT NULL,
            status TEXT,
            priority TEXT,
            client TEXT,
            assignee TEXT,
            updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
            words TSVECTOR NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX ix_search_document_words ON search_document USING GIN (words)")
    op.execute(
        "CREATE TABLE search_state (id INTEGER PRIMARY KEY CHECK (id = 1), version TEXT NOT NULL)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE search_state")
    op.execute("DROP TABLE search_document")
    op.execute("DROP TEXT SEARCH CONFIGURATION regentra_english")
    op.execute("DROP TEXT SEARCH DICTIONARY regentra_stem")
