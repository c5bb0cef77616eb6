"""What every command shares: settings, the database, and the acting Desk.

The database is opened (and migrated to head) only when a command first needs it,
so ``regentra --help`` stays instant and never touches a file; the core's heavy
parts (SQLAlchemy, the models, the Desk, Whoosh) are imported then too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from regentra_core import Actor, Database, Desk, SearchEngine, Settings, Wiring


@dataclass
class CliContext:
    """Per-invocation state, stored as ``ctx.obj``."""

    db_option: str | None = None
    identity_required: bool = True
    """Ticket data is for registered technicians only; set-up commands opt out."""
    may_create: bool = False
    """Only ``init`` and ``demo`` create a desk; every other command needs one."""
    _settings: Settings | None = None
    _db: Database | None = field(default=None, repr=False)
    _actor: Actor | None = None
    _index: SearchEngine | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from regentra_core import load_settings

            self._settings = load_settings()
        return self._settings

    def database_target(self) -> str:
        return self.db_option or self.settings.database_target()

    def plain_target(self) -> str:
        """The desk ``database_target`` names, found without building ``Settings``
        (pydantic is half of a plain read's start): ``--db``, else what
        ``light_database_target`` reads; PlainUnavailable where it is not sure, and
        the caller takes the ORM path, which builds ``Settings``."""
        if self.db_option:
            return self.db_option
        if self._settings is not None:
            return self._settings.database_target()
        from regentra_core import light_database_target

        return light_database_target()

    @property
    def db(self) -> Database:
        from regentra_core import resolve_os_technician

        if self._db is None:
            from regentra_core import open_database

            self._db = open_database(self.settings, self.database_target(), create=self.may_create)
        if self.identity_required and self._actor is None:
            self._actor = resolve_os_technician(self._db)
        return self._db

    def desk(self) -> Desk:
        """A Desk acting as this process's OS account."""
        from regentra_core import Desk, resolve_os_technician

        db = self.db
        if self._actor is None:
            self._actor = resolve_os_technician(db)
        return Desk(db, self._actor, source="cli", config=self.settings.desk_config())

    def search_index(self) -> SearchEngine:
        """The search index of this database (the worker rebuilds it if missing)."""
        if self._index is None:
            from regentra_core import open_index

            self._index = open_index(self.settings, self.db)
        return self._index

    def wiring(self) -> Wiring:
        """Database, index and jobs, as the composition root builds them."""
        from regentra_core import Wiring

        return Wiring(self.settings, self.db, self.search_index())

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
        if self._db is not None:
            self._db.close()


pass_cli = click.make_pass_decorator(CliContext)
