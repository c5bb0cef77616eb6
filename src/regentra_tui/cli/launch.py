"""Opening the terminal app; imported only when the app is started."""

from __future__ import annotations

from .context import CliContext


def launch_app(state: CliContext) -> None:
    """Start the TUI on ``state``'s database as this process's technician."""
    desk = state.desk()  # refuses unknown accounts before drawing anything
    from ..app import RegentraApp
    from ..session import DeskSession

    RegentraApp(DeskSession(desk.db, desk.actor)).run()
