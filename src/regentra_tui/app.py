"""The Regentra terminal app: board, list and detail, keyboard first.

The app owns the session (database, technician, clock) and a one-second poll of a
cheap change marker (the newest Event id): when another technician or the worker
changes the desk, every open screen reloads what it shows, without a key press.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeGuard

from textual import events, work
from textual.app import App
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import NoActiveWorker, Worker, WorkerState, get_current_worker

from regentra_core import RegentraError, describe_offset

from . import hangup
from .commands import TicketCommands
from .drafts import DraftStore
from .key_routing import KeyRouter
from .messages import DeskChanged, OpenTicket, Polled, TechniciansRead
from .screens.main import MainScreen
from .session import DeskSession
from .widgets.status_line import StatusLine

if TYPE_CHECKING:
    from regentra_core import ChangeFeed, LeaseView, WorkerRunner

    from .screens.detail import TicketScreen

WORKER_DELAY = 1.0
"""Seconds after start before an embedded worker is built and started: the first
board is up by then, not waiting beside the worker's first jobs (on a big desk the
two together made the start three times slower)."""


def settle_heap() -> None:
    """Move what start-up made (the ORM, the screens, the worker) out of the garbage
    collector's sight.

    Every repaint allocates thousands of short-lived strips, and each collection
    they trigger walked the 200,000 objects start-up left behind: with them frozen
    a full repaint of the board at 120x40 took 145 ms instead of 330 ms.
    """
    gc.collect()
    gc.freeze()


WRITE_PATH_AT_LATEST = 3.0
"""Seconds after start when the write path is opened even if no board has shown
(normally it opens as soon as the first board is on screen)."""

POLL_SECONDS = 1.0
"""How often to look for other people's changes."""


def _asking_flow() -> Worker[Any] | None:
    """The worker that waits on a dialog (``push_screen_wait`` runs in one)."""
    try:
        return get_current_worker()
    except NoActiveWorker:
        return None


class RegentraApp(App[None]):
    """Board, list and ticket detail over one desk, as one technician."""

    TITLE = "Regentra"
    CSS_PATH = ["styles/app.tcss"]
    COMMANDS = {TicketCommands}
    """One provider, the app's commands first and Textual's (theme, keys, quit) after:
    providers answer concurrently, so with Textual's own beside ours the palette at
    80x24 listed Theme and Screenshot where Regentra's actions belonged."""
    BINDINGS = [
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("colon", "goto", "Go to #", id="app.goto"),
        Binding("c", "create", "New", id="app.create"),
        Binding("K", "kb", "Knowledge base", id="app.kb", show=False),
        Binding("R", "reviews", "AI reviews", id="app.reviews", show=False),
        Binding("W", "automations", "Automation rules", id="app.automations", show=False),
        Binding("F", "reports", "Reports", id="app.reports", show=False),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", show=False),
    ]

    def __init__(
        self,
        session: DeskSession,
        *,
        poll_seconds: float = POLL_SECONDS,
        worker: WorkerRunner | Callable[[], WorkerRunner] | None = None,
        mail_configured: bool | None = False,
        sms_configured: bool | None = False,
        settle: bool = False,
    ) -> None:
        super().__init__()
        self.session = session
        self._ready_at_start = session.ready
        """Made with the write path open (tests, or a desk the ORM had to open first):
        nothing waits for it."""
        self.settle = settle
        """Freeze the start-up heap once the worker is up (:func:`settle_heap`): for the
        ``regentra`` process, not for apps made by tests, whose heap is the test run's."""
        self.mail_configured = mail_configured
        """Mail is set up, so the daemon (not an app) must be running to send and poll
        (None: the session's settings say, read with the write path)."""
        self.sms_configured = sms_configured
        """Twilio is set up; without it an SMS ticket's replies cannot go out (None: as
        for mail)."""
        self.poll_seconds = poll_seconds
        self.worker: WorkerRunner | None = None
        """An embedded worker: it runs the jobs only if no other worker holds the lease."""
        given = worker
        self._make_worker: Callable[[], WorkerRunner | None] = (
            given if callable(given) else (lambda: given)
        )
        self._stopping = False
        self._feed: ChangeFeed | None = None
        """What other processes changed since the last poll (made at the first); only
        the poll's thread touches it."""
        self.marker = -1
        """The newest Event id this app has seen (-1 before its first poll), stored
        by the UI thread from each poll's :class:`Polled`."""
        self.own_versions: dict[int, int] = {}
        """Ticket number -> the version this app's own last change to it made."""
        self.drafts = DraftStore.for_desk(session.desk_url, session.username)
        """Unsent replies and notes, kept in the technician's own state folder."""
        # Small, rarely changing lists the filter bar and forms offer; read once.
        self.technicians = session.technicians()
        self.client_names = session.clients()
        role = session.actor.role.value if session.actor.role else "technician"
        self.who = f"{session.username} ({role})"
        self.desk_name = session.desk_name
        self.keys = KeyRouter(self, self._textual_on_event)
        """Where each typed key goes, and when (:mod:`.key_routing`)."""
        self.key_hold = self.keys.hold
        """Keys typed while a dialog closes or the write it started runs, in order."""

    async def action_quit(self) -> None:
        """Quit; with drafts kept, ask first (they stay on disk unless discarded)."""
        from .screens.quit_dialog import QuitDialog

        for screen in self.screen_stack:
            if _is_ticket_screen(screen):
                screen.composer.keep()
        kept = self.drafts.numbers()
        if not kept or isinstance(self.screen, QuitDialog):
            self.exit()
            return

        def answered(answer: str | None) -> None:
            if answer == "discard":
                self.drafts.discard_all()
            if answer in ("quit", "discard"):
                self.exit()

        self.push_screen(QuitDialog(kept), answered)

    async def on_event(self, event: events.Event) -> None:
        """Every key acts in the order it was typed, however fast it came
        (:mod:`.key_routing`); every other event as Textual handles it."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self.keys.on_key(event)
            return
        await super().on_event(event)

    async def _textual_on_event(self, event: events.Event) -> None:
        """Textual's own handling of an event (a key the router hands on)."""
        await super().on_event(event)

    def push_screen(
        self,
        screen: Screen[Any] | str,
        callback: Callable[[Any], Any] | None = None,
        wait_for_dismiss: bool = False,
        *,
        mode: str | None = None,
    ) -> Any:
        """Push a screen; the keys typed after its answer wait until the answer has
        been acted on (:class:`~.key_routing.KeyHold`)."""
        if callback is not None and isinstance(screen, Screen):
            callback = self.key_hold.track_answer(screen, callback)
        pushed = super().push_screen(screen, callback, wait_for_dismiss, mode=mode)  # type: ignore[call-overload]
        if isinstance(screen, Screen):
            self.key_hold.track_ask(screen, _asking_flow() if wait_for_dismiss else None)
        return pushed

    def pop_screen(self) -> AwaitComplete:
        """Pop the screen in front; keys held for it look again."""
        popped = super().pop_screen()
        self.key_hold.changed()
        return popped

    def refresh_technicians(self) -> None:
        """Reread the technicians (a new one shows in the next picker)."""
        self._refresh_technicians()

    @work(thread=True, exclusive=True, group="technicians", exit_on_error=False)
    def _refresh_technicians(self) -> None:
        self.post_message(TechniciansRead(self.session.technicians()))

    def on_technicians_read(self, message: TechniciansRead) -> None:
        self.technicians = message.names

    # -- the write path, opened after the first paint ------------------------------

    def first_board_shown(self) -> None:
        """The first board is on screen (painted from plain reads): open the write path
        behind it (the ORM, the Desk, the ticket screen), unless it is open."""
        if not self._write_path_asked and not self._ready_at_start:
            self._write_path_asked = True
            self.call_after_refresh(self._open_write_path)

    _write_path_asked = False

    @work(thread=True, exclusive=True, group="write-path", exit_on_error=False)
    def _open_write_path(self) -> None:
        self.write_path()
        self.call_from_thread(self._start_jobs)

    def write_path(self) -> None:
        """The ORM desk open and the screens that write imported, now (in a thread:
        the background one after the first paint, or one an action waits in)."""
        with self._write_path_lock:
            self.session.open_write_path()
            from .screens import create_ticket, detail  # noqa: F401

            if self.mail_configured is None or self.sms_configured is None:
                settings = self.session.settings
                self.mail_configured = settings.smtp_configured
                self.sms_configured = settings.sms_configured
            self._write_path_open = True

    _write_path_open = False

    def when_ready(self, then: Callable[[], Any]) -> None:
        """Run ``then`` (which needs the write path) now if it is open, else as soon
        as it is: Enter on a card in the first second opens the ticket a moment
        later, and the keys typed meanwhile wait for it (``key_routing``)."""
        if self._write_path_open or self._ready_at_start:
            then()
        else:
            self._when_ready(then)

    @work(thread=True, group="write-path-wait", exit_on_error=False)
    def _when_ready(self, then: Callable[[], Any]) -> None:
        self.write_path()
        self.call_from_thread(then)

    _write_path_lock = threading.Lock()
    """One thread imports the write path; the others wait for it (two importing the
    same modules at once can each be handed a half-made module)."""

    def on_mount(self) -> None:
        self.push_screen(MainScreen())
        if self._ready_at_start:
            self._start_jobs()
        else:  # once the write path is open: opening it must not slow the first board
            self.set_timer(WRITE_PATH_AT_LATEST, self.first_board_shown)
        terminal = None if self.is_headless else hangup.terminal_fd()
        if terminal is not None:
            self.set_interval(hangup.CHECK_SECONDS, lambda: self._check_terminal(terminal))

    def _start_jobs(self) -> None:
        """The embedded worker (soon) and the poll for other people's changes."""
        if self._jobs_started:
            return
        self._jobs_started = True
        self.set_timer(WORKER_DELAY, self._start_worker)
        if self.poll_seconds > 0:
            self.set_interval(self.poll_seconds, self.poll_changes)

    _jobs_started = False

    def _check_terminal(self, fd: int) -> None:
        """End the process when its terminal hung up (:mod:`.hangup`): nobody sees the
        app, and its worker must hand the jobs on.

        Not ``exit()``: Textual's shutdown writes to the terminal to restore it and
        waits on a writer that can no longer write, forever. Everything the app
        wrote is committed already, so the worker lets the lease go and the process
        ends at once.
        """
        if not hangup.hung_up(fd):
            return
        self.on_unmount()
        os._exit(129)

    @work(thread=True, exclusive=True, group="embedded-worker", exit_on_error=False)
    def _start_worker(self) -> None:
        # Built here, in a thread: importing the scheduler and starting the indexer
        # process takes a few hundred milliseconds the screen need not wait for.
        with self._worker_lock:
            if self._stopping or self.worker is not None:
                return
            worker = self._make_worker()
            if worker is not None:
                worker.start()
            self.worker = worker
        if self.session.index is not None:
            self.session.index.warm()  # the first search of a common word waits less
        if self.settle:
            settle_heap()

    _worker_lock = threading.Lock()

    def on_unmount(self) -> None:
        with self._worker_lock:
            self._stopping = True
        if self.worker is not None:
            self.worker.stop()
        if self.session.index is not None:
            self.session.index.close()

    # -- live updates --------------------------------------------------------------

    def poll_changes(self) -> None:
        self._poll()

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _poll(self) -> None:
        lease = self.session.lease()
        with self._poll_lock:
            if self._feed is None:
                marker = self.session.marker()
                from regentra_core import ChangeFeed

                self._feed = ChangeFeed(marker)
                tickets = None
            else:
                tickets = self.session.changes(self._feed)
            self.post_message(Polled(lease, self._feed.last, tickets))

    _poll_lock = threading.Lock()
    """One poll at a time reads and moves the feed (an exclusive thread worker that
    is replaced still runs to its end)."""

    def on_polled(self, message: Polled) -> None:
        self.marker = message.marker
        self._show_worker(message.lease)
        if message.tickets is not None:
            self._broadcast(message.marker, frozenset(message.tickets))

    def _show_worker(self, lease: LeaseView | None) -> None:
        text = self._worker_text(lease)
        for screen in self.screen_stack:
            for line in screen.query(StatusLine):
                line.worker = text

    def _worker_text(self, lease: LeaseView | None) -> str:
        """Who runs the jobs, in a few words (the status line must fit 80 columns).

        Ages are the database's (:class:`LeaseView`), so a host with a wrong clock
        still reads "2s ago"; a wrong clock on this host is added, since this app's
        worker then runs nothing.
        """
        text = self._lease_text(lease)
        health = self.worker.health if self.worker is not None else None
        if health is not None and health.refusing and health.clock_offset is not None:
            text += f" · clock {describe_offset(health.clock_offset)} the DB's!"
        return text

    def _lease_text(self, lease: LeaseView | None) -> str:
        wanted = (("mail", bool(self.mail_configured)), ("SMS", bool(self.sms_configured)))
        channels = " and ".join(name for name, on in wanted if on)
        not_sent = f": {channels} not sent" if channels else " running"
        if lease is None or not lease.alive():
            return f"jobs: none running ({channels} not sent)" if channels else "jobs: none running"
        on = f" on {lease.host}" if lease.host else ""
        if not lease.by_app:
            age = int(lease.heartbeat_age.total_seconds())
            return f"jobs: daemon{on} (beat {age}s ago)"
        if self.worker is not None and lease.holder == self.worker.holder:
            return f"jobs: this app (no daemon{not_sent})"
        return f"jobs: {lease.app_user}'s app{on} (no daemon{not_sent})"

    def _broadcast(
        self, marker: int, tickets: frozenset[int] = frozenset(), everything: bool = False
    ) -> None:
        for screen in self.screen_stack:
            screen.post_message(DeskChanged(marker, tickets, everything))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed background job is one clear line, never a traceback on screen."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            message = str(error) if isinstance(error, RegentraError) else repr(error)
            self.log.error(f"worker {event.worker.name!r} failed", error)
            self.notify(message, title="Something went wrong", severity="error", timeout=8)

    # -- navigation ----------------------------------------------------------------

    def open_ticket(self, number: int) -> None:
        def push() -> None:
            from .screens.detail import TicketScreen

            self.push_screen(TicketScreen(number))

        self.when_ready(push)

    def on_open_ticket(self, message: OpenTicket) -> None:
        self.open_ticket(message.number)

    def action_goto(self) -> None:
        """``:``: on the board or list a bar at the bottom (the board stays in full
        view); over a ticket or another screen, a one-line prompt."""
        if isinstance(self.screen, MainScreen):
            self.screen.open_goto()
        else:
            from .screens.goto_prompt import GotoPrompt

            self.push_screen(GotoPrompt())

    def action_create(self) -> None:
        self.when_ready(self._create)

    def _create(self) -> None:
        from .screens.create_ticket import CreateTicketScreen

        desk = self.session.desk()

        def created(number: int | None) -> None:
            if number is not None:
                self.notify(f"Created ticket #{number}")
                self._broadcast(self.marker, everything=True)
                self.open_ticket(number)

        def create(**fields: Any) -> int:
            return desk.create_ticket(**fields).number

        self.push_screen(CreateTicketScreen(self.client_names, create), created)

    def action_clients(self) -> None:
        self.when_ready(self._clients)

    def _clients(self) -> None:
        from .screens.clients import ClientsScreen

        def names_changed(names: list[str]) -> None:
            self.client_names = names

        self.push_screen(ClientsScreen(self.session, names_changed))

    def action_kb(self) -> None:
        self.when_ready(self._kb)

    def _kb(self) -> None:
        from .screens.kb import KbScreen

        self.push_screen(KbScreen(self.session))

    def action_reviews(self) -> None:
        self.when_ready(self._reviews)

    def _reviews(self) -> None:
        from .screens.reviews import ReviewsScreen

        self.push_screen(ReviewsScreen(self.session))

    def action_automations(self) -> None:
        self.when_ready(self._automations)

    def _automations(self) -> None:
        from .screens.automations import AutomationsScreen

        self.push_screen(AutomationsScreen(self.session, self._current_number()))

    def action_reports(self) -> None:
        self.when_ready(self._reports)

    def _reports(self) -> None:
        from .screens.reports import ReportsScreen

        self.push_screen(ReportsScreen(self.session))

    def _current_number(self) -> int | None:
        """The ticket open or selected on the screen in front, if any."""
        from .screens.main import MainScreen

        screen = self.screen
        if _is_ticket_screen(screen):
            return screen.number
        if isinstance(screen, MainScreen):
            row = screen.selected()
            return row.number if row else None
        return None

    def action_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()


def _is_ticket_screen(screen: Screen[Any]) -> TypeGuard[TicketScreen]:
    """Whether ``screen`` is a ticket's (its module is imported only once one opens)."""
    detail = sys.modules.get("regentra_tui.screens.detail")
    return detail is not None and isinstance(screen, detail.TicketScreen)
