"""Opening the terminal app; imported only when the app is started."""

from __future__ import annotations

from .context import CliContext


def launch_app(state: CliContext) -> None:
    """Start the TUI on ``state``'s database as this process's technician."""
    desk = state.desk()  # refuses unknown accounts before drawing anything
    from regentra_core.worker import WorkerRunner
    from regentra_core.worker.logs import configure_worker_logging

    from ..app import RegentraApp
    from ..session import DeskSession

    settings = state.settings
    index = state.search_index()
    configure_worker_logging(settings.data_dir, also_stderr=False)
    # Standby unless no worker holds the lease: then this app runs the jobs itself.
    worker = WorkerRunner(
        desk.db,
        index=index,
        lease_seconds=settings.worker_lease_seconds,
        heartbeat_seconds=settings.worker_heartbeat_seconds,
        index_seconds=settings.index_interval_seconds,
        label=f"tui-{desk.actor.name}",
    )
    RegentraApp(DeskSession(desk.db, desk.actor, index=index), worker=worker).run()
