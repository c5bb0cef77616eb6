"""What the portal's ticket page shows of the public thread the core read for it
(``regentra_core.queries.public_thread``): each message labelled for the customer
and folded as the app folds it, the priority's why, the SLA calendar's zone. Pure:
the database was read in the core, with the notes never selected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from regentra_core import (
    AuthorKind,
    Folded,
    PortalFile,
    PublicThread,
    TicketRow,
    attachment_summary_line,
    fold_quoted,
)

from .wording import PriorityChange


@dataclass(frozen=True, slots=True)
class PublicItem:
    """One message of the public thread, labelled for the customer."""

    author: str
    at: datetime
    body: str
    from_support: bool
    files: tuple[PortalFile, ...] = ()

    @property
    def folded(self) -> Folded:
        """The message split as the app shows it: new text, then what it carried."""
        return fold_quoted(without_file_line(self.body, self.files))


@dataclass(frozen=True, slots=True)
class PortalTicket:
    """Everything the portal's ticket page shows."""

    row: TicketRow
    description: Folded
    opening_files: tuple[PortalFile, ...]
    items: list[PublicItem]
    priority_change: PriorityChange | None
    timezone: str
    """The SLA calendar's time zone: what the promised times are said in."""


def without_file_line(body: str, files: Sequence[PortalFile]) -> str:
    """The text without the ``Attachments: ...`` line the intake adds for search
    (``attachments.summary_line``): the page lists the files themselves, with links."""
    line = attachment_summary_line((f.filename, f.content_type, f.size) for f in files)
    if line and body.rstrip().endswith(line):
        return body.rstrip()[: -len(line)].rstrip()
    return body


def author_label(author: str, kind: AuthorKind) -> tuple[str, bool]:
    """Who a public message says it is from, and whether that is the support team.
    Only a technician's reply is "Support"; a customer's carries their name and
    "(customer)", whatever name they gave (``Support <attacker@evil.example>``)."""
    if kind == AuthorKind.TECHNICIAN:
        return "Support", True
    if kind == AuthorKind.SYSTEM:
        return "Automatic message", False
    return f"{author} (customer)", False


def portal_ticket(thread: PublicThread) -> PortalTicket:
    """The ticket page's content, from the public thread read for it."""
    items = []
    for message in thread.messages:
        label, support = author_label(message.author_name, message.author_kind)
        items.append(PublicItem(label, message.at, message.body, support, message.files))
    change = thread.priority_change
    return PortalTicket(
        row=thread.row,
        description=fold_quoted(without_file_line(thread.description, thread.opening_files)),
        opening_files=thread.opening_files,
        items=items,
        priority_change=(
            PriorityChange.of_event(change.from_value, change.to_value, change.detail)
            if change
            else None
        ),
        timezone=thread.timezone,
    )


__all__ = ["PortalTicket", "PublicItem", "author_label", "portal_ticket", "without_file_line"]
