"""Pickers of linked tickets (unlink, open linked) and the spike's question: each
ticket with its subject and status, never a bare number.

A number tells a technician nothing at a stand-up ("#1021?"); the subject and the
status say which ticket it is and whether it is still open. The children of a
master come with the ticket's detail; the master and follow-ups are read in a
worker and filled in, the picker open (and typing) meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from regentra_core import RegentraError, SpikeTicket, Status, TicketDetail, TicketRow

from .choice_prompt import ChoicePrompt

if TYPE_CHECKING:
    from .actions import TicketActions

SUBJECT = 40
"""Characters of a subject a picker line shows (the prompt is 52 columns inside)."""


def clip(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def ticket_line(number: int, subject: str | None, status: Status | None, role: str = "") -> str:
    """``#1021  Printer offline on floor 2 · Open`` (``role``: "master", "follow-up")."""
    parts = [f"#{number}"]
    if role:
        parts.append(f"({role})")
    if subject is not None:
        parts.append(clip(subject, SUBJECT))
    line = "  ".join(parts)
    return f"{line} · {status.label}" if status is not None else line


def row_line(row: TicketRow | SpikeTicket, role: str = "") -> str:
    return ticket_line(row.number, row.subject, row.status, role)


def ask_unlink(
    screen: TicketActions, detail: TicketDetail, chosen: Callable[[str | None], None]
) -> None:
    """Which child to unlink from a master: each with its subject and status."""
    screen.app.push_screen(
        ChoicePrompt(
            f"Unlink which child of #{detail.ticket.number}?",
            [(row_line(c), str(c.number)) for c in detail.children],
        ),
        chosen,
    )


def ask_open_linked(
    screen: TicketActions, detail: TicketDetail, chosen: Callable[[str | None], None]
) -> bool:
    """Which linked ticket to open: children, master, the ticket it follows up and its
    follow-ups, each with its subject and status. False when there are none."""
    t = detail.ticket
    linked: list[tuple[int, str, TicketRow | None]] = [
        (c.number, "child", c) for c in detail.children
    ]
    if t.master:
        linked.insert(0, (t.master, "master", None))
    if t.follow_up_of:
        linked.append((t.follow_up_of, "follows up", None))
    linked += [(n, "follow-up", None) for n in detail.follow_ups]
    if not linked:
        return False

    def choices(rows: dict[int, TicketRow]) -> list[tuple[str, str]]:
        out = []
        for number, role, row in linked:
            known = row or rows.get(number)
            line = (
                row_line(known, role)
                if known is not None
                else ticket_line(number, None, None, role)
            )
            out.append((line, str(number)))
        return out

    prompt = ChoicePrompt("Open which linked ticket?", choices({}))
    screen.app.push_screen(prompt, chosen)
    missing = [number for number, _, row in linked if row is None]
    if not missing:
        return True
    session = screen.rapp.session

    def read() -> None:
        rows: dict[int, TicketRow] = {}
        for number in missing:
            try:
                rows[number] = session.ticket(number)
            except RegentraError:
                continue  # gone or unreadable: its number is still shown
        screen.app.call_from_thread(fill, choices(rows))

    def fill(lines: list[tuple[str, str]]) -> None:
        if prompt.is_attached:  # not picked or cancelled meanwhile
            prompt.set_choices(lines)

    screen.run_worker(read, thread=True, group="linked-rows", exit_on_error=False)
    return True


def spike_lines(tickets: list[SpikeTicket], numbers: list[int]) -> str:
    """The tickets a spike master would take in, a line each with subject and status."""
    by_number = {t.number: t for t in tickets}
    return "\n".join(row_line(by_number[n]) if n in by_number else f"#{n}" for n in numbers)
