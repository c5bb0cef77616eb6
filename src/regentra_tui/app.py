"""The Regentra terminal app: board, list and detail, keyboard first.

The app owns the session (database, technician, clock) and a one-second poll of a
cheap change marker (the newest Event id): when another technician or the worker
changes the desk, every open screen reloads what it shows, without a key press.
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, TextArea
from textual.worker import Worker, WorkerState

from regentra_core import queries
from regentra_core.change_feed import ChangeFeed
from regentra_core.clock import describe_offset
from regentra_core.errors import RegentraError
from regentra_core.worker.lease import LeaseView, current_lease

from . import hangup
from .commands import TicketCommands
from .drafts import DraftStore
from .messages import DeskChanged, OpenTicket
from .screens.create_ticket import CreateTicketScreen
from .screens.detail import TicketScreen
from .screens.goto_prompt import GotoPrompt
from .screens.key_hold import KeyHold
from .screens.main import MainScreen
from .screens.type_ahead import HoldsKeys, TypeAhead
from .session import DeskSession
from .widgets.status_line import StatusLine

if TYPE_CHECKING:
    from regentra_core.worker import WorkerRunner

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


SCREEN_READY_SECONDS = 1.0
"""The longest a key waits for the screen it opened to mount."""

POLL_SECONDS = 1.0
"""How often to look for other people's changes."""


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
        mail_configured: bool = False,
        sms_configured: bool = False,
        settle: bool = False,
    ) -> None:
        super().__init__()
        self.session = session
        self.settle = settle
        """Freeze the start-up heap once the worker is up (:func:`settle_heap`): for the
        ``regentra`` process, not for apps made by tests, whose heap is the test run's."""
        self.mail_configured = mail_configured
        """Mail is set up, so the daemon (not an app) must be running to send and poll."""
        self.sms_configured = sms_configured
        """Twilio is set up; without it an SMS ticket's replies cannot go out."""
        self.poll_seconds = poll_seconds
        self.worker: WorkerRunner | None = None
        """An embedded worker: it runs the jobs only if no other worker holds the lease."""
        given = worker
        self._make_worker: Callable[[], WorkerRunner | None] = (
            given if callable(given) else (lambda: given)
        )
        self._stopping = False
        self.feed: ChangeFeed | None = None
        """What other processes changed since the last poll (made at the first)."""
        self.own_versions: dict[int, int] = {}
        """Ticket number -> the version this app's own last change to it made."""
        self.drafts = DraftStore.for_desk(session.db.url, session.username)
        """Unsent replies and notes, kept in the technician's own state folder."""
        # Small, rarely changing lists the filter bar and forms offer; read once.
        self.technicians = [t.username for t in queries.technicians(session.db)]
        self.client_names = [c.name for c in queries.clients(session.db)]
        role = session.actor.role.value if session.actor.role else "technician"
        self.who = f"{session.username} ({role})"
        url = session.db.display_url
        self.desk_name = Path(url.removeprefix("sqlite:///")).name if "sqlite" in url else url
        self.key_hold = KeyHold(self)
        """Keys typed while a dialog closes or the write it started runs, in order."""

    async def action_quit(self) -> None:
        """Quit; with drafts kept, ask first (they stay on disk unless discarded)."""
        from .screens.detail import TicketScreen
        from .screens.quit_dialog import QuitDialog

        for screen in self.screen_stack:
            if isinstance(screen, TicketScreen):
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
        """Every key acts in the order it was typed, however fast it came.

        Textual resolves a key's non-priority binding only after the key has
        travelled to the focused widget and back, by which time the keys typed
        after it are already on their way: ``:1007`` typed in one go reached the
        board as ``1`` (go to the board), ``0``, ``0``, ``7`` before the prompt
        that ``:`` opens existed, and the description's first letters reached the
        subject before the Tab between them. So, as each key arrives:

        - if the screen it is for is still mounting, it waits for it (a moment);
        - Tab out of a text field moves the focus at once;
        - outside text fields (where no widget wants a key for itself first) the
          binding chain is asked at once, so the next key goes wherever this one
          sent the focus;
        - before a key acts at once, the text field typed into last catches up
          with the keys queued for it (a Save reads what was typed before it);
        - a ticket that is still loading holds the keys typed at it until it is
          shown (:class:`HoldsKeys`);
        - a key that may close a dialog or start a write holds the keys after it
          until that is done (:class:`KeyHold`).
        """
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self.key_hold.held_back(event):
                return
            await self.deliver_key(event)
            return
        await super().on_event(event)

    async def deliver_key(self, event: events.Key) -> None:
        """One key, to the screen in front once it is up (or kept by a loading ticket)."""
        await self.screen_ready()
        screen = self.screen
        if isinstance(screen, HoldsKeys) and screen.holds(event):
            return
        await self.route_key(event)

    async def route_key(self, event: events.Key) -> None:
        """Deliver one typed key (also a key held while a ticket loaded)."""
        screen, focused = self.screen, self.focused
        if await self._act_now(event):
            self.app_focus = True
        else:
            if isinstance(self.focused, Input | TextArea):
                self._typed_into = self.focused
            await super().on_event(event)
        if self.key_hold.may_close(screen, focused, event):
            self.key_hold.settle(screen, focused)

    def push_screen(
        self,
        screen: Screen[Any] | str,
        callback: Callable[[Any], Any] | None = None,
        wait_for_dismiss: bool = False,
        *,
        mode: str | None = None,
    ) -> Any:
        """Push a screen; the keys typed after its answer wait until the answer has
        been acted on (:meth:`KeyHold.track_answer`)."""
        if callback is not None and isinstance(screen, Screen):
            callback = self.key_hold.track_answer(screen, callback)
        return super().push_screen(screen, callback, wait_for_dismiss, mode=mode)  # type: ignore[call-overload]

    _typed_into: Widget | None = None

    async def _act_now(self, event: events.Key) -> bool:
        focused = self.focused
        screen = self.screen
        if event.key == "enter" and isinstance(screen, GotoPrompt) and focused is not None:
            # ``:1042⏎`` and what follows, in one go: the ticket screen is on top
            # before the next key is routed (it holds keys until it has loaded).
            await self._caught_up()
            number = screen.number()
            self.pop_screen()
            if number is not None:
                self.open_ticket(number)
            return True
        if isinstance(focused, Input | TextArea):
            moves = event.key in ("tab", "shift+tab")
            keeps_tab = isinstance(focused, TextArea) and focused.tab_behavior != "focus"
            if moves and not keeps_tab:
                await self._caught_up()
                self.screen.focus_next() if event.key == "tab" else self.screen.focus_previous()
                return True
            newline = isinstance(focused, TextArea) and event.key == "enter"
            if moves or newline or event.is_printable:
                return False  # text: into the field's queue, behind what came before
            # An arrow, home, end, backspace...: the field's binding acts once the
            # text typed before it is in (bindings otherwise run when the key has
            # bubbled back up, after letters typed later: "down" then "x" put the x
            # where the cursor was before the down).
            await self._caught_up()
            self._typed_into = focused
            return await self._check_bindings(event.key)
        if focused is None and isinstance(self.screen, TypeAhead):
            return False  # a prompt hands keys to its field until the field has focus
        await self._caught_up()
        return await self._check_bindings(event.key, priority=True) or await self._check_bindings(
            event.key
        )

    async def _caught_up(self) -> None:
        """Let the text field typed into last process the keys already sent to it."""
        field, self._typed_into = self._typed_into, None
        if field is None or not field.is_attached:
            return
        deadline = asyncio.get_running_loop().time() + SCREEN_READY_SECONDS
        while field.message_queue_size and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.001)
        await asyncio.sleep(0)  # and the one it is handling now

    async def screen_ready(self) -> None:
        """Wait (at most a moment) for a screen still mounting: it focuses its field
        as it mounts, and the key then goes there instead of to a screen with
        nothing focused yet."""
        screen = self.screen
        if screen.is_mounted:
            return
        with suppress(TimeoutError):
            await asyncio.wait_for(screen._mounted_event.wait(), SCREEN_READY_SECONDS)

    def refresh_technicians(self) -> None:
        """Reread the technicians (a new one shows in the next picker)."""
        self._refresh_technicians()

    @work(thread=True, exclusive=True, group="technicians", exit_on_error=False)
    def _refresh_technicians(self) -> None:
        self.technicians = self.session.technicians()

    def on_mount(self) -> None:
        self.push_screen(MainScreen())
        self.set_timer(WORKER_DELAY, self._start_worker)
        if self.poll_seconds > 0:
            self.set_interval(self.poll_seconds, self.poll_changes)
        terminal = None if self.is_headless else hangup.terminal_fd()
        if terminal is not None:
            self.set_interval(hangup.CHECK_SECONDS, lambda: self._check_terminal(terminal))

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
        lease = current_lease(self.session.db)
        self.call_from_thread(self._show_worker, lease)
        if self.feed is None:
            self.feed = ChangeFeed(self.session.marker())
            return
        tickets = self.feed.poll(self.session.db)
        if tickets is not None:
            self.call_from_thread(self._broadcast, self.marker, frozenset(tickets))

    @property
    def marker(self) -> int:
        """The newest Event id this app has seen (-1 before its first poll)."""
        return self.feed.last if self.feed is not None else -1

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
        wanted = (("mail", self.mail_configured), ("SMS", self.sms_configured))
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
        self.push_screen(TicketScreen(number))

    def on_open_ticket(self, message: OpenTicket) -> None:
        self.open_ticket(message.number)

    def action_goto(self) -> None:
        self.push_screen(GotoPrompt())

    def action_create(self) -> None:
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
        from .screens.clients import ClientsScreen

        def names_changed(names: list[str]) -> None:
            self.client_names = names

        self.push_screen(ClientsScreen(self.session, names_changed))

    def action_kb(self) -> None:
        from .screens.kb import KbScreen

        self.push_screen(KbScreen(self.session))

    def action_reviews(self) -> None:
        from .screens.reviews import ReviewsScreen

        self.push_screen(ReviewsScreen(self.session))

    def action_automations(self) -> None:
        from .screens.automations import AutomationsScreen

        self.push_screen(AutomationsScreen(self.session, self._current_number()))

    def action_reports(self) -> None:
        from .screens.reports import ReportsScreen

        self.push_screen(ReportsScreen(self.session))

    def _current_number(self) -> int | None:
        """The ticket open or selected on the screen in front, if any."""
        from .screens.main import MainScreen

        screen = self.screen
        if isinstance(screen, TicketScreen):
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
