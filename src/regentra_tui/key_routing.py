"""Every key acts in the order it was typed, however fast it came.

The app hands each typed key here (``RegentraApp.on_event``); nothing else in
the app routes keys. Textual resolves a key's non-priority binding only after
the key has travelled to the focused widget and back, by which time the keys
typed after it are already on their way: ``:1007`` typed in one go reached the
board as ``1`` (go to the board), ``0``, ``0``, ``7`` before the prompt that
``:`` opens existed, and a description's first letters reached the subject
before the Tab between them. So, as each key arrives:

- if the screen it is for is still mounting, it waits for it (a moment);
- Tab out of a text field moves the focus at once;
- outside text fields (where no widget wants a key for itself first) the
  binding chain is asked at once, so the next key goes wherever this one sent
  the focus;
- before a key acts at once, the text field typed into last catches up with
  the keys queued for it (a Save reads what was typed before it);
- a ticket that is still loading holds the keys typed at it until it is shown
  (``screens.type_ahead.HoldsKeys``);
- a key that may close a dialog or start a write holds the keys after it until
  that is done (:class:`KeyHold`).

Nothing here polls: a wait is for a message a widget has handled (a callback
queued behind the keys it already has, ``call_later``), a worker's end
(``Worker.wait``), a dialog's answer, or a deadline.

**What this module takes from Textual's internals, and why** (checked against
Textual 8.2.8; these two functions are the only private names the app uses):

- :func:`run_binding` calls ``App._check_bindings``: the public API cannot ask
  the binding chain about one key *now*, in Textual's own order (priority
  bindings from the app down, then the rest from the focused widget up, falling
  through to the next binding when an action is refused). ``App.simulate_key``
  queues the key behind the keys already typed, the very reordering this module
  exists to prevent; ``Screen.active_bindings`` keeps one binding per key and
  loses the fall-through.
- :func:`screen_mounted` waits on ``Screen._mounted_event``: ``push_screen``
  gives back an ``AwaitMount`` for this, but ``push_screen_wait`` (the dialogs'
  way) does not, and a key can arrive for a screen pushed either way.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from textual import events
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Input, TextArea
from textual.worker import Worker

from .screens.goto_prompt import GotoPrompt
from .screens.type_ahead import HoldsKeys, TypeAhead
from .widgets.goto_bar import GotoBar
from .widgets.pick_bar import PickBar

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump

    from .app import RegentraApp

SCREEN_READY_SECONDS = 1.0
"""The longest a key waits for the screen it opened to mount, or for a text field
to take in the keys typed before it."""

WRITE_GROUPS = frozenset(
    {
        "desk-write",
        "prompt-save",
        "time-save",
        "client-save",
        "rules-write",
        "rule-save",
        "create",
        "kb-save",
        "compose",
        "cascade",
        "write-path-wait",
    }
)
"""Worker groups that change the desk: keys typed meanwhile wait for them (a
worker that writes belongs in one of these groups). Also the wait of a key that
opened what needs the write path before it was open (``RegentraApp.when_ready``):
the keys behind it are for what it opens."""

RELOAD_GROUPS = frozenset({"board", "board-pages", "list", "detail"})
"""Worker groups that reload what a screen shows: held keys wait for these too,
so a key acts on the screen as the write left it."""

FLOW_GROUP = "dialog-flow"
"""The group of the ``@work`` methods that ask dialogs in turn
(``push_screen_wait``): keys wait while such a flow runs, except while it waits
for a dialog that is on the screen (the keys are for that dialog)."""

LEAVE_NOW = frozenset({"escape", "ctrl+q"})
"""Keys that act at once even while others wait."""

SETTLE_SECONDS = 1.0
"""The longest the keys wait for a dialog to handle the key before them."""

HOLD_SECONDS = 10.0
"""The longest the keys wait for writes and reloads: then they play anyway."""

HANDLED_ROUNDS = 3
"""The most times a key's path (the field up to the screen) is waited on to handle
what it has: a handler may post one more message, and its handler another."""


# -- the two uses of Textual's internals (see the module docstring) ----------------


async def run_binding(app: App[Any], key: str, *, priority: bool = False) -> bool:
    """Run the binding ``key`` has now (``priority``: the priority bindings, from the
    app down); False when no binding took it."""
    return await app._check_bindings(key, priority=priority)


async def screen_mounted(screen: Screen[Any], timeout: float) -> None:
    """Wait (at most ``timeout`` seconds) for ``screen`` to finish mounting."""
    if screen.is_mounted:
        return
    with suppress(TimeoutError):
        await asyncio.wait_for(screen._mounted_event.wait(), timeout)


# -- waiting on messages and workers, never polling --------------------------------


async def handled(node: MessagePump, timeout: float) -> None:
    """Until ``node`` has handled every message it had when this was called (a
    callback queued behind them runs), or ``timeout`` passed."""
    done = asyncio.get_running_loop().create_future()

    def mark() -> None:
        if not done.done():
            done.set_result(None)

    if not node.call_later(mark):
        return  # closed: it handles nothing more
    with suppress(TimeoutError):
        await asyncio.wait_for(done, timeout)


async def drained(nodes: list[MessagePump], timeout: float) -> None:
    """Until each of ``nodes`` in turn has handled what it had, and a round ends with
    nothing left in any of their queues (a handler may post one more message, and
    its handler another), at most :data:`HANDLED_ROUNDS` rounds."""
    for _ in range(HANDLED_ROUNDS):
        for node in nodes:
            await handled(node, timeout)
        if all(node.message_queue_size == 0 for node in nodes):
            return


async def _ended(worker: Worker[Any]) -> None:
    """Until ``worker`` has ended, however it ended (its failure is its own node's
    to report)."""
    with suppress(Exception, asyncio.CancelledError):
        await worker.wait()


def is_text(screen: Screen[Any], focused: Widget | None, event: events.Key) -> bool:
    """Whether ``event`` is text for a field (it closes nothing, writes nothing)."""
    if focused is None:
        return isinstance(screen, TypeAhead)  # a prompt hands it to its field
    if isinstance(focused, TextArea):
        return event.is_printable or event.key in ("enter", "tab", "shift+tab")
    if isinstance(focused, Input):
        return event.is_printable
    return False


class KeyHold:
    """Keys typed while a dialog closes, or while the write its answer started runs.

    ``a bob⏎ j p low⏎`` in one burst: Enter reaches the picker's field, which
    posts ``Submitted``; the picker dismisses itself when that message is
    handled, its answer runs later still (on the screen that asked), and that
    answer starts the write in a thread. Every key of the burst reached the app
    long before: ``j`` went into the filter of a picker about to close, and ``p``
    reached a screen whose write was still running, then was wiped by the reload
    after it. Textual has no notion of "the effect of this key is done", so the
    app keeps one here:

    - after a key that may close a dialog (any key that is not text for a field,
      on a dialog or in a text field) the keys behind it wait until that screen
      has handled it: it is gone and its answer has run, or it is still there and
      has handled everything the key set off;
    - while a write is in flight (a worker of :data:`WRITE_GROUPS`), while the
      reload it started is running, and while a dialog flow (:data:`FLOW_GROUP`)
      works between its dialogs, the keys wait too;
    - then they are played in order, each as if typed then (so one that opens and
      closes another dialog holds the rest again).

    Escape and ctrl+q act at once, unless a dialog is still closing (Escape would
    reach it): a write that never finishes must not trap anyone. The keys held
    before them were typed for the place being left, and are dropped.
    """

    def __init__(self, app: App[Any], deliver: Callable[[events.Key], Awaitable[None]]) -> None:
        self.app = app
        self.deliver = deliver
        self.queue: list[events.Key] = []
        """Keys typed while something was in flight, oldest first."""
        self.settling = 0
        """Keys that may close a dialog, whose effect is not in yet."""
        self.unanswered: dict[Screen[Any], float | None] = {}
        """Screens pushed with a callback that has not run yet, and when each was
        first seen gone from the stack."""
        self.asking: dict[Screen[Any], Worker[Any]] = {}
        """Dialogs a flow waits on (``push_screen_wait``), and the flow's worker."""
        self.playing = False
        self._since = 0.0
        self._watch: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._changed: asyncio.Event | None = None
        self._endings: dict[Worker[Any], asyncio.Task[None]] = {}

    # -- what the app asks -------------------------------------------------------

    def held_back(self, event: events.Key) -> bool:
        """Whether to keep ``event`` for later (and keep it)."""
        if event.key in LEAVE_NOW and not self.settling:
            self.queue.clear()
            return False
        if not (self.queue or self.playing or self.busy()):
            return False
        if not self.queue:
            self._since = self._now()
        self.queue.append(event)
        self._watch_soon()
        return True

    def hold_first(self, keys: list[events.Key]) -> None:
        """Put ``keys`` (held elsewhere: a loading ticket's) before the keys waiting
        here; they are waited for from now, not from when the queue last began (a
        stale start let them play at once, past a flow still opening its dialog)."""
        if keys:
            self.queue[0:0] = keys
            self._since = self._now()

    def may_close(self, screen: Screen[Any], focused: Widget | None, event: events.Key) -> bool:
        """A key that a dialog or a text field acted on (not text typed into it)."""
        if is_text(screen, focused, event):
            return False
        return isinstance(screen, ModalScreen) or isinstance(focused, Input | TextArea)

    def settle(self, screen: Screen[Any], focused: Widget | None) -> None:
        """Hold the keys behind the one just routed until ``screen`` has handled it."""
        self.settling += 1
        task = asyncio.get_running_loop().create_task(self._settle(screen, focused))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def track_answer(
        self, screen: Screen[Any], callback: Callable[[Any], Any]
    ) -> Callable[[Any], Any]:
        """Wrap a pushed screen's callback: until it has run, keys wait."""
        self.unanswered[screen] = None

        async def answered(result: Any) -> None:
            try:
                outcome = callback(result)
                if inspect.isawaitable(outcome):
                    await outcome
            finally:
                self.unanswered.pop(screen, None)
                self.changed()

        return answered

    def track_ask(self, screen: Screen[Any], flow: Worker[Any] | None) -> None:
        """``flow`` waits on ``screen`` (pushed by ``push_screen_wait``): while it is
        on the screen the keys go to it; once it has gone, they wait for the flow."""
        if flow is not None:
            self.asking[screen] = flow
        self.changed()

    def changed(self) -> None:
        """Something the held keys wait for may have changed (a screen came or went,
        an answer ran): look again."""
        if self._changed is not None:
            self._changed.set()
        self._watch_soon()

    def waits_for_answer(self, worker: Worker[Any]) -> bool:
        """``worker`` is a dialog flow waiting for a dialog that is on the screen: it
        ends once someone answers (a test's settle must not wait for it)."""
        stack = self.app.screen_stack
        return any(w is worker and s in stack for s, w in self.asking.items())

    def busy(self) -> bool:
        """Something a key typed now must wait for."""
        if self.settling:
            return True
        if self._answers_pending():
            return True  # dismissed; its answer (which may start a write) is yet to run
        if self.queue and self._now() - self._since > HOLD_SECONDS:
            return False
        if self._busy_workers(self.app.workers):
            return True
        return bool(self.queue) and any(
            w.group in RELOAD_GROUPS for w in self.app.workers if not w.is_finished
        )

    def _busy_workers(self, workers: Any) -> list[Worker[Any]]:
        """Writes in flight, and dialog flows working between their dialogs."""
        stack = self.app.screen_stack
        self.asking = {s: w for s, w in self.asking.items() if not w.is_finished}
        waiting = {w for s, w in self.asking.items() if s in stack}
        return [
            w
            for w in workers
            if not w.is_finished
            and (w.group in WRITE_GROUPS or (w.group == FLOW_GROUP and w not in waiting))
        ]

    def _answers_pending(self) -> bool:
        """A dismissed screen whose answer has not run yet. One popped without an
        answer (``app.pop_screen``) never gets one: it is let go after a moment."""
        stack, now, pending = self.app.screen_stack, self._now(), False
        for screen, gone in list(self.unanswered.items()):
            if screen in stack:
                continue
            if gone is None:
                self.unanswered[screen] = gone = now
            if now - gone > SETTLE_SECONDS:
                del self.unanswered[screen]
            else:
                pending = True
        return pending

    # -- playing -----------------------------------------------------------------

    async def play(self) -> None:
        """Every kept key, in order, until one makes the rest wait again."""
        if self.playing:
            return
        self.playing = True
        try:
            while self.queue and not self.busy():
                await self.deliver(self.queue.pop(0))
        finally:
            self.playing = False
        if self.queue:
            self._since = self._now()
            self._watch_soon()

    def _watch_soon(self) -> None:
        if self.queue and (self._watch is None or self._watch.done()):
            self._watch = asyncio.get_running_loop().create_task(self._watch_until_free())

    async def _watch_until_free(self) -> None:
        while self.queue and self.busy():
            await self._next_change()
        if self.queue and not self.playing:
            self.app.call_later(self.play)

    async def _next_change(self) -> None:
        """Until something :meth:`busy` looks at may have changed: a key settled, an
        answer ran, a screen came or went, a write or a flow ended, or the time a
        dismissed screen's answer or the held keys are waited for ran out."""
        if self._changed is None:
            self._changed = asyncio.Event()
        changed = self._changed
        changed.clear()
        waits: set[asyncio.Future[Any]] = {asyncio.ensure_future(changed.wait())}
        running = [w for w in self.app.workers if not w.is_finished]
        watched = self._busy_workers(running) + [w for w in running if w.group in RELOAD_GROUPS]
        for worker in watched:
            if worker not in self._endings:
                self._endings[worker] = asyncio.ensure_future(_ended(worker))
            waits.add(self._endings[worker])
        try:
            await asyncio.wait(waits, timeout=self._next_deadline(), return_when="FIRST_COMPLETED")
        finally:
            for wait in waits:
                if wait not in self._endings.values():
                    wait.cancel()  # only our own wait on the event, never a worker
            self._endings = {w: t for w, t in self._endings.items() if not t.done()}

    def _next_deadline(self) -> float | None:
        """Seconds until a dismissed screen's answer stops being waited for, or the
        held keys play anyway (None: nothing runs out)."""
        deadlines = [gone + SETTLE_SECONDS for gone in self.unanswered.values() if gone]
        if self.queue:
            deadlines.append(self._since + HOLD_SECONDS)
        if not deadlines:
            return None
        return max(0.0, min(deadlines) - self._now()) + 0.001

    async def _settle(self, screen: Screen[Any], focused: Widget | None) -> None:
        try:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._handled_by(screen, focused), SETTLE_SECONDS)
        finally:
            self.settling -= 1
            self.changed()

    async def _handled_by(self, screen: Screen[Any], focused: Widget | None) -> None:
        """Until ``screen`` has handled the key just routed to ``focused``: it is gone
        and its answer has run, or the key's path has handled all it set off."""
        path: list[MessagePump] = [screen]
        if focused is not None and focused.is_attached:
            path = [*focused.ancestors_with_self]
        if screen in self.app.screen_stack:
            await drained(path, SETTLE_SECONDS)
        while (
            screen not in self.app.screen_stack
            and self._answers_pending()  # (lets an answer that never comes go)
            and screen in self.unanswered
        ):
            await self._next_change()

    def _now(self) -> float:
        return asyncio.get_running_loop().time()


class KeyRouter:
    """The app's key routing: where each typed key goes, and when."""

    def __init__(
        self, app: RegentraApp, forward: Callable[[events.Event], Awaitable[None]]
    ) -> None:
        self.app = app
        self.forward = forward
        """Textual's own handling of a key (the app's ``on_event`` before ours)."""
        self.hold = KeyHold(app, self.deliver_key)
        self._typed_into: Widget | None = None

    async def on_key(self, event: events.Key) -> None:
        """One key as it arrives: kept for later, or delivered now."""
        if self.hold.held_back(event):
            return
        await self.deliver_key(event)

    async def deliver_key(self, event: events.Key) -> None:
        """One key, to the screen in front once it is up (or kept by a loading ticket)."""
        await screen_mounted(self.app.screen, SCREEN_READY_SECONDS)
        screen = self.app.screen
        if isinstance(screen, HoldsKeys) and screen.holds(event):
            return
        await self.route_key(event)

    async def route_key(self, event: events.Key) -> None:
        """Deliver one typed key (also a key held while a ticket loaded)."""
        app = self.app
        screen, focused = app.screen, app.focused
        if await self._act_now(event):
            app.app_focus = True
        else:
            if isinstance(app.focused, Input | TextArea | PickBar):
                self._typed_into = app.focused
            await self.forward(event)
        if self.hold.may_close(screen, focused, event):
            self.hold.settle(screen, focused)

    async def _act_now(self, event: events.Key) -> bool:
        app = self.app
        focused = app.focused
        screen = app.screen
        if event.key == "enter" and isinstance(screen, GotoPrompt) and focused is not None:
            # ``:1042⏎`` and what follows, in one go: the ticket screen is on top
            # before the next key is routed (it holds keys until it has loaded).
            await self._caught_up()
            number = screen.number()
            app.pop_screen()
            if number is not None:
                app.open_ticket(number)
            return True
        if event.key == "enter" and focused is not None and isinstance(focused.parent, GotoBar):
            # The same from the main screen's go-to bar.
            await self._caught_up()
            bar = focused.parent
            number = bar.number()
            bar.hide_bar()
            if number is not None:
                app.open_ticket(number)
            return True
        if isinstance(focused, PickBar) and focused.keeps(event):
            return False  # a letter moves the checklist's cursor, and acts nowhere else
        if isinstance(focused, Input | TextArea):
            moves = event.key in ("tab", "shift+tab")
            keeps_tab = isinstance(focused, TextArea) and focused.tab_behavior != "focus"
            if moves and not keeps_tab:
                await self._caught_up()
                app.screen.focus_next() if event.key == "tab" else app.screen.focus_previous()
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
            return await run_binding(app, event.key)
        if focused is None and isinstance(app.screen, TypeAhead):
            return False  # a prompt hands keys to its field until the field has focus
        await self._caught_up()
        return await run_binding(app, event.key, priority=True) or await run_binding(app, event.key)

    async def _caught_up(self) -> None:
        """Let the text field typed into last handle the keys already sent to it."""
        field, self._typed_into = self._typed_into, None
        if field is not None and field.is_attached:
            await drained([field], SCREEN_READY_SECONDS)
