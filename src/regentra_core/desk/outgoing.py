"""What a ticket says back: a technician's reply and the outbound message it queues.

Every message to a customer (a reply, an acknowledgement, a rule's notification)
is queued here, in the transaction that decided to send it, with the thread
headers and the subject every other message of the ticket has; the delivery jobs
send it after the commit (``desk.delivery``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from ..channels import outbound
from ..channels.sms import sms_text
from ..enums import AuthorKind, Channel, DeliveryState
from ..events import EventKind
from ..store.models import Contact, InboundRecord, OutboundMessage, Reply, Ticket
from .moves import excerpt, row_id, touch
from .tx import Tx

AUTOMATIC_MAIL_CAP = 10
AUTOMATIC_MAIL_WINDOW = timedelta(minutes=10)


def technician_reply(tx: Tx, ticket: Ticket, body: str) -> Reply:
    """A public reply by the acting technician; the first stops the response clock."""
    tech_id = tx.require_technician()
    now = tx.now()
    reply = Reply(
        ticket_id=row_id(ticket),
        author_kind=AuthorKind.TECHNICIAN,
        technician_id=tech_id,
        author_name=tx.actor.name,
        body=body,
        channel=ticket.channel,
        created_at=now,
    )
    tx.session.add(reply)
    if ticket.first_response_at is None:
        ticket.first_response_at = now
    touch(ticket, now)
    tx.session.flush()
    tx.event(ticket, EventKind.TECHNICIAN_REPLY, detail=excerpt(body))
    queue_outbound(tx, ticket, body, now, reply=reply)
    return reply


def queue_outbound(
    tx: Tx,
    ticket: Ticket,
    body: str,
    now: datetime,
    *,
    reply: Reply | None = None,
    kind: str = "reply",
    subject: str | None = None,
) -> OutboundMessage | None:
    """Queue the message to the ticket's contact, in this transaction, if its
    channel answers through the outbox and the contact can be reached there.

    ``kind`` is ``reply`` or ``ack``; only replies escape the cap on automatic
    messages. ``subject`` replaces the ticket's own, still marked with the ticket's
    number. (A rule's notification, addressed and worded by the rule, is queued by
    :func:`queue_message` directly.)
    """
    s = tx.session
    if ticket.contact_id is None:
        return None
    contact = s.get(Contact, ticket.contact_id)
    if contact is None:
        return None
    route = outbound.answer_route(ticket.channel, contact.email, contact.phone)
    if route is None:
        return None
    channel, recipient = route
    is_ack = kind == "ack"
    url = tx.config.mail.ticket_url(ticket.number)
    text = outbound.ack_body(ticket.number, url) if is_ack else body
    note = None
    if channel == Channel.SMS:
        sms = sms_text(f"#{ticket.number}: {body}" if not is_ack else text)
        text, note = sms.text, sms.note
    elif not is_ack:
        text = outbound.with_marker(body, ticket.number)
    return queue_message(
        tx,
        ticket,
        channel=channel,
        recipient=recipient,
        kind=kind,
        subject=outbound.outgoing_subject(subject or ticket.subject, ticket.number, kind=kind),
        body=text,
        now=now,
        note=note,
        reply=reply,
    )


def queue_message(
    tx: Tx,
    ticket: Ticket,
    *,
    channel: Channel,
    recipient: str,
    kind: str,
    subject: str,
    body: str,
    now: datetime,
    note: str | None = None,
    reply: Reply | None = None,
) -> OutboundMessage | None:
    """Queue one message about ``ticket`` as given, in the ticket's thread: the one
    place an outbound row is made, so every message (a reply, an acknowledgement, a
    rule's notification to any address) carries the In-Reply-To and References of the
    ticket's conversation. ``None``: an automatic message over the cap, not queued."""
    s = tx.session
    if kind != "reply" and _automatic_mail_capped(tx, ticket, now):
        return None
    ids = [
        *s.exec(
            select(InboundRecord.external_id)
            .where(InboundRecord.ticket_id == ticket.id)
            .order_by(col(InboundRecord.id))
        ).all(),
        *s.exec(
            select(OutboundMessage.message_id)
            .where(OutboundMessage.ticket_id == ticket.id)
            .order_by(col(OutboundMessage.id))
        ).all(),
    ]
    in_reply_to, references = outbound.thread_headers(ids)
    message = OutboundMessage(
        ticket_id=row_id(ticket),
        reply_id=reply.id if reply else None,
        channel=channel,
        kind=kind,
        recipient=recipient,
        subject=subject,
        body=body,
        note=note,
        message_id=outbound.new_message_id(ticket.number, tx.config.mail.domain),
        in_reply_to=in_reply_to,
        references=references,
        state=DeliveryState.QUEUED,
        next_attempt_at=now,
        created_at=now,
    )
    s.add(message)
    s.flush()
    tx.event(ticket, EventKind.OUTBOUND_QUEUED, to=recipient, detail=f"{kind} {message.message_id}")
    return message


def _automatic_mail_capped(tx: Tx, ticket: Ticket, now: datetime) -> bool:
    """At most ``AUTOMATIC_MAIL_CAP`` automatic messages per ticket in the window
    (as Zammad caps them), so two autoresponders can never ping-pong forever."""
    recent = tx.session.exec(
        select(func.count()).where(
            OutboundMessage.ticket_id == ticket.id,
            OutboundMessage.kind != "reply",
            col(OutboundMessage.created_at) >= now - AUTOMATIC_MAIL_WINDOW,
        )
    ).one()
    if int(recent) < AUTOMATIC_MAIL_CAP:
        return False
    tx.event(
        ticket,
        EventKind.AUTOMATIC_MAIL_CAPPED,
        detail=f"{recent} automatic messages in the last "
        f"{int(AUTOMATIC_MAIL_WINDOW.total_seconds() // 60)} minutes; this one was not sent",
        at=now,
    )
    return True
