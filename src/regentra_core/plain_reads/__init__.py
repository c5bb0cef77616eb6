"""Reads for short commands, in plain SQL over the database's DB-API.

``regentra ticket list`` and ``ticket show`` print and exit: importing SQLAlchemy,
SQLModel and the models cost them most of their time. These readers ask the same
questions with ``sqlite3`` (or ``psycopg`` for a PostgreSQL URL) and answer with the
same frozen records the ORM queries return (``TicketRow``, ``TicketDetail``), so
the printing is shared and a parity test holds the two readers to each other.

They only ever read a desk that is ready: when it is missing, unreadable, not at
the schema head, of an unknown kind, or the account is not an active technician,
they raise :class:`~regentra_core.errors.PlainUnavailable` and the caller takes the
ORM path, which upgrades the desk or says in one line why it cannot.

    connection.py   opening the desk as the ORM path resolves it, read-only use
    sla.py          the SLA book from the SLA tables' rows
    tickets.py      lists and counts: every TicketFilter field, every SortKey
    details.py      one ticket's detail
    board.py        the board's counts per status and first page of every column
    people.py       the acting technician, the technicians, clients and saved views
"""

from __future__ import annotations

from .board import plain_count_by_status, plain_first_pages_by_status, plain_latest_event_id
from .connection import PlainDesk, open_plain
from .details import plain_ticket_detail
from .people import plain_actor, plain_clients, plain_saved_views, plain_technicians
from .sla import plain_sla_book
from .tickets import plain_count_tickets, plain_list_tickets

__all__ = [
    "PlainDesk",
    "open_plain",
    "plain_actor",
    "plain_clients",
    "plain_count_by_status",
    "plain_count_tickets",
    "plain_first_pages_by_status",
    "plain_latest_event_id",
    "plain_list_tickets",
    "plain_saved_views",
    "plain_sla_book",
    "plain_technicians",
    "plain_ticket_detail",
]
