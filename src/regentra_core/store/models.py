"""The tables. Only ``Desk`` writes them; readers go through ``regentra_core.queries``.

Nothing is ever hard-deleted: technicians are deactivated, links are cleared, and
every change leaves an :class:`Event`. All timestamps are aware UTC.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..enums import (
    ActorKind,
    AuthorKind,
    Channel,
    DeliveryState,
    InboundOutcome,
    Priority,
    Role,
    Status,
)
from .types import JSONText, StrEnumType, UTCDateTime


def _utc(nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class BusinessCalendarRow(SQLModel, table=True):
    """Support hours in a time zone, or 24x7; SLA targets count only this time."""

    __tablename__ = "business_calendar"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=100)
    timezone: str = Field(default="UTC", max_length=64)
    always_open: bool = Field(default=False)
    hours: str = Field(default="", max_length=500)
    """Weekly opening hours, e.g. ``mon-fri 09:00-17:00`` (see regentra_core.calendar)."""
    created_at: datetime = Field(sa_column=_utc())


class Holiday(SQLModel, table=True):
    """A day a calendar is closed."""

    __table_args__ = (UniqueConstraint("calendar_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    calendar_id: int = Field(foreign_key="business_calendar.id", index=True)
    day: date
    name: str = Field(default="", max_length=200)


class SlaPolicy(SQLModel, table=True):
    """Response and resolution targets per priority, over one calendar."""

    __tablename__ = "sla_policy"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=100)
    calendar_id: int = Field(foreign_key="business_calendar.id")
    is_default: bool = Field(default=False)
    at_risk_share: float = Field(default=0.75)
    escalate_status: bool = Field(default=False)
    """Move At Risk/Breached tickets to Escalated; off by default (flag only)."""
    created_at: datetime = Field(sa_column=_utc())


class SlaTarget(SQLModel, table=True):
    """One priority's targets in a policy, in business minutes."""

    __tablename__ = "sla_target"
    __table_args__ = (UniqueConstraint("policy_id", "priority"),)

    id: int | None = Field(default=None, primary_key=True)
    policy_id: int = Field(foreign_key="sla_policy.id", index=True)
    priority: Priority = Field(sa_column=Column(StrEnumType(Priority), nullable=False))
    response_minutes: int
    resolution_minutes: int


class Client(SQLModel, table=True):
    """A customer organisation the MSP supports."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    vip: bool = Field(default=False)
    sla_policy_id: int | None = Field(default=None, foreign_key="sla_policy.id")
    """The client's own SLA policy; None: the default policy."""
    domains: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    """Email domains the client claims (comma-separated, lower case): unknown senders
    from them become the client's contacts."""
    created_at: datetime = Field(sa_column=_utc())


class Contact(SQLModel, table=True):
    """A person at a client who raises tickets."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False))
    email: str | None = Field(default=None, unique=True, max_length=320)
    phone: str | None = Field(default=None, index=True, max_length=32)
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    client_admin: bool = Field(default=False)
    """Sees every ticket of their client in the portal, not only their own."""
    merged_into_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    """Set when this contact was found to be the same person as another and merged
    into it: its tickets and replies moved there; the row stays for the audit trail
    and no channel matches it any more."""
    created_at: datetime = Field(sa_column=_utc())


class PortalLogin(SQLModel, table=True):
    """A one-time portal sign-in link sent to a contact: only its hash is kept, so a
    copy of the database signs nobody in; used once, expiring after 30 minutes."""

    __tablename__ = "portal_login"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    expires_at: datetime = Field(sa_column=_utc())
    used_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    created_at: datetime = Field(sa_column=_utc())


class Technician(SQLModel, table=True):
    """A Unix account on the support host that may work tickets."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    display_name: str = Field(max_length=200)
    role: Role = Field(sa_column=Column(StrEnumType(Role), nullable=False))
    active: bool = Field(default=True)
    created_at: datetime = Field(sa_column=_utc())


class Ticket(SQLModel, table=True):
    """One customer request, from intake to close."""

    __table_args__ = (
        Index("ix_ticket_status_priority", "status", "priority"),
        Index("ix_ticket_updated_at", "updated_at"),
        Index("ix_ticket_client_created", "client_id", "created_at"),
        Index("ix_ticket_status_updated", "status", "updated_at"),
        Index("ix_ticket_status_sla_due", "status", "sla_due_at"),
        Index("ix_ticket_status_sla_risk", "status", "sla_risk_at"),
        Index("ix_ticket_status_sla_breach", "status", "sla_breach_at"),
        Index("ix_ticket_sla_sweep_at", "sla_sweep_at"),
        Index("ix_ticket_sla_marks_gen", "sla_marks_gen"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    subject: str = Field(sa_column=Column(Text, nullable=False))
    description: str = Field(sa_column=Column(Text, nullable=False))
    status: Status = Field(sa_column=Column(StrEnumType(Status), nullable=False, index=True))
    priority: Priority = Field(sa_column=Column(StrEnumType(Priority), nullable=False))
    suggested_priority: Priority | None = Field(
        default=None, sa_column=Column(StrEnumType(Priority), nullable=True)
    )
    channel: Channel = Field(sa_column=Column(StrEnumType(Channel), nullable=False))
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="technician.id", index=True)
    is_master: bool = Field(default=False)
    master_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    follow_up_of_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    resolution: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    version: int = Field(default=1)
    created_at: datetime = Field(sa_column=_utc(index=True))
    updated_at: datetime = Field(sa_column=_utc())
    first_response_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    resolved_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    sla_pauses: str = Field(
        default="[]", sa_column=Column(JSONText(), nullable=False, server_default="[]")
    )
    """Intervals when the resolution clock did not run (JSON; see regentra_core.sla)."""
    sla_done_spans: str = Field(
        default="[]", sa_column=Column(JSONText(), nullable=False, server_default="[]")
    )
    """Intervals spent Resolved or Closed, when the response clock is held (JSON)."""
    cc: str = Field(default="[]", sa_column=Column(JSONText(), nullable=False, server_default="[]"))
    """The thread's other people (JSON list of addresses): copied on every public
    reply by mail, as Zendesk's CCs are; gathered from intake, edited by technicians."""
    sla_badge: str | None = Field(default=None, max_length=16)
    """The badge the SLA sweep last recorded, to notice changes."""
    response_breached: bool = Field(default=False)
    resolution_breached: bool = Field(default=False)
    """Breaches are permanent: set once seen, never cleared."""
    # SLA marks (``regentra_core.sla_marks``): when the badge changes, kept by the
    # Desk in the transaction that changes the clocks, read by the SLA filters,
    # the SLA order and the sweep with SQL.
    sla_rest: str | None = Field(default=None, max_length=16)
    """The badge before ``sla_risk_at``; None when no SLA applies."""
    sla_risk_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    """From then on the badge is At Risk or worse."""
    sla_breach_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    """From then on the badge is Breached."""
    sla_due_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    """When the soonest running clock reaches its target; None when no clock runs."""
    sla_sweep_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    """When the SLA sweep next has something to record for this ticket."""
    sla_marks_gen: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """The ``desk_state.sla_marks_gen`` the marks were made under: older ones are stale
    (the SLA set-up changed, or the row was written without the Desk)."""


class Reply(SQLModel, table=True):
    """A message in a ticket's public thread, seen by the customer."""

    __table_args__ = (Index("ix_reply_ticket_created", "ticket_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    author_kind: AuthorKind = Field(sa_column=Column(StrEnumType(AuthorKind), nullable=False))
    technician_id: int | None = Field(default=None, foreign_key="technician.id")
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    author_name: str = Field(sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    channel: Channel = Field(sa_column=Column(StrEnumType(Channel), nullable=False))
    external_id: str | None = Field(default=None, index=True, max_length=998)
    unverified_sender: bool = Field(default=False)
    """The mail came from an address that is not the ticket's contact nor its client's."""
    created_at: datetime = Field(sa_column=_utc())


class FileAttachment(SQLModel, table=True):
    """A file that came with a message or went out with a reply, kept in the desk's
    attachments folder by content hash (``path``, relative to that folder).

    One table both ways: a customer's mail, SMS or portal upload and a technician's
    reply all store the same kind of row, under the same size limit.
    """

    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    reply_id: int | None = Field(default=None, foreign_key="reply.id", index=True)
    """The reply it came or went with; None: the ticket's opening message."""
    filename: str = Field(sa_column=Column(Text, nullable=False))
    content_type: str = Field(max_length=255)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    path: str | None = Field(default=None, max_length=400)
    """Relative to the attachments folder; None when it was over the size limit and
    only its name, type and size were kept."""
    sha256: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_column=_utc())


class InboundRecord(SQLModel, table=True):
    """Every message a channel delivered, once: what it was and what it did.

    The unique (channel, external id) key makes a redelivered Message-ID (or SMS
    SID, chat id) store nothing new, whichever process sees it first.
    """

    __tablename__ = "inbound_message"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: Channel = Field(sa_column=Column(StrEnumType(Channel), nullable=False))
    external_id: str = Field(max_length=998)
    sender: str = Field(default="", sa_column=Column(Text, nullable=False, index=True))
    subject: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    outcome: InboundOutcome = Field(
        sa_column=Column(StrEnumType(InboundOutcome), nullable=False, index=True)
    )
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    reply_id: int | None = Field(default=None, foreign_key="reply.id")
    raw: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    """The source, kept when it could not be parsed."""
    agent: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    """Who answered on the customer's side of the channel (a live-chat agent)."""
    received_at: datetime = Field(sa_column=_utc(index=True))


class MailCursor(SQLModel, table=True):
    """How far the IMAP poll has read one folder: written with the tickets it made."""

    __tablename__ = "mail_cursor"

    folder: str = Field(primary_key=True, max_length=200)
    uidvalidity: int = Field(sa_type=BigInteger)
    last_uid: int = Field(sa_type=BigInteger)
    updated_at: datetime = Field(sa_column=_utc())


class ChannelCursor(SQLModel, table=True):
    """How far a polled channel other than IMAP (Twilio's message log) has been read,
    written in the same transaction as the messages it covers."""

    __tablename__ = "channel_cursor"

    name: str = Field(primary_key=True, max_length=200)
    position: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(sa_column=_utc())


class OutboundMessage(SQLModel, table=True):
    """A message to a customer, queued with the reply that made it, sent by the worker.

    ``message_id`` is fixed when queued, so a send that may have happened can be
    checked (the thread and the server know that id) instead of being repeated.
    """

    __tablename__ = "outbound_message"
    __table_args__ = (Index("ix_outbound_state_next", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    """None for mail about no ticket (a portal sign-in link)."""
    reply_id: int | None = Field(default=None, foreign_key="reply.id", index=True)
    channel: Channel = Field(sa_column=Column(StrEnumType(Channel), nullable=False))
    kind: str = Field(default="reply", max_length=16)
    """``reply`` (a technician's), ``ack`` (the automatic acknowledgement) or
    ``signin`` (a portal sign-in link)."""
    recipient: str = Field(max_length=320)
    subject: str = Field(sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    message_id: str = Field(max_length=998, unique=True)
    in_reply_to: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    references: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    state: DeliveryState = Field(sa_column=Column(StrEnumType(DeliveryState), nullable=False))
    attempts: int = Field(default=0)
    attempt_started_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    """Set while a send is under way: if the sender died, it may have gone out."""
    next_attempt_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    """When to try again; None once sent or given up."""
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    """What the channel did to the text (an SMS cut to the length a text may have)."""
    created_at: datetime = Field(sa_column=_utc())
    sent_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class InternalNote(SQLModel, table=True):
    """A private remark between technicians; never sent to the customer."""

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    technician_id: int | None = Field(default=None, foreign_key="technician.id")
    """None for a note an automation rule wrote (then ``author_name`` names the rule)."""
    author_name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=_utc())


class TimeEntry(SQLModel, table=True):
    """Time a technician spent on a ticket, billable to the client or not."""

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    technician_id: int = Field(foreign_key="technician.id")
    minutes: int
    billable: bool = Field(default=True)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    work_date: date
    created_at: datetime = Field(sa_column=_utc())
    removed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    """When the entry was withdrawn (logged by mistake): out of every total and
    report, kept for the audit trail beside its ``time_removed`` Event."""
    removed_by_id: int | None = Field(default=None, foreign_key="technician.id")


class Event(SQLModel, table=True):
    """The audit trail: who did what to which ticket, when, through which door."""

    __table_args__ = (Index("ix_event_ticket_at", "ticket_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    actor: str = Field(max_length=320)
    actor_kind: ActorKind = Field(sa_column=Column(StrEnumType(ActorKind), nullable=False))
    source: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(max_length=64, index=True)
    from_value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    to_value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    at: datetime = Field(sa_column=_utc(index=True))


class SavedView(SQLModel, table=True):
    """A technician's saved filter, shown as a tab ("My open", "Breached", ...)."""

    __tablename__ = "saved_view"
    __table_args__ = (UniqueConstraint("technician_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    technician_id: int = Field(foreign_key="technician.id", index=True)
    name: str = Field(max_length=60)
    filter_json: str = Field(sa_column=Column(JSONText(), nullable=False))
    position: int = Field(default=0)
    active: bool = Field(default=True)
    """Removed views are deactivated, not deleted."""
    created_at: datetime = Field(sa_column=_utc())


class IndexOutbox(SQLModel, table=True):
    """Tickets and articles whose search documents are out of date.

    Written in the same transaction as the change (a flush hook), drained by the
    worker into the search index, deleted only after the index committed.
    """

    __tablename__ = "index_outbox"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None)
    kb_id: int | None = Field(default=None)
    created_at: datetime = Field(sa_column=_utc())


class WorkerLease(SQLModel, table=True):
    """Who runs the background jobs: one holder at a time, renewed by its heartbeat."""

    __tablename__ = "worker_lease"

    name: str = Field(primary_key=True, max_length=40)
    holder: str = Field(max_length=200)
    acquired_at: datetime = Field(sa_column=_utc())
    heartbeat_at: datetime = Field(sa_column=_utc())
    expires_at: datetime = Field(sa_column=_utc())
    last_result: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class KBArticle(SQLModel, table=True):
    """A knowledge-base article that technicians (and later AI drafts) draw on."""

    __tablename__ = "kb_article"
    __table_args__ = (UniqueConstraint("slug"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=200)
    title: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))
    tags: str = Field(default="", max_length=500)
    created_at: datetime = Field(sa_column=_utc())
    updated_at: datetime = Field(sa_column=_utc())


class AiSuggestion(SQLModel, table=True):
    """What the AI (a model, or the rules standing in for one) suggested on a ticket:
    an analysis or a reply draft, kept with what it rested on for the review queue.

    Nothing here changes the ticket: priority moves only by the policy escalation a
    security or frustration flag triggers, recorded as its own event.
    """

    __tablename__ = "ai_suggestion"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: str = Field(max_length=16)
    """``analysis`` or ``draft``."""
    source: str = Field(max_length=16)
    """``model``, ``rules`` (analysis without a model) or ``extractive`` (draft)."""
    model: str | None = Field(default=None, max_length=200)
    suggested_priority: Priority | None = Field(
        default=None, sa_column=Column(StrEnumType(Priority), nullable=True)
    )
    security: bool = Field(default=False)
    frustration: bool = Field(default=False)
    confidence: float = Field(default=0.0)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    """The rules or the model's one-line reason; why a model answer was not used."""
    body: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    """The draft's text."""
    articles: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    """Titles of the KB articles a draft drew on, one a line."""
    event_id: int | None = Field(default=None, index=True)
    """The new-ticket or customer-reply event the daemon analysed (None: on request)."""
    verdict: str = Field(default="pending", max_length=16)
    """``pending``, ``correct`` or ``wrong``: a technician's review."""
    reviewed_by: str | None = Field(default=None, max_length=200)
    reviewed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    outcome: str | None = Field(default=None, max_length=16)
    """For a draft: ``sent`` as is, ``edited`` then sent, or ``discarded``."""
    created_at: datetime = Field(sa_column=_utc(index=True))


class AutomationRule(SQLModel, table=True):
    """An operator's rule (see regentra_core.automation for its shape and checks).

    Conditions and actions are kept as the JSON of their TOML form: the Desk checks
    them with ``automation.rule_from`` before writing, and reads them back through it.
    """

    __tablename__ = "automation_rule"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=100)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    trigger: str = Field(max_length=32, index=True)
    position: int = Field(default=100)
    """The rule's ``order``: lower runs first (ties by name)."""
    enabled: bool = Field(default=True)
    stop_after_match: bool = Field(default=False)
    conditions: str = Field(default="[]", sa_column=Column(JSONText(), nullable=False))
    actions: str = Field(default="[]", sa_column=Column(JSONText(), nullable=False))
    created_at: datetime = Field(sa_column=_utc())
    updated_at: datetime = Field(sa_column=_utc())


class AutomationRun(SQLModel, table=True):
    """The execution log: a rule that matched (and what it did) or was held back, or
    every rule that did not match one change."""

    __tablename__ = "automation_run"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_utc(index=True))
    rule_id: int | None = Field(default=None, index=True)
    rule_name: str = Field(max_length=100)
    trigger: str = Field(max_length=32)
    ticket_id: int | None = Field(default=None, index=True)
    outcome: str = Field(max_length=16)
    """``matched``, ``no_match``, ``loop_guard`` (skipped: it already ran in this chain),
    ``summary`` (a periodic run)."""
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    """The actions taken (and any refused); for ``no_match``, a line a rule with the
    first condition that failed."""
    rules: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    """For ``no_match``: the ids of the rules that did not match, as ``,3,7,``; one row
    holds every rule that did not match one change."""


class DeskState(SQLModel, table=True):
    """One row: who this desk is, and a counter of changes to its SLA set-up.

    Every process keeps the SLA book it built (policies, calendars, holidays, which
    client has which policy) while the counter stays: one cheap read instead of five
    queries and a rebuild on every list, sweep and escalation. Writes to those tables
    bump it in their own transaction (``store.config_version``).
    """

    __tablename__ = "desk_state"

    id: int | None = Field(default=None, primary_key=True)
    desk_id: str = Field(max_length=32)
    sla_version: int = Field(default=0)
    rules_version: int = Field(default=0)
    last_ticket_number: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """The last ticket number handed out (``desk.intake.next_ticket_number``)."""
    """Bumped by every write to ``automation_rule``: checked rules are kept per process."""
    sla_marks_gen: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    """The generation of the tickets' SLA marks: bumped when the SLA set-up changes
    what a ticket's clocks say; tickets marked under an older one are re-marked by the
    sweep, and until then lists compute badges live."""
    sla_marks_key: str | None = Field(default=None, max_length=64)
    """The SLA set-up's fingerprint (``SlaBook.fingerprint``) when ``sla_marks_gen``
    was last bumped: a write that leaves it alone (a client renamed) re-marks nothing."""


class TicketSpike(SQLModel, table=True):
    """A burst of tickets from one client, or with one subject, inside the window."""

    __tablename__ = "ticket_spike"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    """``client`` or ``subject``."""
    key: str = Field(max_length=300, index=True)
    label: str = Field(max_length=300)
    detected_at: datetime = Field(sa_column=_utc(index=True))
    first_number: int
    """The ticket that opened the burst: the master the spike suggests."""
    master_id: int | None = Field(default=None, foreign_key="ticket.id")
    """Set once someone made the suggested master."""


class SpikeMember(SQLModel, table=True):
    """A ticket that belongs to a spike."""

    __tablename__ = "spike_member"
    __table_args__ = (UniqueConstraint("spike_id", "ticket_id"),)

    id: int | None = Field(default=None, primary_key=True)
    spike_id: int = Field(foreign_key="ticket_spike.id", index=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)


class AiRequest(SQLModel, table=True):
    """A technician's request for AI work that needs the model's key (a reply draft or
    an analysis), which only the daemon holds: the daemon answers it.

    ``state`` is ``pending`` until the daemon records the answer in the review queue
    (``answered``, with the suggestion's id; ``error`` then says why the model was not
    used, if it was not) or gives up (``failed``: cancelled, expired, an error).
    """

    __tablename__ = "ai_request"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: str = Field(max_length=16)
    """``draft`` or ``analysis``."""
    requested_by: str = Field(max_length=200)
    """The asking technician's name (the audit trail's actor)."""
    technician_id: int | None = Field(default=None, foreign_key="technician.id")
    """Who signs the draft: the asking technician, not the daemon."""
    state: str = Field(default="pending", max_length=16, index=True)
    """``pending``, ``answered`` or ``failed``."""
    suggestion_id: int | None = Field(default=None, foreign_key="ai_suggestion.id")
    """The answer in the review queue."""
    error: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    """Why it failed, or why an answer came from the rules or the extractive draft."""
    created_at: datetime = Field(sa_column=_utc())
    answered_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


__all__ = [
    "AiRequest",
    "AiSuggestion",
    "AutomationRule",
    "AutomationRun",
    "DeskState",
    "SpikeMember",
    "TicketSpike",
    "BusinessCalendarRow",
    "Client",
    "Holiday",
    "SlaPolicy",
    "SlaTarget",
    "Contact",
    "Event",
    "InboundRecord",
    "IndexOutbox",
    "InternalNote",
    "OutboundMessage",
    "KBArticle",
    "Reply",
    "SavedView",
    "Technician",
    "Ticket",
    "TimeEntry",
    "WorkerLease",
]
