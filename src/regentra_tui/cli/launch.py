"""Opening the terminal app; imported only when the app is started.

The first board is painted from plain SQL (``plain_reads``): the account is checked
to be an active technician there, before anything is drawn, and SQLAlchemy, the
models, the Desk and the search index are opened behind the first paint
(``DeskSession.open_write_path``). When the plain reader cannot answer (no readable
desk, an old schema, an unknown account), the ORM path opens the desk first, as
every command does: it upgrades the desk, or refuses in one line.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .context import CliContext

if TYPE_CHECKING:
    from regentra_core import Actor, Database, SearchEngine, Settings, WorkerRunner


def launch_app(state: CliContext) -> None:
    """Start the TUI on ``state``'s database as this process's technician."""
    from ..session import DeskSession

    def write_path() -> tuple[Database, SearchEngine | None, Settings]:
        from regentra_core import configure_worker_logging

        wiring = state.wiring()
        configure_worker_logging(wiring.settings.data_dir, also_stderr=False)
        return wiring.db, wiring.index, wiring.settings

    target = _named_target(state)
    actor = _plain_actor(target or state.database_target())
    if actor is None:
        desk = state.desk()  # refuses unknown accounts before drawing anything
        actor = desk.actor
        db, index, settings = write_path()
        session = DeskSession(db, actor, index=index, settings=settings)
    else:
        # The settings (pydantic) are read with the write path, unless the desk had
        # to be found through them.
        session = DeskSession(
            None,
            actor,
            settings=None if target else state.settings,
            write_path=write_path,
            target=target or state.database_target(),
        )
        session.read_first()  # the views and the first board, while the app starts
    from ..app import RegentraApp  # Textual: imported while the first reads run

    # Standby unless no worker holds the lease: then this app runs the timers and
    # the index itself, never the jobs that need channel secrets.
    def worker() -> WorkerRunner:
        return state.wiring().runner(label=f"tui-{session.actor.name}", with_secrets=False)

    ready = session.ready
    RegentraApp(
        session,
        worker=worker,
        mail_configured=session.settings.smtp_configured if ready else None,
        sms_configured=session.settings.sms_configured if ready else None,
        settle=True,
    ).run()


def _named_target(state: CliContext) -> str | None:
    """The desk ``--db`` or ``REGENTRA_DATABASE_URL`` names, which no config file
    overrides (the settings put the environment before the files): known without
    reading the settings. None when they must be read to find it."""
    if state.db_option:
        return state.db_option
    named = [v for k, v in os.environ.items() if k.upper() == "REGENTRA_DATABASE_URL"]
    return named[0] if len(named) == 1 and named[0] else None


def _plain_actor(target: str) -> Actor | None:
    """This account as the active technician it is on the desk at ``target``, read in
    plain SQL; None when the plain reader cannot tell (the ORM path then does)."""
    from regentra_core import PlainUnavailable, open_plain, os_username, plain_actor

    try:
        with open_plain(target) as desk:
            return plain_actor(desk, os_username())
    except PlainUnavailable:
        return None
