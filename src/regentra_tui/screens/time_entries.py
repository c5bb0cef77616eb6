"""Correcting a ticket's time entries in the app: ``T`` on the ticket.

The entries are listed (newest first, each with its id, day, technician, time and
note); Enter picks one, then Edit (the time form, filled in with what it says) or
Remove (asked first). The Desk decides who may: the technician who logged it or a
lead; a refusal is a notification like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from regentra_core.durations import format_minutes
from regentra_core.queries import TimeRow
from regentra_core.text import one_line

from .choice_prompt import ChoicePrompt
from .confirm_dialog import ConfirmDialog
from .time_prompt import TimePrompt

if TYPE_CHECKING:
    from .actions import TicketActions


def entry_label(entry: TimeRow) -> str:
    """One line for an entry in a picker: what tells two entries apart."""
    kind = "billable" if entry.billable else "NOT billable"
    note = f"  {one_line(entry.note)[:40]}" if entry.note else ""
    return (
        f"[{entry.entry_id}] {entry.work_date:%d %b} {entry.technician} "
        f"{format_minutes(entry.minutes)} {kind}{note}"
    )


def correct_time(screen: TicketActions, number: int, entries: list[TimeRow]) -> None:
    """Pick one of ``entries`` of ticket ``number``, then edit or remove it."""
    if not entries:
        screen.notify(f"No time logged on #{number} (t logs time)", timeout=3)
        return
    by_id = {str(e.entry_id): e for e in entries}
    screen.app.push_screen(
        ChoicePrompt(
            f"Time entries on #{number}: Enter picks one to edit or remove",
            [(entry_label(e), str(e.entry_id)) for e in reversed(entries)],
        ),
        lambda value: _ask_what(screen, number, by_id[value]) if value in by_id else None,
    )


def _ask_what(screen: TicketActions, number: int, entry: TimeRow) -> None:
    def chosen(value: str | None) -> None:
        if value == "edit":
            _edit(screen, number, entry)
        elif value == "remove":
            _remove(screen, number, entry)

    screen.app.push_screen(
        ChoicePrompt(
            entry_label(entry),
            [("Edit this entry", "edit"), ("Remove this entry", "remove")],
        ),
        chosen,
    )


def _edit(screen: TicketActions, number: int, entry: TimeRow) -> None:
    desk = screen.rapp.session.desk()
    screen.app.push_screen(
        TimePrompt(
            number,
            lambda minutes, billable, note: desk.edit_time(
                entry.entry_id, minutes=minutes, billable=billable, note=note
            ),
            entry=entry,
        ),
        lambda ok: screen.refresh_data() if ok else None,
    )


def _remove(screen: TicketActions, number: int, entry: TimeRow) -> None:
    desk = screen.rapp.session.desk()

    def answered(yes: bool | None) -> None:
        if yes:
            screen.run_desk(
                lambda: desk.remove_time(entry.entry_id),
                success=f"Removed time entry {entry.entry_id} from #{number}",
            )

    screen.app.push_screen(
        ConfirmDialog(
            f"Remove time entry {entry.entry_id} from #{number}?",
            Text(entry_label(entry) + "\nThe ticket's history keeps what it said."),
        ),
        answered,
    )
