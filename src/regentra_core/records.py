"""What a Desk use case hands back: frozen values, never live ORM rows.

A row returned from a committed session still looks writable: setting
``ticket.status`` on it changes nothing stored and no Event is written, and every
caller that kept one depended on the store's classes. The records are plain frozen
copies of the row's columns, read once when the use case commits; a caller that
wants something newer asks the queries again.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, Self

from .enums import AuthorKind, Channel, Priority, Role, Status


class _Record:
    """``of(row)``: the record of a stored row (its columns by name)."""

    __slots__ = ()

    @classmethod
    def of(cls, row: Any) -> Self:
        if row.id is None:  # a use case must flush before it hands a row back
            raise AssertionError(f"{type(row).__name__} has no id yet")
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class TicketRecord(_Record):
    id: int
    number: int
    subject: str
    description: str
    status: Status
    priority: Priority
    suggested_priority: Priority | None
    channel: Channel
    client_id: int | None
    contact_id: int | None
    assignee_id: int | None
    is_master: bool
    master_id: int | None
    follow_up_of_id: int | None
    resolution: str | None
    version: int
    """Goes up as the ticket changes: handed back as ``expected_version``, it has a change
    made meanwhile refused (``ConflictError``) instead of overwritten."""
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    """When the customer was first answered; None until then."""
    resolved_at: datetime | None
    """When it was resolved (or closed unresolved); None again once it is reopened."""
    closed_at: datetime | None
    """When it was closed; None again once it is reopened."""
    sla_badge: str | None
    response_breached: bool
    resolution_breached: bool


@dataclass(frozen=True, slots=True)
class ReplyRecord(_Record):
    id: int
    ticket_id: int
    author_kind: AuthorKind
    technician_id: int | None
    contact_id: int | None
    author_name: str
    body: str
    channel: Channel
    external_id: str | None
    unverified_sender: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NoteRecord(_Record):
    id: int
    ticket_id: int
    technician_id: int | None
    author_name: str | None
    body: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TimeRecord(_Record):
    id: int
    ticket_id: int
    technician_id: int
    minutes: int
    billable: bool
    note: str
    work_date: date
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ClientRecord(_Record):
    id: int
    name: str
    vip: bool
    sla_policy_id: int | None
    domains: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ContactRecord(_Record):
    id: int
    name: str
    email: str | None
    phone: str | None
    client_id: int | None
    client_admin: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TechnicianRecord(_Record):
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ArticleRecord(_Record):
    id: int
    slug: str
    title: str
    body: str
    tags: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RuleRecord(_Record):
    id: int
    name: str
    description: str
    trigger: str
    position: int
    enabled: bool
    stop_after_match: bool
    conditions: str
    actions: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ViewRecord(_Record):
    id: int
    technician_id: int
    name: str
    filter_json: str
    position: int
    active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SuggestionRecord(_Record):
    id: int
    ticket_id: int
    kind: str
    source: str
    model: str | None
    suggested_priority: Priority | None
    security: bool
    frustration: bool
    confidence: float
    reason: str
    body: str
    articles: str
    event_id: int | None
    verdict: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    outcome: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AiRequestRecord(_Record):
    id: int
    ticket_id: int
    kind: str
    requested_by: str
    technician_id: int | None
    state: str
    suggestion_id: int | None
    error: str
    created_at: datetime
    answered_at: datetime | None
