"""``regentra ticket ...``: every ticket use case, scriptable.

A lazy group: ``regentra ticket list`` and ``ticket show`` import their own module
(``ticket_reads``: plain reads, no ORM, no Desk, no Rich for ``--json``) and
nothing of the write commands (``ticket_writes``); ``regentra ticket --help`` lists
every command from the table below without importing either.
"""

from __future__ import annotations

from .root import LazyGroup

_READS = "regentra_tui.cli.ticket_reads"
_WRITES = "regentra_tui.cli.ticket_writes"

TICKET_COMMANDS: dict[str, tuple[str, str, str]] = {
    "accept": (
        _WRITES,
        "accept",
        "Show the customer the replies marked 'unverified sender' on ticket NUMBER (from "
        "someone who is neither its contact nor of its client): the portal hides them until a "
        "technician accepts them.",
    ),
    "assign": (_WRITES, "assign", "Assign a ticket to a technician ('none' to unassign)."),
    "cascade": (
        _WRITES,
        "cascade",
        "Apply status, assignee, resolution or a reply to a master's open children.",
    ),
    "cc": (
        _WRITES,
        "cc",
        "Show or change who else ticket NUMBER's public replies by mail are copied to (its Cc: "
        "the customer's colleagues on the thread; gathered from their mail).",
    ),
    "create": (
        _WRITES,
        "create",
        "Open a new ticket (a subject of at most 300 characters, as on every door).",
    ),
    "history": (
        _WRITES,
        "history",
        "Show a ticket's audit trail: who did what, when, through which door.",
    ),
    "link": (_WRITES, "link", "Link CHILD under the master ticket MASTER."),
    "list": (_READS, "list_", "List tickets; filters combine."),
    "master": (
        _WRITES,
        "master",
        "Promote a ticket to master, so related tickets can be linked under it.",
    ),
    "note": (_WRITES, "note", "Add a private internal note."),
    "priority": (
        _WRITES,
        "priority",
        "Change a ticket's priority (an operator edit, recorded as such).",
    ),
    "reply": (
        _WRITES,
        "reply",
        "Add a public reply (the technician's, or the customer's with --from-customer).",
    ),
    "show": (_READS, "show", "Show a ticket with its conversation, notes, time and links."),
    "spike": (
        _WRITES,
        "spike",
        "Show the ticket spike #NUMBER belongs to (a burst from one client or about one "
        "thing), and with --make-master turn it into a master with children.",
    ),
    "status": (
        _WRITES,
        "status",
        "Move a ticket to another status (open, in-progress, waiting, escalated, ...).",
    ),
    "time": (_WRITES, "time_", "Log time worked on a ticket (--minutes or --duration)."),
    "time-edit": (
        _WRITES,
        "time_edit",
        "Correct time entry ENTRY (its id is in `ticket show`): only the options given change. "
        "Yours, or anyone's if you are a lead; the history keeps before and after.",
    ),
    "time-remove": (
        _WRITES,
        "time_remove",
        "Remove time entry ENTRY, logged by mistake (its id is in `ticket show`). Yours, or "
        "anyone's if you are a lead; the history keeps all it said.",
    ),
    "unlink": (_WRITES, "unlink", "Detach CHILD from its master."),
}
"""Every ticket command: its module, its name there, and its help's first paragraph
(a test holds it to the commands themselves)."""


ticket = LazyGroup(name="ticket", help="Create, list, show and work tickets.")
ticket.lazy = TICKET_COMMANDS
