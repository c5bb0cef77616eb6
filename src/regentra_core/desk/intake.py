"""Intake: new tickets from any channel, and what a customer's reply does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, update
from sqlmodel import Session, col, select

from .. import lifecycle
from ..channels import outbound
from ..enums import (
    ActorKind,
    AuthorKind,
    Channel,
    EscalationReason,
    Priority,
    Status,
)
from ..events import EventKind
from ..identity import Actor
from ..lifecycle import CustomerReplyOutcome
from ..records import TicketRecord
from ..store.models import (
    Client,
    Contact,
    DeskState,
    Reply,
    Ticket,
)
from ..store.rows import insert_now
from . import moves
from .contacts import contact_for
from .moves import FIRST_TICKET_NUMBER, clean_text
from .moves import excerpt as _excerpt
from .moves import row_id as _id
from .spikes import check_spike
from .tx import Tx


@dataclass(frozen=True, slots=True)
class CustomerReplyResult:
    """Where a customer's reply landed and what it did."""

    ticket_number: int
    reply_id: int | None
    """None for a follow-up: the message is the new ticket's description."""
    outcome: CustomerReplyOutcome
    follow_up_of: int | None = None


def create_ticket(
    tx: Tx,
    *,
    subject: str,
    description: str,
    priority: Priority,
    channel: Channel,
    contact_email: str | None = None,
    contact_phone: str | None = None,
    contact_name: str | None = None,
    client_name: str | None = None,
    created_at: datetime | None = None,
) -> TicketRecord:
    """Open a ticket from any channel; the customer's priority is kept as given.

    An unknown contact is created (under ``client_name`` if given, else under the
    client that claims the email's domain); an unknown client is refused, because
    clients are contracts, not typos. A VIP client's LOW/MEDIUM ticket is raised
    to HIGH by policy, with its own Event.
    """
    subject = clean_text(subject, what="subject")
    description = clean_text(description, what="description", required=False)
    now = created_at or tx.now()
    contact = contact_for(tx, contact_email, contact_phone, contact_name, client_name, now)
    ticket = open_ticket(tx, subject, description, priority, channel, contact, now)
    tx.settle()  # the record shows what the rules did to the new ticket
    return TicketRecord.of(ticket)


def open_ticket(
    tx: Tx,
    subject: str,
    description: str,
    priority: Priority,
    channel: Channel,
    contact: Contact,
    now: datetime,
    actor: Actor | None = None,
) -> Ticket:
    """A new Open ticket from ``contact``, audited, raised by policy for a VIP client,
    and checked against the spike policy (every channel's new ticket comes here)."""
    client = tx.session.get(Client, contact.client_id) if contact.client_id else None
    ticket = insert_ticket(
        tx,
        subject=subject,
        description=description,
        priority=priority,
        channel=channel,
        contact=contact,
        client=client,
        now=now,
    )
    tx.event(
        ticket,
        EventKind.CREATED,
        to=Status.OPEN.value,
        detail=f"via {channel.value}",
        at=now,
        actor=actor,
    )
    if client is not None and client.vip:
        moves.escalate(tx, ticket, EscalationReason.VIP, at=now)
    check_spike(tx, ticket, now)
    return ticket


def insert_ticket(
    tx: Tx,
    *,
    subject: str,
    description: str,
    priority: Priority,
    channel: Channel,
    contact: Contact | None,
    client: Client | None,
    now: datetime,
    follow_up_of: Ticket | None = None,
) -> Ticket:
    """The ticket row, inserted now (its id is needed at once), with the next number."""
    s = tx.session
    number = next_ticket_number(s)
    ticket = Ticket(
        number=number,
        subject=subject,
        description=description,
        status=Status.OPEN,
        priority=priority,
        channel=channel,
        client_id=client.id if client else None,
        contact_id=contact.id if contact else None,
        follow_up_of_id=follow_up_of.id if follow_up_of else None,
        created_at=now,
        updated_at=now,
    )
    insert_now(s, ticket)
    return ticket


# -- conversation -----------------------------------------------------------


def add_customer_reply(
    tx: Tx,
    number: int,
    body: str,
    *,
    channel: Channel = Channel.EMAIL,
    external_id: str | None = None,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> CustomerReplyResult:
    """Add the customer's reply and apply what it means for the ticket.

    Waiting on Customer resumes; Resolved reopens; Closed (or Resolved past its
    24 hours) stays closed and a follow-up ticket linked to it takes the reply.
    A technician recording it by hand may name the version they read, like any
    other edit, since the reply can move the ticket's status.
    """
    body = clean_text(body, what="reply")
    s = tx.session
    now = at or tx.now()
    ticket = moves.load(tx, number, expected_version)
    contact = s.get(Contact, ticket.contact_id) if ticket.contact_id else None
    return customer_reply(
        tx, ticket, body, contact, channel=channel, external_id=external_id, now=now
    )


def customer_reply(
    tx: Tx,
    ticket: Ticket,
    body: str,
    contact: Contact | None,
    *,
    channel: Channel,
    now: datetime,
    external_id: str | None = None,
    unverified: bool = False,
) -> CustomerReplyResult:
    """The reply by ``contact`` (the sender) and what it does to the ticket."""
    s = tx.session
    author = contact.name if contact else "customer"
    actor = Actor(
        ActorKind.CUSTOMER,
        (contact.email or contact.phone or "") if contact else "customer",
    )
    outcome = lifecycle.customer_reply_outcome(ticket.status, ticket.resolved_at, now)
    if unverified and outcome in (CustomerReplyOutcome.RESUME, CustomerReplyOutcome.REOPEN):
        # Anyone can write [#N]: a sender not verified for the ticket moves no
        # status (nor, by its own event kind, any rule or AI escalation) until a
        # technician accepts the message (Desk.accept_replies then reopens).
        outcome = CustomerReplyOutcome.APPEND
    heard = EventKind.UNVERIFIED_REPLY if unverified else EventKind.CUSTOMER_REPLY
    target = ticket
    follow_up_of: int | None = None
    if outcome == CustomerReplyOutcome.FOLLOW_UP:
        if ticket.status == Status.RESOLVED and not unverified:
            moves.close_overdue(tx, ticket)  # (a stranger's leaves it to auto-close)
        client = s.get(Client, ticket.client_id) if ticket.client_id else None
        subject = _follow_up_subject(ticket.subject)
        if unverified and contact is not None:
            # A stranger naming a closed ticket gets neither its client (whose
            # admins would read the stranger's text in the portal) nor its
            # subject (the stranger would read it in theirs).
            client = s.get(Client, contact.client_id) if contact.client_id else None
            subject = f"Follow-up of #{ticket.number} from another sender"
        # The follow-up continues the conversation where it was held (an email
        # thread stays email, whatever door this reply came through; a manual
        # ticket's, which reaches nobody, goes the way the customer wrote) and
        # stays with the technician who had it.
        target = insert_ticket(
            tx,
            subject=subject,
            description=body,
            priority=ticket.priority,
            channel=outbound.follow_up_channel(ticket.channel, channel),
            contact=contact,
            client=client,
            now=now,
            follow_up_of=ticket,
        )
        target.assignee_id = ticket.assignee_id
        follow_up_of = ticket.number
        tx.event(
            target,
            EventKind.CREATED,
            to=Status.OPEN.value,
            at=now,
            actor=actor,
            detail=f"follow-up of #{ticket.number} via {channel.value}",
        )
        tx.event(ticket, EventKind.FOLLOW_UP_CREATED, to=str(target.number), at=now, actor=actor)
        detail = _excerpt(body) + (" (unverified sender)" if unverified else "")
        tx.event(target, heard, detail=detail, at=now, actor=actor)
        # Its text is the follow-up's description; a reply with it would show it twice.
        return CustomerReplyResult(target.number, None, outcome, follow_up_of)
    elif outcome in (CustomerReplyOutcome.RESUME, CustomerReplyOutcome.REOPEN):
        moves.transition(tx, ticket, Status.IN_PROGRESS, actor=actor, at=now)
    reply = Reply(
        ticket_id=_id(target),
        author_kind=AuthorKind.CUSTOMER,
        contact_id=contact.id if contact else None,
        author_name=author,
        body=body,
        channel=channel,
        external_id=external_id,
        unverified_sender=unverified,
        created_at=now,
    )
    insert_now(s, reply)
    moves.touch(target, now)
    detail = _excerpt(body) + (" (unverified sender)" if unverified else "")
    tx.event(target, heard, detail=detail, at=now, actor=actor)
    return CustomerReplyResult(target.number, _id(reply), outcome, follow_up_of)


def next_ticket_number(s: Session) -> int:
    """The next ticket number, taken in this transaction.

    One ``UPDATE ... RETURNING`` on the desk's state row: concurrent creators queue
    on its row lock until each commits (PostgreSQL), as SQLite's single writer
    always made them; a rollback gives the number back, so numbers have no gaps.
    Tickets written around the Desk (a bulk import, a copied desk) are allowed for:
    the number is past the highest ticket whatever the counter says.
    """
    highest = func.coalesce(
        select(func.max(Ticket.number)).scalar_subquery(), FIRST_TICKET_NUMBER - 1
    )
    last = col(DeskState.last_ticket_number)
    taken = (
        update(DeskState)
        .where(col(DeskState.id) == 1)
        .values(last_ticket_number=case((highest > last, highest), else_=last) + 1)
        .returning(last)
    )
    return int(s.connection().execute(taken).scalar_one())


def _follow_up_subject(subject: str) -> str:
    return subject if subject.lower().startswith("follow-up:") else f"Follow-up: {subject}"
