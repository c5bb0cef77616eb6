"""Opening the terminal app; imported only when the app is started."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .context import CliContext

if TYPE_CHECKING:
    from regentra_core import WorkerRunner


def launch_app(state: CliContext) -> None:
    """Start the TUI on ``state``'s database as this process's technician."""
    desk = state.desk()  # refuses unknown accounts before drawing anything
    from regentra_core import configure_worker_logging

    from ..app import RegentraApp
    from ..session import DeskSession

    wiring = state.wiring()
    configure_worker_logging(wiring.settings.data_dir, also_stderr=False)

    # Standby unless no worker holds the lease: then this app runs the timers and
    # the index itself, never the jobs that need channel secrets.
    def worker() -> WorkerRunner:
        return wiring.runner(label=f"tui-{desk.actor.name}", with_secrets=False)

    settings = wiring.settings
    session = DeskSession(desk.db, desk.actor, index=wiring.index, settings=settings)
    RegentraApp(
        session,
        worker=worker,
        mail_configured=settings.smtp_configured,
        sms_configured=settings.sms_configured,
        settle=True,
    ).run()
