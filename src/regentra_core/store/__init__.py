"""Persistence: tables, the engine factory and schema migrations."""

from .engine import Database, normalise_url
from .migrate import upgrade
from .models import (
    Client,
    Contact,
    Event,
    InternalNote,
    KBArticle,
    Reply,
    Technician,
    Ticket,
    TimeEntry,
)

__all__ = [
    "Client",
    "Contact",
    "Database",
    "Event",
    "InternalNote",
    "KBArticle",
    "Reply",
    "Technician",
    "Ticket",
    "TimeEntry",
    "normalise_url",
    "upgrade",
]
