"""One ticket's full picture as ``ticket show`` and the detail view read it.

Plain frozen records and the pure rules that word them (a delivery's state, the
characters a shortened body left out, the cc column's addresses), free of the ORM
so both readers share them: ``queries.details`` (SQLAlchemy) and
``plain_reads.details`` (the DB-API, for a ``ticket show`` that starts fast).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from .enums import AuthorKind, Channel, DeliveryState
from .ticket_records import TicketRow


@dataclass(frozen=True, slots=True)
class ThreadItem:
    """A public reply or a private note, in time order."""

    kind: str
    """``reply`` or ``note``."""
    author: str
    author_kind: AuthorKind
    body: str
    at: datetime
    channel: Channel | None = None
    private: bool = False
    omitted: int = 0
    """Characters of the body left out by ``body_limit`` (the desk keeps them all)."""
    delivery: str | None = None
    """For a reply sent through a channel: queued, sending, sent, failed (with why);
    for a customer's SMS, why it joined this ticket (SMS has no threading)."""
    unverified: bool = False
    """A customer reply from an address that is not the ticket's contact."""
    reply_id: int | None = None
    """The reply's row (None for a note): its files hang on it."""


@dataclass(frozen=True, slots=True)
class TimeRow:
    technician: str
    minutes: int
    billable: bool
    note: str
    work_date: date
    entry_id: int = 0
    """The TimeEntry's id, which ``Desk.edit_time`` and ``Desk.remove_time`` take."""


@dataclass(frozen=True, slots=True)
class EventRow:
    at: datetime
    actor: str
    source: str
    kind: str
    from_value: str | None
    to_value: str | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class TicketDetail:
    """Everything the detail view and ``ticket show`` need, read in one session."""

    ticket: TicketRow
    description: str
    resolution: str | None
    thread: list[ThreadItem]
    time_entries: list[TimeRow]
    children: list[TicketRow] = field(default_factory=list)
    follow_ups: list[int] = field(default_factory=list)
    description_omitted: int = 0
    """Characters of the description left out by ``body_limit``."""
    chat_agent: str | None = None
    """Who answered the customer in the live chat the ticket came from."""
    cc: list[str] = field(default_factory=list)
    """Who else its public replies by mail are copied to (``desk.cc``)."""

    @property
    def billable_minutes(self) -> int:
        return sum(t.minutes for t in self.time_entries if t.billable)

    @property
    def total_minutes(self) -> int:
        return sum(t.minutes for t in self.time_entries)


class Delivery(Protocol):
    """What :func:`delivery_text` reads of an outbound message (the stored row, or
    the plain reader's tuple of the same columns)."""

    @property
    def state(self) -> DeliveryState | str: ...
    @property
    def sent_at(self) -> datetime | None: ...
    @property
    def attempt_started_at(self) -> datetime | None: ...
    @property
    def last_error(self) -> str | None: ...
    @property
    def next_attempt_at(self) -> datetime | None: ...
    @property
    def note(self) -> str | None: ...


def delivery_text(out: Delivery) -> str:
    """``sent 14:02 UTC``, ``queued``, ``sending``, ``failed, retrying 14:10 UTC: why``,
    with what the channel did to the text (``sent ... (2 SMS)``)."""
    state = _delivery_state(out)
    return f"{state} ({out.note})" if out.note else state


def _delivery_state(out: Delivery) -> str:
    if out.state == DeliveryState.SENT and out.sent_at is not None:
        return f"sent {out.sent_at:%Y-%m-%d %H:%M} UTC"
    if out.attempt_started_at is not None:
        return "sending" + (f" ({out.last_error})" if out.last_error else "")
    if out.state == DeliveryState.FAILED:
        retry = (
            f"retrying {out.next_attempt_at:%H:%M} UTC"
            if out.next_attempt_at is not None
            else "gave up"
        )
        return f"failed, {retry}: {out.last_error or 'unknown error'}"
    return "queued"


def omitted(shown: str, length: int | None) -> int:
    """Characters of a text left out: its stored length less what was read of it."""
    return max(int(length or 0) - len(shown), 0)


def cc_list(text: str | None) -> list[str]:
    """The addresses in a ticket's ``cc`` column, JSON text (anything unreadable: none):
    who else a public reply by mail is copied to (``desk.cc``)."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    if not isinstance(value, list):
        return []
    return [a for a in value if isinstance(a, str)]
