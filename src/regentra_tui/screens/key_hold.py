"""Keys typed while a dialog closes, or while the write its answer started runs.

``a bob⏎ j p low⏎`` in one burst: Enter reaches the picker's field, which posts
``Submitted``; the picker dismisses itself when that message is handled, its
answer runs later still (on the screen that asked), and that answer starts the
write in a thread. Every key of the burst reached the app long before: ``j`` went
into the filter of a picker about to close, and ``p`` reached a screen whose
write was still running, then was wiped by the reload after it. Textual has no
notion of "the effect of this key is done", so the app keeps one here:

- after a key that may close a dialog (any key that is not text for a field, on
  a dialog or in a text field) the keys behind it wait until that screen has
  handled it: it is gone and its answer has run, or it is quiet and still there;
- while a write is in flight (a worker of :data:`WRITE_GROUPS`), and while the
  reload it started is running, the keys wait too;
- then they are played in order, each as if typed then (so one that opens and
  closes another dialog holds the rest again).

Escape and ctrl+q act at once, unless a dialog is still closing (Escape would
reach it): a write that never finishes must not trap anyone. The keys held
before them were typed for the place being left, and are dropped.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Input, TextArea

from .type_ahead import TypeAhead

if TYPE_CHECKING:
    from ..app import RegentraApp

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
    }
)
"""Worker groups that change the desk: keys typed meanwhile wait for them (a
worker that writes belongs in one of these groups)."""

RELOAD_GROUPS = frozenset({"board", "board-pages", "list", "detail"})
"""Worker groups that reload what a screen shows: held keys wait for these too,
so a key acts on the screen as the write left it."""

LEAVE_NOW = frozenset({"escape", "ctrl+q"})
"""Keys that act at once even while others wait."""

SETTLE_SECONDS = 1.0
"""The longest the keys wait for a dialog to handle the key before them."""

HOLD_SECONDS = 10.0
"""The longest the keys wait for writes and reloads: then they play anyway."""

QUIET_CHECKS = 3
"""Looks (a millisecond apart) at empty message queues before a screen that is
still there counts as having handled the key."""


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
    """The app's queue of keys that must wait, and what they wait for."""

    def __init__(self, app: RegentraApp) -> None:
        self.app = app
        self.queue: list[events.Key] = []
        """Keys typed while something was in flight, oldest first."""
        self.settling = 0
        """Keys that may close a dialog, whose effect is not in yet."""
        self.unanswered: dict[Screen[Any], float | None] = {}
        """Screens pushed with a callback that has not run yet, and when each was
        first seen gone from the stack."""
        self.playing = False
        self._since = 0.0
        self._watch: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

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
                self._watch_soon()

        return answered

    def busy(self) -> bool:
        """Something a key typed now must wait for."""
        if self.settling:
            return True
        if self._answers_pending():
            return True  # dismissed; its answer (which may start a write) is yet to run
        if self.queue and self._now() - self._since > HOLD_SECONDS:
            return False
        groups = {w.group for w in self.app.workers if not w.is_finished}
        if groups & WRITE_GROUPS:
            return True
        return bool(self.queue) and bool(groups & RELOAD_GROUPS)

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
                await self.app.deliver_key(self.queue.pop(0))
        finally:
            self.playing = False
        if self.queue:
            self._since = self._now()
            self._watch_soon()

    def _watch_soon(self) -> None:
        if self.queue and (self._watch is None or self._watch.done()):
            self._watch = asyncio.get_running_loop().create_task(self._watch_until_free())

    async def _watch_until_free(self) -> None:
        # Workers say they ended only to the widget that ran them: look, often.
        while self.queue and self.busy():
            await asyncio.sleep(0.002)
        if self.queue and not self.playing:
            self.app.call_later(self.play)

    async def _settle(self, screen: Screen[Any], focused: Widget | None) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_SECONDS
        quiet = 0
        try:
            while quiet < QUIET_CHECKS and loop.time() < deadline:
                await asyncio.sleep(0.001)
                if screen not in self.app.screen_stack:
                    quiet = QUIET_CHECKS if screen not in self.unanswered else 0
                elif _queues_empty(screen, focused):
                    quiet += 1
                else:
                    quiet = 0
        finally:
            self.settling -= 1
            self._watch_soon()

    def _now(self) -> float:
        return asyncio.get_running_loop().time()


def _queues_empty(screen: Screen[Any], focused: Widget | None) -> bool:
    """The screen, and the field the key went to with everything it bubbles through,
    have nothing left to handle."""
    nodes: list[Any] = [screen]
    if focused is not None and focused.is_attached:
        nodes += list(focused.ancestors_with_self)
    return all(
        node.message_queue_size == 0 for node in nodes if hasattr(node, "message_queue_size")
    )
