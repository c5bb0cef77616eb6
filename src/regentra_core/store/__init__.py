"""Persistence: the engine factory and schema migrations; the tables are in ``.models``.

The package root names only what opens and upgrades a database. It listed some of
the tables too, a partial second index of ``models`` that nothing in ``src`` used:
code and tests import a table from where it is defined.
"""

from .engine import Database, normalise_url
from .migrate import upgrade

__all__ = ["Database", "normalise_url", "upgrade"]
