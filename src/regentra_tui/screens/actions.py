"""Ticket actions shared by the board, the list and the detail screen.

Each action asks what it needs (a status, a technician...), runs the Desk call in
a thread worker, and reports back: a refusal is a notification, never a
traceback; a master moved to Resolved/Closed asks whether to cascade.

An action that asks more than once (a status, then the resolution note, then
whether to cascade) is one ``@work`` method in the :data:`FLOW_GROUP` that awaits
each dialog in turn (``push_screen_wait``) and each write (:meth:`TicketActions.write`),
read top to bottom, instead of callbacks nested in callbacks.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import work
from textual.screen import Screen
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from regentra_core import (
    ActorKind,
    AlreadyInStatus,
    ConflictError,
    NoChange,
    Priority,
    RegentraError,
    Status,
    TicketDetail,
    TicketRow,
    allowed_targets,
)

from ..key_routing import FLOW_GROUP
from .cascade_dialog import CascadeDialog
from .choice_prompt import ChoicePrompt
from .confirm_dialog import ConfirmDialog
from .text_prompt import TextPrompt

if TYPE_CHECKING:
    from ..app import RegentraApp


class TicketActions(Screen[Any]):
    """Mixin for screens that act on tickets; ``refresh_data`` reloads after."""

    @property
    def rapp(self) -> RegentraApp:
        from ..app import RegentraApp

        assert isinstance(self.app, RegentraApp)
        return self.app

    def refresh_data(self) -> None:
        """Reload what the screen shows (subclasses override)."""

    # -- plumbing ------------------------------------------------------------------

    def run_desk(
        self,
        call: Callable[[], Any],
        *,
        done: Callable[[Any], None] | None = None,
        success: str | None = None,
        failed: Callable[[], None] | None = None,
    ) -> Worker[None]:
        """Run a Desk call in a worker; notify and reload on the UI thread."""

        def work() -> None:
            try:
                result = call()
            except RegentraError as exc:
                self.app.call_from_thread(self._refused, str(exc))
                if isinstance(exc, ConflictError):
                    self.app.call_from_thread(self.refresh_data)  # show what changed
                if failed is not None:
                    self.app.call_from_thread(failed)
                return
            self.app.call_from_thread(self._succeeded, result, done, success)

        return self.run_worker(work, thread=True, group="desk-write", exit_on_error=False)

    def flow(self, steps: Coroutine[Any, Any, None]) -> Worker[None]:
        """Run ``steps`` (dialogs awaited in turn) as a worker of the :data:`FLOW_GROUP`,
        as the ``@work(group=FLOW_GROUP)`` methods run (a step shared by several flows
        is started this way on its own)."""
        return self.run_worker(steps, group=FLOW_GROUP, exit_on_error=False)

    async def write(
        self, call: Callable[[], Any], *, success: str | None = None
    ) -> tuple[bool, Any]:
        """(In a flow.) :meth:`run_desk`, waited for: ``(True, result)`` once the
        screen has reloaded, or ``(False, None)`` once the refusal is shown."""
        outcome: list[Any] = []
        worker = self.run_desk(call, done=outcome.append, success=success)
        try:
            await worker.wait()
        except (WorkerFailed, WorkerCancelled):
            return False, None
        return (True, outcome[0]) if outcome else (False, None)

    def _refused(self, message: str) -> None:
        self.notify(message, title="Refused", severity="error", timeout=6)

    def _succeeded(
        self, result: Any, done: Callable[[Any], None] | None, success: str | None
    ) -> None:
        mine = self.rapp.session.version_after(result)
        if mine is not None:
            self.rapp.own_versions[mine[0]] = mine[1]
        if success:
            self.notify(success, timeout=3)
        self.refresh_data()
        if done is not None:
            done(result)

    def version_of(self, row: TicketRow) -> int:
        """The version to expect when acting on ``row``: the one shown, or the one our
        own last change made if the screen has not reloaded since (take, then status,
        typed quickly, is not someone else's change)."""
        return max(row.version, self.rapp.own_versions.get(row.number, 0))

    # -- status, with the cascade question ----------------------------------------

    def ask_status(
        self, row: TicketRow, *, moved: Callable[[int, Status, bool], None] | None = None
    ) -> None:
        """Ask where ``row`` goes and move it; ``moved`` hears the number, the status
        chosen and whether the move happened (the board's cursor follows the card)."""
        options = allowed_targets(row.status, ActorKind.TECHNICIAN)
        if not options:
            self._refused(f"#{row.number} cannot move from {row.status.label}")
            return
        self._ask_status(row, options, moved)

    @work(group=FLOW_GROUP, exit_on_error=False)
    async def _ask_status(
        self,
        row: TicketRow,
        options: list[Status],
        moved: Callable[[int, Status, bool], None] | None,
    ) -> None:
        value = await self.app.push_screen_wait(
            ChoicePrompt(
                f"Move #{row.number} from {row.status.label} to…",
                [(s.label, s.value) for s in options],
            )
        )
        if not value:
            return
        target = Status(value)
        settled = None if moved is None else (lambda ok: moved(row.number, target, ok))
        await self._move(row, target, None, settled)

    def move(
        self,
        row: TicketRow,
        target: Status,
        *,
        resolution: str | None = None,
        settled: Callable[[bool], None] | None = None,
    ) -> None:
        """Change the status; ``settled`` hears whether it happened.

        Resolving asks for the resolution note first (optional: it is what the
        next technician reads, and what a cascade to the children copies);
        ``resolution=""`` means asked and left empty."""
        self.flow(self._move(row, target, resolution, settled))

    async def _move(
        self,
        row: TicketRow,
        target: Status,
        resolution: str | None,
        settled: Callable[[bool], None] | None,
    ) -> None:
        allowed = allowed_targets(row.status, ActorKind.TECHNICIAN)
        if target == Status.RESOLVED and resolution is None and target in allowed:
            typed: list[str] = []
            asked = TextPrompt(
                f"Resolve #{row.number}: what fixed it? (optional; ctrl+s to resolve)",
                typed.append,
                verb="Resolve",  # the button does what the title says ctrl+s does
            )
            if not await self.app.push_screen_wait(asked):
                if settled is not None:
                    settled(False)
                return
            resolution = typed[-1].strip()
        desk = self.rapp.session.desk()
        moved, _ = await self.write(
            lambda: desk.change_status(
                row.number,
                target,
                expected_version=self.version_of(row),
                resolution=resolution or None,
            ),
            success=f"#{row.number} is now {target.label}",
        )
        if settled is not None:
            settled(moved)
        if moved:
            await self._offer_cascade(row.number, target)

    def offer_cascade(self, number: int, target: Status) -> None:
        """After ``number`` reached ``target`` by any path (status key, drag, move
        keys, reply-and-resolve, bulk): ask about the children the one rule
        (DeskSession.cascade_offer) says a cascade would move; nothing when there are none."""
        if target.is_done:
            self.flow(self._offer_cascade(number, target))

    async def _offer_cascade(self, master: int, target: Status) -> None:
        if not target.is_done:
            return
        offer = self.run_worker(
            lambda: self._cascade_offer(master, target),
            thread=True,
            group="cascade",
            exit_on_error=False,
        )
        try:
            detail = await offer.wait()
        except (WorkerFailed, WorkerCancelled):
            return
        if detail is None:
            return
        # Resolving children with the master's note: what fixed one fixed them all.
        with_note = target == Status.RESOLVED and bool(detail.resolution)
        if await self.app.push_screen_wait(CascadeDialog(master, target, detail.children)):
            desk = self.rapp.session.desk()
            done, result = await self.write(
                lambda: desk.cascade(master, status=target, resolution=with_note)
            )
            if done:
                self._report_cascade(result)

    def _cascade_offer(self, master: int, target: Status) -> TicketDetail | None:
        """(A thread.) The master as it is now, when a cascade of ``target`` would
        move any of its children; None when there is nothing to offer."""
        try:
            detail = self.rapp.session.detail(master)
            if detail.ticket.status != target:  # the move was refused: nothing to offer
                return None
            if not self.rapp.session.cascade_offer(master, target):
                return None
        except RegentraError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return None
        return detail

    def _report_cascade(self, result: Any) -> None:
        parts = [f"changed {len(result.changed)}"]
        if result.skipped:
            parts.append(f"left {len(result.skipped)} alone")
        if result.refused:
            refused = "; ".join(f"#{n}: {why}" for n, why in result.refused)
            self.notify(refused, title="Some children refused", severity="warning", timeout=8)
        self.notify("Cascade: " + ", ".join(parts), timeout=4)

    # -- priority and assignee -----------------------------------------------------

    def ask_priority(self, row: TicketRow) -> None:
        self._ask_priority(row)

    @work(group=FLOW_GROUP, exit_on_error=False)
    async def _ask_priority(self, row: TicketRow) -> None:
        choices = [(p.label, p.value) for p in reversed(Priority)]
        note = ""
        if row.suggested_priority and row.suggested_priority != row.priority:
            note = f"AI suggests {row.suggested_priority.label}"
        value = await self.app.push_screen_wait(
            ChoicePrompt(f"Priority of #{row.number}", choices, note, current=row.priority.value)
        )
        if not value:
            return
        desk, priority = self.rapp.session.desk(), Priority(value)
        await self.write(
            lambda: desk.change_priority(
                row.number, priority, expected_version=self.version_of(row)
            ),
            success=f"#{row.number} priority is now {priority.label}",
        )

    def ask_assignee(self, row: TicketRow) -> None:
        # Asked from the list read at start-up, so keys typed right after ``a`` land
        # in its filter; the list is refreshed for next time meanwhile.
        self._ask_assignee(row)
        self.rapp.refresh_technicians()

    @work(group=FLOW_GROUP, exit_on_error=False)
    async def _ask_assignee(self, row: TicketRow) -> None:
        value = await self.app.push_screen_wait(
            ChoicePrompt(
                f"Assign #{row.number} to…",
                self.assignee_choices(self.rapp.technicians),
                current=row.assignee or "",
            )
        )
        if value is None:
            return
        desk = self.rapp.session.desk()
        await self.write(
            lambda: desk.assign(row.number, value or None, expected_version=self.version_of(row)),
            success=f"#{row.number} assigned to {value or 'nobody'}",
        )

    def assignee_choices(self, technicians: list[str]) -> list[tuple[str, str]]:
        """Me first, then everyone else, then nobody."""
        me = self.rapp.session.username
        choices = [(f"{me} (me)", me)] if me in technicians else []
        choices += [(t, t) for t in technicians if t != me]
        return [*choices, ("Nobody (unassign)", "")]

    def assign_to_me(self, row: TicketRow, done: Callable[[TicketRow], None] | None = None) -> None:
        """Take the ticket: one key, the thing a technician does most in a stand-up.
        ``done`` hears the row as it is now (before the reload shows it)."""
        me = self.rapp.session.username
        if row.assignee == me:
            self.notify(f"#{row.number} is already yours", timeout=3)
            return
        desk = self.rapp.session.desk()
        self.run_desk(
            lambda: desk.assign(row.number, me, expected_version=self.version_of(row)),
            success=f"#{row.number} assigned to you",
            done=(lambda _: done(replace(row, assignee=me))) if done is not None else None,
        )

    # -- bulk (stand-up triage) ----------------------------------------------------

    def bulk(self, numbers: list[int], kind: str, value: str) -> None:
        """Apply one change to many tickets, once confirmed; each goes through the
        Desk on its own."""
        self._bulk_flow(numbers, kind, None, value)

    def ask_bulk(self, numbers: list[int], kind: str, prompt: ChoicePrompt) -> None:
        """Ask ``prompt`` what to set ``kind`` to on ``numbers``, then :meth:`bulk`."""
        self._bulk_flow(numbers, kind, prompt, None)

    @work(group=FLOW_GROUP, exit_on_error=False)
    async def _bulk_flow(
        self, numbers: list[int], kind: str, prompt: ChoicePrompt | None, value: str | None
    ) -> None:
        if prompt is not None:
            value = await self.app.push_screen_wait(prompt)
        if value is None or (not value and kind != "assignee"):
            return  # (an empty assignee is "nobody")
        if len(numbers) > 1:
            shown = ", ".join(f"#{n}" for n in numbers[:20])
            more = f" and {len(numbers) - 20} more" if len(numbers) > 20 else ""
            label = _bulk_label(kind, value)
            asked = ConfirmDialog(f"Set {kind} to {label} on {len(numbers)} tickets?", shown + more)
            if not await self.app.push_screen_wait(asked):
                return
        self._bulk(numbers, kind, value)

    def bulk_done(self) -> None:
        """After a bulk change (the main screen clears its marks)."""

    def _bulk(self, numbers: list[int], kind: str, value: str) -> None:
        desk = self.rapp.session.desk()

        def apply_all() -> tuple[int, int, list[str]]:
            done, already, refused = 0, 0, []
            for number in numbers:
                try:
                    if kind == "status":
                        desk.change_status(number, Status(value))
                    elif kind == "priority":
                        desk.change_priority(number, Priority(value))
                    else:
                        desk.assign(number, value or None)
                    done += 1
                except (NoChange, AlreadyInStatus):
                    already += 1  # already what was asked: done, not refused
                except RegentraError as exc:
                    refused.append(f"#{number}: {exc}")
            return done, already, refused

        def report(result: tuple[int, int, list[str]]) -> None:
            done, already, refused = result
            if kind == "status":  # each master among them asks about its children
                for number in numbers:
                    self.offer_cascade(number, Status(value))
            text = f"{kind.title()} changed on {done} of {len(numbers)} ticket(s)"
            if already:
                text += f"; {already} already had it"
            self.notify(text)
            self.bulk_done()
            if refused:
                self.notify(
                    "\n".join(refused),
                    title=f"{len(refused)} refused",
                    severity="warning",
                    timeout=10,
                )

        self.run_desk(apply_all, done=report)


def _bulk_label(kind: str, value: str) -> str:
    """What a bulk change sets, as the pickers name it ("Resolved", "High"), not its
    stored value ("resolved", "high"); an empty assignee is nobody."""
    if kind == "status":
        return Status(value).label
    if kind == "priority":
        return Priority(value).label
    return value or "nobody"
