"""Ticket actions shared by the board, the list and the detail screen.

Each action asks what it needs (a status, a technician...), runs the Desk call in
a thread worker, and reports back: a refusal is a notification, never a
traceback; a master moved to Resolved/Closed asks whether to cascade.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from regentra_core import lifecycle
from regentra_core.enums import ActorKind, Priority, Status
from regentra_core.errors import AlreadyInStatus, ConflictError, NoChange, RegentraError
from regentra_core.queries import TicketRow

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
    ) -> None:
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

        self.run_worker(work, thread=True, group="desk-write", exit_on_error=False)

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
        options = lifecycle.allowed_targets(row.status, ActorKind.TECHNICIAN)
        if not options:
            self._refused(f"#{row.number} cannot move from {row.status.label}")
            return
        self.app.push_screen(
            ChoicePrompt(
                f"Move #{row.number} from {row.status.label} to…",
                [(s.label, s.value) for s in options],
            ),
            lambda value: self._move_chosen(row, value, moved),
        )

    def _move_chosen(
        self, row: TicketRow, value: str | None, moved: Callable[[int, Status, bool], None] | None
    ) -> None:
        if not value:
            return
        target = Status(value)
        settled = None if moved is None else (lambda ok: moved(row.number, target, ok))
        self.move(row, target, settled=settled)

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
        allowed = lifecycle.allowed_targets(row.status, ActorKind.TECHNICIAN)
        if target == Status.RESOLVED and resolution is None and target in allowed:
            self._ask_resolution(row, settled)
            return
        desk = self.rapp.session.desk()
        self.run_desk(
            lambda: desk.change_status(
                row.number,
                target,
                expected_version=self.version_of(row),
                resolution=resolution or None,
            ),
            done=lambda _: self._after_move(row, target, settled),
            success=f"#{row.number} is now {target.label}",
            failed=(lambda: settled(False)) if settled is not None else None,
        )

    def _ask_resolution(self, row: TicketRow, settled: Callable[[bool], None] | None) -> None:
        typed: list[str] = []

        def answered(ok: bool | None) -> None:
            if ok:
                self.move(row, Status.RESOLVED, resolution=typed[-1].strip(), settled=settled)
            elif settled is not None:
                settled(False)

        self.app.push_screen(
            TextPrompt(
                f"Resolve #{row.number}: what fixed it? (optional; ctrl+s to resolve)",
                typed.append,
            ),
            answered,
        )

    def _after_move(
        self, row: TicketRow, target: Status, settled: Callable[[bool], None] | None = None
    ) -> None:
        if settled is not None:
            settled(True)
        self.offer_cascade(row.number, target)

    def offer_cascade(self, number: int, target: Status) -> None:
        """After ``number`` reached ``target`` by any path (status key, drag, move
        keys, reply-and-resolve, bulk): ask about the children the one rule
        (DeskSession.cascade_offer) says a cascade would move; nothing when there are none."""
        if target.is_done:
            self.run_worker(
                lambda: self._offer_cascade(number, target), thread=True, group="cascade"
            )

    def _offer_cascade(self, master: int, target: Status) -> None:
        try:
            detail = self.rapp.session.detail(master)
            if detail.ticket.status != target:  # the move was refused: nothing to offer
                return
            if not self.rapp.session.cascade_offer(master, target):
                return
        except RegentraError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        children = detail.children
        # Resolving children with the master's note: what fixed one fixed them all.
        with_note = target == Status.RESOLVED and bool(detail.resolution)

        def answered(yes: bool | None) -> None:
            if yes:
                desk = self.rapp.session.desk()
                self.run_desk(
                    lambda: desk.cascade(master, status=target, resolution=with_note),
                    done=self._report_cascade,
                )

        self.app.call_from_thread(
            self.app.push_screen, CascadeDialog(master, target, children), answered
        )

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
        choices = [(p.label, p.value) for p in reversed(Priority)]
        note = ""
        if row.suggested_priority and row.suggested_priority != row.priority:
            note = f"AI suggests {row.suggested_priority.label}"
        desk = self.rapp.session.desk()
        self.app.push_screen(
            ChoicePrompt(f"Priority of #{row.number}", choices, note, current=row.priority.value),
            lambda value: (
                self.run_desk(
                    lambda: desk.change_priority(
                        row.number, Priority(value), expected_version=self.version_of(row)
                    ),
                    success=f"#{row.number} priority is now {Priority(value).label}",
                )
                if value
                else None
            ),
        )

    def ask_assignee(self, row: TicketRow) -> None:
        # Opened at once from the list read at start-up, so keys typed right after
        # ``a`` land in its filter; the list is refreshed for next time meanwhile.
        desk = self.rapp.session.desk()
        self.app.push_screen(
            ChoicePrompt(
                f"Assign #{row.number} to…",
                self.assignee_choices(self.rapp.technicians),
                current=row.assignee or "",
            ),
            lambda value: (
                self.run_desk(
                    lambda: desk.assign(
                        row.number, value or None, expected_version=self.version_of(row)
                    ),
                    success=f"#{row.number} assigned to {value or 'nobody'}",
                )
                if value is not None
                else None
            ),
        )
        self.rapp.refresh_technicians()

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
        if len(numbers) > 1:
            shown = ", ".join(f"#{n}" for n in numbers[:20])
            more = f" and {len(numbers) - 20} more" if len(numbers) > 20 else ""
            label = value or "nobody" if kind == "assignee" else value.replace("_", " ")

            def answered(yes: bool | None) -> None:
                if yes:
                    self._bulk(numbers, kind, value)

            self.app.push_screen(
                ConfirmDialog(f"Set {kind} to {label} on {len(numbers)} tickets?", shown + more),
                answered,
            )
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
