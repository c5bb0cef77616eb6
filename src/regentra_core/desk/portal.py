"""The customer portal's writes: sign-in links and the sessions they start (tickets
and replies from the portal go through the intake seam like every channel's), as
use cases over the transaction they run in (``Desk`` lists them).

A spent link is the session it started: its row (``PortalLogin``) is the server-side
session the portal's cookie names, and its ``expires_at`` then says when that session
ends. Signing out, or a lead's "sign out everywhere", moves it to now, so the cookie
stops working at once instead of for the rest of its 8 hours.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from .. import lifecycle
from ..enums import Channel, DeliveryState, Status
from ..errors import NoChange, NotFoundError, ValidationError
from ..events import EventKind
from ..lifecycle import CustomerReplyOutcome
from ..records import ContactRecord
from ..store.models import Contact, OutboundMessage, PortalLogin, Reply
from .contacts import find_contact
from .moves import load, touch, transition
from .tx import Door, Tx, transaction

SIGNIN_VALID = timedelta(minutes=30)
SESSION_LENGTH = timedelta(hours=8)
"""How long a portal session lasts from sign-in (unless signed out sooner)."""
SIGNIN_PER_ADDRESS_PER_HOUR = 3
"""Sign-in links one contact is sent per hour by default (``portal_signin_per_address``)."""


@dataclass(frozen=True, slots=True)
class PortalSession:
    """A session a sign-in link started: its row's id (what the cookie names) and
    whose it is."""

    id: int
    contact_id: int


def request_portal_signin(
    door: Door,
    email: str,
    token_hash: str,
    link: str,
    *,
    per_hour: int = SIGNIN_PER_ADDRESS_PER_HOUR,
) -> bool:
    """Queue a sign-in link for the contact with ``email``; False for an address
    that is no contact, or one sent ``per_hour`` links in the last hour (the portal
    shows every case the same page: no probing).

    Nothing is written for an address that is no contact or is over its limit:
    a flood of requests neither mails a contact hundreds of links nor fills the
    audit trail (an address that is no contact is looked up in a read, before any
    write transaction: no write lock is taken for it). Only the token's hash is
    stored; the link (with the token) goes out once, by the email outbox, so the
    worker's retries and in-doubt checks apply to it.
    """
    now = door.clock()
    address = email.strip().lower()
    with door.db.read() as s:
        # The lookup every channel uses: a merged contact's address signs in
        # the contact it became (whose tickets it now has).
        found = find_contact(s, email=address)
        known = found.id if found is not None else None
    if known is None:
        return False  # no write lock taken, no row written
    with transaction(door) as tx:
        return _queue_signin(tx, address, known, token_hash, link, per_hour, now)


def _queue_signin(
    tx: Tx, address: str, known: int, token_hash: str, link: str, per_hour: int, now: datetime
) -> bool:
    """The sign-in link's row and its mail, unless the contact changed meanwhile or
    is over its hourly limit."""
    s = tx.session
    contact = find_contact(s, email=address)
    if contact is None or contact.id is None or contact.id != known:
        return False
    sent = s.exec(
        select(func.count()).where(
            PortalLogin.contact_id == contact.id,
            col(PortalLogin.created_at) > now - timedelta(hours=1),
        )
    ).one()
    if sent >= per_hour:
        return False
    s.add(
        PortalLogin(
            token_hash=token_hash,
            contact_id=contact.id,
            expires_at=now + SIGNIN_VALID,
            created_at=now,
        )
    )
    s.add(
        OutboundMessage(
            ticket_id=None,
            channel=Channel.EMAIL,
            kind="signin",
            recipient=address,
            subject="Your sign-in link",
            body=(
                f"Hello {contact.name},\n\nsign in to see your tickets:\n\n{link}\n\n"
                "The link works once, for 30 minutes. If you did not ask for it,\n"
                "ignore this message.\n"
            ),
            message_id=f"<signin.{uuid.uuid4().hex}@{tx.config.mail.domain}>",
            state=DeliveryState.QUEUED,
            next_attempt_at=now,
            created_at=now,
        )
    )
    tx.event(None, EventKind.PORTAL_SIGNIN_SENT, to=address)
    return True


def set_portal_admin(tx: Tx, email: str, admin: bool) -> ContactRecord:
    """Let the contact see every ticket of their client in the portal (or only
    their own again). Leads only: it shows customers each other's tickets."""
    tx.require_lead("make a contact a client admin")
    address = email.strip().lower()
    contact = _contact(tx, address)
    if admin and contact.client_id is None:
        raise ValidationError(f"{address} belongs to no client")
    if contact.client_admin == admin:
        raise NoChange(f"{address} is {'already' if admin else 'not'} a client admin")
    contact.client_admin = admin
    tx.event(
        None,
        EventKind.PORTAL_ADMIN,
        to="client admin" if admin else "own tickets",
        detail=address,
    )
    return ContactRecord.of(contact)


def use_portal_signin(tx: Tx, token_hash: str) -> PortalSession | None:
    """Spend a sign-in link: the session it starts, or None when it is unknown,
    used or expired. Marked used in the same transaction, so it signs in once;
    from now on the row is the session, ending ``SESSION_LENGTH`` from now."""
    now = tx.now()
    s = tx.session
    login = s.exec(
        select(PortalLogin).where(PortalLogin.token_hash == token_hash).with_for_update()
    ).first()
    if login is None or login.used_at is not None or _expired(login, now):
        tx.event(None, EventKind.PORTAL_SIGNIN_REFUSED, detail="unknown, used or expired")
        return None
    login.used_at = now
    login.expires_at = now + SESSION_LENGTH
    contact = s.get(Contact, login.contact_id)
    tx.event(None, EventKind.PORTAL_SIGNED_IN, to=contact.email if contact else None)
    assert login.id is not None
    return PortalSession(login.id, login.contact_id)


def end_portal_session(tx: Tx, session_id: int) -> None:
    """Sign a portal session out: its cookie is refused from now on.
    ``NoChange`` when it had ended already."""
    now = tx.now()
    login = tx.session.get(PortalLogin, session_id)
    if login is None or login.used_at is None or _expired(login, now):
        raise NoChange("that portal session has ended already")
    login.expires_at = now
    contact = tx.session.get(Contact, login.contact_id)
    tx.event(None, EventKind.PORTAL_SIGNED_OUT, to=contact.email if contact else None)


def end_portal_sessions(tx: Tx, email: str) -> int:
    """Sign the contact with ``email`` out everywhere (leads): every session and
    every unspent sign-in link ends now. How many there were."""
    tx.require_lead("sign a contact out of the portal")
    now = tx.now()
    address = email.strip().lower()
    contact = _contact(tx, address)
    live = tx.session.exec(
        select(PortalLogin).where(
            PortalLogin.contact_id == contact.id, col(PortalLogin.expires_at) > now
        )
    ).all()
    for login in live:
        login.expires_at = now
    tx.event(
        None,
        EventKind.PORTAL_SESSIONS_ENDED,
        to=address,
        detail=f"{len(live)} session(s) and link(s) ended",
    )
    return len(live)


def _contact(tx: Tx, address: str) -> Contact:
    """The contact with this address as typed (merged ones included: a lead names
    the row they see)."""
    contact = tx.session.exec(select(Contact).where(Contact.email == address)).first()
    if contact is None:
        raise NotFoundError(f"no contact with the address {address!r}")
    return contact


def accept_replies(tx: Tx, number: int, sender: str | None = None) -> int:
    """Show the customer the replies on ticket ``number`` from senders who are not
    its contact nor of its client (all of them, or those from the address or
    number ``sender``). Until a technician accepts such a reply the portal does not
    show it: anyone can put ``[#N]`` in a subject and call themselves "Support".
    How many were accepted; ``NoChange`` when there were none."""
    tx.require_technician()
    who = sender.strip().lower() if sender else None
    ticket = load(tx, number)
    rows = tx.session.exec(
        select(Reply, Contact)
        .outerjoin(Contact, col(Contact.id) == col(Reply.contact_id))
        .where(Reply.ticket_id == ticket.id, col(Reply.unverified_sender).is_(True))
        .order_by(col(Reply.id))
    ).all()
    chosen = [
        reply
        for reply, contact in rows
        if who is None or (contact is not None and who in (contact.email, contact.phone))
    ]
    if not chosen:
        raise NoChange(
            f"#{number} has no reply from {who or 'another sender'} waiting to be accepted"
        )
    for reply in chosen:
        reply.unverified_sender = False
    tx.event(
        ticket,
        EventKind.REPLY_ACCEPTED,
        to=who,
        detail=f"{len(chosen)} reply(ies) from other senders shown to the customer",
    )
    # Accepted, the message does what a verified one would have done as it
    # arrived: a Waiting or (within its window) Resolved ticket reopens.
    now = tx.now()
    arrived = max(r.created_at for r in chosen)
    if lifecycle.customer_reply_outcome(ticket.status, ticket.resolved_at, arrived) in (
        CustomerReplyOutcome.RESUME,
        CustomerReplyOutcome.REOPEN,
    ):
        transition(tx, ticket, Status.IN_PROGRESS, actor=tx.actor, at=now)
    touch(ticket, now)
    tx.event(ticket, EventKind.CUSTOMER_REPLY, detail="accepted reply", at=now)
    return len(chosen)


def _expired(login: PortalLogin, now: datetime) -> bool:
    return login.expires_at <= now


__all__ = [
    "SESSION_LENGTH",
    "SIGNIN_PER_ADDRESS_PER_HOUR",
    "SIGNIN_VALID",
    "accept_replies",
    "end_portal_session",
    "end_portal_sessions",
    "request_portal_signin",
    "set_portal_admin",
    "use_portal_signin",
    "PortalSession",
]
