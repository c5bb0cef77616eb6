"""Channel intake: one inbound message from any channel, applied in one transaction.

``receive`` and ``receive_many`` take the desk's door (a batch that fails is
retried one message a transaction); what one transaction has learnt about the
messages it stores is its typed :class:`IntakeMemo`, read and kept in step here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import DataError
from sqlmodel import Session, col, select

from ..attachments import summary_line
from ..channels import Drop, Facts, Inbound, New, ReplyTo, route
from ..channels.mail import not_understood, sender_key
from ..channels.outbound import cc_list
from ..channels.route import marker_number, subject_number
from ..enums import ActorKind, Channel, DeliveryState, InboundOutcome, Priority, Status
from ..errors import NotFoundError, RaceLost, StoreError, ValidationError
from ..events import EventKind
from ..identity import Actor
from ..lifecycle import CustomerReplyOutcome
from ..limits import SUBJECT_MAX
from ..store.engine import Database
from ..store.models import (
    ChannelCursor,
    Contact,
    InboundRecord,
    MailCursor,
    OutboundMessage,
    Ticket,
)
from ..text import shorten
from . import moves, outgoing
from .attachments import add_rows
from .cc import gather_cc, people_named
from .contacts import ContactMemo, contact_for, find_contact, live_contact
from .intake import customer_reply, open_ticket
from .moves import excerpt as _excerpt
from .moves import row_id as _id
from .tx import Door, Tx, transaction

RATE_LIMIT_PER_HOUR = 20
"""New tickets one sender may open per hour before their mail is held back."""
RACE_RETRIES = 3
"""A message whose transaction lost a race is received again this many times (the
second try sees the winner's record and stores nothing twice)."""

_OUTCOME = {
    CustomerReplyOutcome.APPEND: InboundOutcome.REPLY,
    CustomerReplyOutcome.RESUME: InboundOutcome.REPLY,
    CustomerReplyOutcome.REOPEN: InboundOutcome.REOPENED,
    CustomerReplyOutcome.FOLLOW_UP: InboundOutcome.FOLLOW_UP,
}


@dataclass(frozen=True, slots=True)
class CursorStep:
    """Where an IMAP folder has been read up to, once this message is stored."""

    folder: str
    uidvalidity: int
    uid: int


@dataclass(frozen=True, slots=True)
class ChannelStep:
    """Where a polled channel's log (Twilio's) has been read up to, once this message
    is stored."""

    name: str
    at: datetime


Step = CursorStep | ChannelStep


@dataclass(frozen=True, slots=True)
class ReceiveResult:
    """What one inbound message did."""

    outcome: InboundOutcome
    ticket: int | None = None
    reason: str | None = None
    via: str | None = None
    """The threading rule that matched a reply (``reference``, ``subject``, ``marker``)."""


@dataclass(frozen=True, slots=True)
class HeldMessage:
    """A skipped message whose source is kept: one a technician may still accept."""

    id: int
    channel: Channel
    sender: str
    subject: str
    reason: str
    received_at: datetime
    size: int


def held_messages(db: Database, *, limit: int = 200) -> list[HeldMessage]:
    """Skipped messages with their source kept, newest first (``mail skipped``)."""
    with db.read() as s:
        # Seven columns: past sqlmodel's typed select; never the sources themselves.
        rows = s.execute(
            sa_select(
                col(InboundRecord.id),
                col(InboundRecord.channel),
                col(InboundRecord.sender),
                col(InboundRecord.subject),
                col(InboundRecord.reason),
                col(InboundRecord.received_at),
                func.length(col(InboundRecord.raw)),
            )
            .where(
                col(InboundRecord.outcome) == InboundOutcome.SKIPPED,
                col(InboundRecord.ticket_id).is_(None),
                col(InboundRecord.raw).is_not(None),
            )
            .order_by(col(InboundRecord.received_at).desc(), col(InboundRecord.id).desc())
            .limit(limit)
        ).all()
    return [
        HeldMessage(int(i), Channel(c), sender, subject, reason or "", at, int(size or 0))
        for i, c, sender, subject, reason, at, size in rows
    ]


def held_source(db: Database, record_id: int) -> bytes:
    """The kept source of skipped message ``record_id`` (to parse and accept)."""
    with db.read() as s:
        row = s.exec(
            select(InboundRecord.raw, InboundRecord.outcome).where(InboundRecord.id == record_id)
        ).first()
    if row is None:
        raise NotFoundError(f"no skipped message {record_id}")
    if row[0] is None:
        raise ValidationError(
            f"message {record_id} has no kept source: it was not held back, or it is "
            "past skipped_mail_retention_days"
        )
    return bytes(row[0])


def receive(
    door: Door,
    message: Inbound,
    *,
    rate_limit: int = RATE_LIMIT_PER_HOUR,
    own_addresses: frozenset[str] = frozenset(),
    acknowledge: bool = False,
    cursor: Step | None = None,
) -> ReceiveResult:
    """Store ``message`` once and do what it means: a ticket, a reply, or nothing.

    The inbound record (unique per channel and external id) is written in the same
    transaction as the ticket or reply, so a message delivered twice, or by two
    processes at once, stores nothing the second time. ``acknowledge`` queues an
    automatic acknowledgement for a new ticket (never for automatic mail, which
    opens no ticket). ``cursor`` moves the IMAP folder's read position in the
    same transaction, so a crash either stores the message and the position or
    neither: nothing is skipped and nothing is stored twice.

    A message whose content a check refuses (a From that is no address, a
    header a rule cannot read) is stored all the same, as a message not
    understood (``mail.not_understood``): only a failure a retry can cure (the
    database, the disk) is raised. Each try is a transaction of its own, hence
    the door.
    """
    try:
        return _receive_once(door, message, rate_limit, own_addresses, acknowledge, cursor)
    except Exception as exc:
        if not about_content(exc):
            raise
        kept = not_understood(message, _why(exc))
    return _receive_once(door, kept, rate_limit, own_addresses, acknowledge, cursor)


def _receive_once(
    door: Door,
    message: Inbound,
    rate_limit: int,
    own_addresses: frozenset[str],
    acknowledge: bool,
    cursor: Step | None,
) -> ReceiveResult:
    for attempt in range(RACE_RETRIES + 1):
        try:
            with transaction(door) as tx:
                if cursor is not None:
                    _advance(tx.session, cursor, message.received_at)
                return _receive(tx, message, rate_limit, own_addresses, acknowledge)
        except RaceLost:
            # Another process stored the same (channel, external id) first: the
            # next try sees its record (or, if the race was over something else,
            # stores the message after all).
            if attempt == RACE_RETRIES:
                raise
    raise AssertionError("unreachable")  # the last attempt returns or raises


def receive_many(
    door: Door,
    batch: Sequence[tuple[Inbound, Step | None]],
    *,
    rate_limit: int = RATE_LIMIT_PER_HOUR,
    own_addresses: frozenset[str] = frozenset(),
    acknowledge: bool = False,
) -> list[ReceiveResult]:
    """:func:`receive` for a fetched batch, in one transaction (all or nothing).

    Each message still gets its own decision and record; a transaction per
    message costs more than the message itself. If two processes race on the
    same message, or one message's content is refused, the batch is redone one
    message at a time (that one kept as a message not understood).
    """
    try:
        with transaction(door) as tx:
            s = tx.session
            _preload(tx, [message for message, _ in batch])
            # What a message needs of the ones before it is in the batch's memos or
            # already inserted (tickets, replies, contacts: ``rows.insert_now``):
            # the rest (records, ticket updates) is flushed once, at the commit,
            # not before each question a later message asks (a third of intake).
            with s.no_autoflush:
                results = [
                    _receive(tx, message, rate_limit, own_addresses, acknowledge)
                    for message, _ in batch
                ]
            # Same transaction, so only where each folder ends up matters.
            for message, cursor in batch:
                if cursor is not None:
                    _advance(s, cursor, message.received_at)
            return results
    except Exception as exc:
        if not isinstance(exc, RaceLost) and not about_content(exc):
            raise
    return [
        receive(
            door,
            message,
            rate_limit=rate_limit,
            own_addresses=own_addresses,
            acknowledge=acknowledge,
            cursor=cursor,
        )
        for message, cursor in batch
    ]


def _receive(
    tx: Tx, msg: Inbound, rate_limit: int, own: frozenset[str], ack: bool
) -> ReceiveResult:
    """One message's decision and what it does, in ``tx`` (one of a batch's, maybe)."""
    s, memo = tx.session, tx.memo(IntakeMemo)
    now = msg.received_at
    seen = _seen(tx, msg)
    if seen is not None:
        return ReceiveResult(InboundOutcome.DUPLICATE, _number(s, seen[0]), "already received")
    # Only the previous message's inbound record can be unwritten here, and what
    # these questions need of it is in the batch's memo: a flush for it before
    # each question cost more than the question.
    with s.no_autoflush:
        named = _existing(s, msg.ticket)
        foreign = named is not None and not _may_join(s, msg.sender, named)
        facts = Facts(
            referenced_ticket=_referenced(tx, msg.channel, msg.references),
            subject_ticket=_existing(s, subject_number(msg.subject)),
            marker_ticket=_existing(s, marker_number(msg.body)),
            named_ticket=None if foreign else named,
            sender_ticket=_sender_ticket(s, msg.sender, now)
            if msg.channel == Channel.SMS
            else None,
            new_tickets_by_sender_last_hour=memo.new_tickets(tx, rate_key(msg), now),
            rate_limit=rate_limit,
            own_addresses=own,
        )
    decision = route(msg, facts)
    held = isinstance(decision, Drop) and decision.held
    record = InboundRecord(
        channel=msg.channel,
        external_id=msg.external_id,
        # What the rate limit counts: the address, or for unreadable mail what
        # its From line says (never one bucket for all of it).
        sender=rate_key(msg)[:320],
        subject=msg.subject,
        outcome=InboundOutcome.SKIPPED,
        # Unparsed mail's source is its only copy; held-back mail's is what a
        # technician accepts later (until skipped_mail_retention_days).
        raw=msg.raw if msg.unparsed or held else None,
        agent=msg.agent[:200] if msg.agent else None,
        received_at=now,
    )
    if isinstance(decision, Drop):
        record.reason = decision.reason
        if msg.is_report:
            record.ticket_id = _bounced(tx, msg)
        _keep(tx, record)
        if record.ticket_id is None:
            tx.event(
                None,
                EventKind.INBOUND_SKIPPED,
                to=msg.sender[:200] or None,
                detail=f"{msg.channel.value} {msg.external_id}: {decision.reason}",
                at=now,
                actor=Actor.system(msg.channel.value),
            )
        return ReceiveResult(InboundOutcome.SKIPPED, _number(s, record.ticket_id), decision.reason)
    body = _with_attachments(msg)
    contact = _sender_contact(tx, msg)
    actor = Actor(ActorKind.CUSTOMER, msg.sender or "unknown sender")
    if isinstance(decision, New):
        ticket = _new_from(tx, msg, body, contact, now, actor)
        _answered(ticket, msg)
        add_rows(s, _id(ticket), None, msg.attachments, now)
        record.outcome, record.ticket_id = InboundOutcome.CREATED, ticket.id
        memo.opened(tx, rate_key(msg), now)
        _keep(tx, record)
        gather_cc(tx, ticket, named=people_named(msg.headers), own=own, actor=actor, now=now)
        # An acknowledgement needs someone to go to: none for unreadable mail
        # or a sender without an address (its contact is unknown-sender@invalid).
        if ack and _acknowledged(msg):
            s.flush()  # the ack threads on this message's id
            outgoing.queue_outbound(tx, ticket, "", now, kind="ack")
        # A session (chat) naming a ticket its sender may not see never joins it:
        # its transcript would be in that ticket's customer's portal.
        why = f"#{named} is not the sender's ticket: opened a new one" if foreign else None
        return ReceiveResult(InboundOutcome.CREATED, ticket.number, why)
    assert isinstance(decision, ReplyTo)
    ticket = moves.load(tx, decision.number)
    unverified = contact.id != ticket.contact_id and (
        contact.client_id is None or contact.client_id != ticket.client_id
    )
    result = customer_reply(
        tx,
        ticket,
        body or "(empty message)",
        contact,
        channel=msg.channel,
        now=now,
        external_id=msg.external_id,
        unverified=unverified,
    )
    outcome = _OUTCOME[result.outcome]
    target = (
        ticket
        if result.ticket_number == ticket.number
        else s.exec(select(Ticket).where(Ticket.number == result.ticket_number)).one()
    )
    _answered(target, msg)
    # A follow-up's opening message is this one (reply None): its files go there.
    add_rows(s, _id(target), result.reply_id, msg.attachments, now)
    if decision.via == "sender":
        # SMS has no threading: say on the message why it joined this ticket.
        record.reason = (
            f"joined #{ticket.number}: the last ticket this number wrote about"
            if target is ticket
            else f"#{ticket.number}, the last ticket this number wrote about, is "
            f"{ticket.status.label}: follow-up #{target.number}"
        )
    record.outcome, record.ticket_id, record.reply_id = outcome, target.id, result.reply_id
    _keep(tx, record)
    if not unverified:  # a stranger's mail names nobody we copy
        kept = cc_list(ticket.cc) if target is not ticket else []  # a follow-up's too
        people, writers = people_named(msg.headers), [*kept, msg.sender]
        gather_cc(tx, target, named=people, writers=writers, own=own, actor=actor, now=now)
    if outcome == InboundOutcome.FOLLOW_UP and ack and _acknowledged(msg):
        s.flush()  # the ack threads on this message's id
        outgoing.queue_outbound(tx, target, "", now, kind="ack")
    return ReceiveResult(outcome, result.ticket_number, via=decision.via)


def _new_from(
    tx: Tx, msg: Inbound, body: str, contact: Contact, now: datetime, actor: Actor
) -> Ticket:
    """A new ticket for ``msg``; a subject over the limit is cut at a word with "…" on the
    ticket and kept whole at the top of its description (mail is never refused)."""
    full = msg.subject.strip()
    subject = shorten(full, SUBJECT_MAX) or shorten(" ".join(body.split()), 80)
    subject = subject or "(no subject)"
    if subject != full and full:
        body = f"Subject: {full}\n\n{body}".strip()
    priority = msg.priority or Priority.MEDIUM
    ticket = open_ticket(tx, subject, body, priority, msg.channel, contact, now, actor=actor)
    if msg.unparsed:
        tx.event(ticket, EventKind.UNPARSED_MESSAGE, detail=msg.external_id, at=now)
    return ticket


def accept_skipped(tx: Tx, record_id: int, message: Inbound) -> ReceiveResult:
    """Make a held-back message a ticket: a technician's decision, audited.

    ``message`` is the record's kept source parsed again (the caller parses it,
    as every mail door does, so its attachments are saved). The record becomes
    the ticket's: a redelivery of the same mail is then a duplicate of it.
    """
    s = tx.session
    record = s.exec(
        select(InboundRecord).where(InboundRecord.id == record_id).with_for_update()
    ).first()
    if record is None:
        raise NotFoundError(f"no skipped message {record_id}")
    if record.outcome != InboundOutcome.SKIPPED or record.ticket_id is not None:
        number = _number(s, record.ticket_id)
        raise ValidationError(
            f"message {record_id} is not held back: it is {record.outcome.value}"
            + (f" (#{number})" if number else "")
        )
    if record.raw is None:
        raise ValidationError(
            f"message {record_id} has no kept source (skipped for "
            f"{(record.reason or 'no reason')[:80]}, or past its retention)"
        )
    now = tx.now()
    body = _with_attachments(message)
    contact = _sender_contact(tx, message)
    ticket = _new_from(tx, message, body, contact, now, tx.actor)
    add_rows(s, _id(ticket), None, message.attachments, now)
    record.outcome, record.ticket_id = InboundOutcome.CREATED, ticket.id
    tx.event(
        ticket,
        EventKind.INBOUND_ACCEPTED,
        to=str(ticket.number),
        detail=f"{record.channel.value} {record.external_id[:200]}: "
        f"was {(record.reason or 'skipped')[:200]}",
        at=now,
    )
    return ReceiveResult(InboundOutcome.CREATED, ticket.number)


def purge_skipped_mail(tx: Tx, older_than: datetime) -> int:
    """Forget the kept source of skipped messages received before ``older_than``
    (the lead's ``skipped_mail_retention_days``); the records stay. How many."""
    s = tx.session
    rows = s.exec(
        select(InboundRecord).where(
            InboundRecord.outcome == InboundOutcome.SKIPPED,
            col(InboundRecord.raw).is_not(None),
            col(InboundRecord.received_at) < older_than,
        )
    ).all()
    if not rows:
        return 0  # nothing to forget: no Event every hour for nothing
    for row in rows:
        row.raw = None
    tx.event(
        None,
        EventKind.INBOUND_PURGED,
        to=str(len(rows)),
        detail=f"source of skipped mail received before {older_than:%Y-%m-%d %H:%M} UTC",
    )
    return len(rows)


def _referenced(tx: Tx, channel: Channel, references: tuple[str, ...]) -> int | None:
    """The ticket a Message-ID we stored or sent belongs to (first match wins)."""
    s, seen = tx.session, tx.memo(IntakeMemo).seen
    for ref in references:
        stored = seen.get((channel, ref))
        if stored is not None and stored[0] is not None:
            return _number(s, stored[0])
        ticket_id = s.exec(
            select(InboundRecord.ticket_id).where(
                InboundRecord.external_id == ref, col(InboundRecord.ticket_id).is_not(None)
            )
        ).first()
        if ticket_id is None:
            ticket_id = s.exec(
                select(OutboundMessage.ticket_id).where(OutboundMessage.message_id == ref)
            ).first()
        if ticket_id is not None:
            return _number(s, ticket_id)
    return None


def _sender_contact(tx: Tx, msg: Inbound) -> Contact:
    """The contact ``msg`` is from: by address, else by number, else the one
    unknown sender (mail whose From could not be read)."""
    if msg.sender and "@" in msg.sender:
        # A chat's contact may give a number too: stored on the contact, or noted.
        return contact_for(
            tx,
            msg.sender,
            msg.sender_phone or None,
            msg.sender_name or None,
            None,
            msg.received_at,
        )
    if msg.sender:
        return contact_for(tx, None, msg.sender, msg.sender_name or None, None, msg.received_at)
    return contact_for(tx, "unknown-sender@invalid", None, "Unknown sender", None, msg.received_at)


def _bounced(tx: Tx, msg: Inbound) -> int | None:
    """Mark the outbound message a delivery report is about as failed; its ticket."""
    s = tx.session
    for ref in msg.bounce_of:
        out = s.exec(select(OutboundMessage).where(OutboundMessage.message_id == ref)).first()
        if out is None:
            continue
        out.state, out.next_attempt_at = DeliveryState.FAILED, None
        out.last_error = f"bounced: {_excerpt(msg.body, 300)}"
        ticket = s.get(Ticket, out.ticket_id)
        tx.event(
            ticket,
            EventKind.DELIVERY_FAILED,
            to=out.recipient,
            detail=out.last_error,
            at=msg.received_at,
        )
        return out.ticket_id
    return None


def _acknowledged(msg: Inbound) -> bool:
    """Whether a message that opens a ticket (new or follow-up) gets an acknowledgement:
    readable mail with an address to answer (never unknown-sender@invalid)."""
    return not msg.unparsed and bool(msg.sender) and msg.channel == Channel.EMAIL


def about_content(exc: Exception) -> bool:
    """Whether ``exc``, raised while a message was received, came of what the message
    says: a refused value (ValidationError, a PostgreSQL DataError) or a parser's
    own failure on hostile text (RecursionError, ValueError, an unknown codec).
    Not the database or the disk (a retry cures them), nor any other error (a
    bug, kept loud)."""
    if isinstance(exc, StoreError | OSError):
        return False
    return isinstance(exc, _CONTENT_ERRORS)


_CONTENT_ERRORS = (ValidationError, DataError, RecursionError, ValueError, LookupError)


def _why(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"[:300]


def _answered(ticket: Ticket, msg: Inbound) -> None:
    """A message an agent answered in (a chat session) is the ticket's first response,
    at the agent's first line: its response clock stops there, not at a later reply.
    A session that opens a ticket was answered before the ticket exists (it is
    created when the session ends): its time is kept as said, and the clock used none."""
    if msg.answered_at is None or ticket.first_response_at is not None:
        return
    ticket.first_response_at = msg.answered_at


@dataclass(slots=True)
class IntakeMemo:
    """What the intake has learnt in one transaction, so a batch of mail asks each
    question once: which messages are stored, and how many tickets each sender
    opened in the last hour (the rate limit). Filled ahead of a batch by
    ``_preload`` (three queries for the whole batch) or on first need, and kept in
    step by the intake itself as it stores records and opens tickets."""

    seen: dict[tuple[Channel, str], tuple[int | None] | None] = field(default_factory=dict)
    """(channel, external id) -> (ticket id,) if stored (the ticket may be None: a
    message skipped), None if not."""
    new_by_sender: dict[str, int] = field(default_factory=dict)
    """A rate key (``rate_key``) -> new tickets it opened in the hour."""

    def new_tickets(self, tx: Tx, sender: str, now: datetime) -> int:
        """New tickets ``sender`` opened in the hour before ``now``: counted once a
        transaction (a batch is received within seconds), then kept by :meth:`opened`."""
        if sender not in self.new_by_sender:
            self.new_by_sender[sender] = _count_recent_new(tx.session, sender, now)
        return self.new_by_sender[sender]

    def opened(self, tx: Tx, sender: str, now: datetime) -> None:
        """``sender`` opened one more ticket in this transaction."""
        self.new_by_sender[sender] = self.new_tickets(tx, sender, now) + 1


def _preload(tx: Tx, batch: Sequence[Inbound]) -> None:
    """Answer a batch's repeated questions in three queries instead of three a message:
    which messages are stored already, how many tickets each sender opened in the last
    hour, and which senders are known contacts (``contacts.ContactMemo``)."""
    s, memo = tx.session, tx.memo(IntakeMemo)
    by_channel: dict[Channel, list[str]] = {}
    for msg in batch:
        memo.seen.setdefault((msg.channel, msg.external_id), None)
        by_channel.setdefault(msg.channel, []).append(msg.external_id)
    for channel, ids in by_channel.items():
        for chunk in _chunks(ids):
            rows = s.exec(
                select(InboundRecord.external_id, InboundRecord.ticket_id).where(
                    InboundRecord.channel == channel,
                    col(InboundRecord.external_id).in_(chunk),
                )
            ).all()
            for external_id, ticket_id in rows:
                memo.seen[(channel, external_id)] = (ticket_id,)
    senders = sorted({rate_key(m) for m in batch})
    counts = memo.new_by_sender
    since = min(m.received_at for m in batch) - timedelta(hours=1)
    for chunk in _chunks(senders):
        counts.update(dict.fromkeys(chunk, 0))
        counts.update(
            s.exec(
                select(InboundRecord.sender, func.count())
                .where(
                    col(InboundRecord.sender).in_(chunk),
                    InboundRecord.outcome == InboundOutcome.CREATED,
                    col(InboundRecord.received_at) >= since,
                )
                .group_by(col(InboundRecord.sender))
            ).all()
        )
    emails = sorted({sender.strip().lower() for sender in senders if "@" in sender})
    contacts = tx.memo(ContactMemo).by_key
    for chunk in _chunks(emails):
        contacts.update(dict.fromkeys(chunk))
        for contact in s.exec(select(Contact).where(col(Contact.email).in_(chunk))).all():
            if contact.email:
                contacts[contact.email] = live_contact(s, contact)  # a merged one's successor


def _chunks(values: list[str], size: int = 500) -> list[list[str]]:
    """Pieces small enough for one ``IN (...)`` list on every database."""
    return [values[start : start + size] for start in range(0, len(values), size)]


def _seen(tx: Tx, msg: Inbound) -> tuple[int | None] | None:
    seen = tx.memo(IntakeMemo).seen
    key = (msg.channel, msg.external_id)
    if key not in seen:
        row = tx.session.exec(
            select(InboundRecord.id, InboundRecord.ticket_id).where(
                InboundRecord.channel == msg.channel, InboundRecord.external_id == msg.external_id
            )
        ).first()
        seen[key] = None if row is None else (row[1],)
    return seen[key]


def _keep(tx: Tx, record: InboundRecord) -> None:
    """Store the inbound record and remember it for the rest of the batch."""
    tx.session.add(record)
    tx.memo(IntakeMemo).seen[(record.channel, record.external_id)] = (record.ticket_id,)


def _advance(s: Session, step: Step, now: datetime) -> None:
    if isinstance(step, ChannelStep):
        _advance_channel(s, step, now)
        return
    row = s.get(MailCursor, step.folder)
    if row is None:
        s.add(
            MailCursor(
                folder=step.folder, uidvalidity=step.uidvalidity, last_uid=step.uid, updated_at=now
            )
        )
        return
    if row.uidvalidity != step.uidvalidity:
        row.uidvalidity, row.last_uid = step.uidvalidity, step.uid
    else:
        row.last_uid = max(row.last_uid, step.uid)
    row.updated_at = now


def _advance_channel(s: Session, step: ChannelStep, now: datetime) -> None:
    position = step.at.astimezone(UTC).isoformat()
    row = s.get(ChannelCursor, step.name)
    if row is None:
        s.add(ChannelCursor(name=step.name, position=position, updated_at=now))
        return
    row.position = max(row.position, position)  # one format, so text order is time order
    row.updated_at = now


def _with_attachments(msg: Inbound) -> str:
    """The text with one line naming its files, so search finds a file by name; the
    files themselves are attachment rows (``add_rows``), never a hash path here."""
    if not msg.attachments:
        return msg.body
    line = summary_line((a.filename, a.content_type, a.size) for a in msg.attachments)
    return f"{msg.body}\n\n{line}".strip()


def _number(s: Session, ticket_id: int | None) -> int | None:
    if ticket_id is None:
        return None
    return s.exec(select(Ticket.number).where(Ticket.id == ticket_id)).first()


def _may_join(s: Session, sender: str, number: int) -> bool:
    """Whether ``sender`` (an address or a number) is a known contact who may add to
    ticket ``number``: its contact, or a contact of its client."""
    key = sender.strip().lower()
    if not key:
        return False
    contact = find_contact(s, email=key) if "@" in key else find_contact(s, phone=sender.strip())
    ticket = s.exec(select(Ticket).where(Ticket.number == number)).first()
    if contact is None or ticket is None:
        return False
    return contact.id == ticket.contact_id or (
        contact.client_id is not None and contact.client_id == ticket.client_id
    )


def _existing(s: Session, number: int | None) -> int | None:
    if number is None or number > 2**63 - 1:
        return None
    found = s.exec(select(Ticket.number).where(Ticket.number == number)).first()
    return found


SMS_THREAD_WINDOW = timedelta(days=7)
"""An SMS continues the sender's ticket active this recently (SMS has no threading)."""


def _sender_ticket(s: Session, number: str, now: datetime) -> int | None:
    """The ticket an SMS from ``number`` continues: the one this number last wrote
    about (its newest message that found a ticket, in the last week), whatever its
    status (a Closed one gets a linked follow-up, as mail does); failing that, the
    contact's newest ticket that is not Closed, opened in the last week.

    Never the ticket someone last touched: a technician's edit to a master made the
    customer's next SMS land on it.
    """
    since = now - SMS_THREAD_WINDOW
    last = s.exec(
        select(Ticket.number)
        .join(InboundRecord, col(InboundRecord.ticket_id) == col(Ticket.id))
        .where(
            InboundRecord.sender == number,
            col(InboundRecord.received_at) >= since,
            InboundRecord.outcome != InboundOutcome.SKIPPED,
        )
        .order_by(col(InboundRecord.received_at).desc(), col(InboundRecord.id).desc())
        .limit(1)
    ).first()
    if last is not None:
        return last
    contact = find_contact(s, phone=number)
    if contact is None:
        return None
    return s.exec(
        select(Ticket.number)
        .where(
            Ticket.contact_id == contact.id,
            Ticket.status != Status.CLOSED,
            col(Ticket.created_at) >= since,
        )
        .order_by(col(Ticket.created_at).desc(), col(Ticket.number).desc())
        .limit(1)
    ).first()


def rate_key(msg: Inbound) -> str:
    """Whom the rate limit counts ``msg`` against: its sender, or for mail whose
    sender could not be read, what its From line says (``mail.sender_key``)."""
    if msg.sender:
        return msg.sender
    if msg.channel == Channel.EMAIL:
        return sender_key(msg.raw)
    return ""


def _count_recent_new(s: Session, sender: str, now: datetime) -> int:
    since = now - timedelta(hours=1)
    return int(
        s.exec(
            select(func.count()).where(
                InboundRecord.sender == sender,
                InboundRecord.outcome == InboundOutcome.CREATED,
                col(InboundRecord.received_at) >= since,
            )
        ).one()
    )
