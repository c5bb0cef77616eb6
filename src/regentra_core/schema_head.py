"""The schema revision this code expects, importable without SQLAlchemy or Alembic.

``store.migrate`` upgrades a desk to it; ``plain_reads`` refuses a desk at any other
revision (the ORM path then upgrades it, or says why it cannot).
"""

from __future__ import annotations

HEAD = "0021"
"""The newest migration's revision (a test holds it to the scripts). Every command
opens the database and finds it at head: read with one query, that costs nothing,
while importing Alembic to ask cost a quarter of a second of every command's start.
Alembic is imported only when there is something to upgrade."""
