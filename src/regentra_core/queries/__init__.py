"""The read side, split by what it reads: ticket lists, one ticket's details,
people, the SLA set-up, channel positions.

Readers never write; they return plain frozen dataclasses, so a TUI worker thread
can hand them to the UI thread and the CLI can print them as JSON. Saved views are
read in :mod:`regentra_core.views`, beside the rest of what a view is.
"""

from __future__ import annotations

from .channels import (
    channel_position,
)
from .details import (
    EventRow,
    ThreadItem,
    TicketDetail,
    TimeRow,
    delivery_text,
    ticket_detail,
    ticket_history,
)
from .hierarchy import cascade_offer
from .people import (
    ClientRow,
    client_rows,
    clients,
    find_contacts,
    kb_articles,
    technicians,
)
from .setup import (
    CalendarView,
    PolicyView,
    SlaConfig,
    sla_config,
)
from .tickets import (
    UNASSIGNED,
    SortKey,
    TicketFilter,
    TicketRow,
    board_sort,
    count_by_status,
    count_tickets,
    first_pages_by_status,
    get_ticket,
    latest_event_id,
    list_tickets,
    on_the_board,
    sla_book,
    status_counts,
)

__all__ = [
    "CalendarView",
    "ClientRow",
    "EventRow",
    "PolicyView",
    "SlaConfig",
    "SortKey",
    "ThreadItem",
    "TicketDetail",
    "TicketFilter",
    "TicketRow",
    "TimeRow",
    "UNASSIGNED",
    "board_sort",
    "cascade_offer",
    "channel_position",
    "client_rows",
    "clients",
    "count_by_status",
    "count_tickets",
    "delivery_text",
    "find_contacts",
    "first_pages_by_status",
    "get_ticket",
    "kb_articles",
    "latest_event_id",
    "list_tickets",
    "on_the_board",
    "sla_book",
    "sla_config",
    "status_counts",
    "technicians",
    "ticket_detail",
    "ticket_history",
]
