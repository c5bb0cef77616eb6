"""Correcting a ticket's time entries in the app: ``T`` on the ticket.

The entries are listed (newest first, each with its id, day, technician, time and
note); Enter picks one, then Edit (the time form, filled in with what it says) or
Remove (asked first). The Desk decides who may: the technician who logged it or a
lead; a refusal is a notification like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from regentra_core import TimeRow, format_minutes, one_line

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
    screen.flow(_correct_time(screen, number, entries))


async def _correct_time(screen: TicketActions, number: int, entries: list[TimeRow]) -> None:
    """The entry, then what to do with it, then its new values or a yes, then the write."""
    by_id = {str(e.entry_id): e for e in entries}
    picked = await screen.app.push_screen_wait(
        ChoicePrompt(
            f"Time entries on #{number}: Enter picks one to edit or remove",
            [(entry_label(e), str(e.entry_id)) for e in reversed(entries)],
        )
    )
    entry = by_id.get(picked or "")
    if entry is None:
        return
    what = await screen.app.push_screen_wait(
        ChoicePrompt(
            entry_label(entry),
            [("Edit this entry", "edit"), ("Remove this entry", "remove")],
        )
    )
    desk = screen.rapp.session.desk()
    if what == "edit":
        edited = TimePrompt(
            number,
            lambda minutes, billable, note: desk.edit_time(
                entry.entry_id, minutes=minutes, billable=billable, note=note
            ),
            entry=entry,
        )
        if await screen.app.push_screen_wait(edited):
            screen.refresh_data()
    elif what == "remove":
        asked = ConfirmDialog(
            f"Remove time entry {entry.entry_id} from #{number}?",
            Text(entry_label(entry) + "\nThe ticket's history keeps what it said."),
        )
        if await screen.app.push_screen_wait(asked):
            await screen.write(
                lambda: desk.remove_time(entry.entry_id),
                success=f"Removed time entry {entry.entry_id} from #{number}",
            )
