"""Shared state and primitives of the Desk: loading, versioning, events, moves.

Every use-case mixin builds on these, so a status move or an assignment made by a
cascade is exactly the one a technician makes by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TypeVar, cast

from sqlalchemy import func
from sqlmodel import Session, col, select

from .. import hierarchy, lifecycle, sla
from ..channels import outbound
from ..channels.sms import sms_text
from ..clock import Clock, utcnow
from ..enums import (
    ActorKind,
    AuthorKind,
    Channel,
    DeliveryState,
    EscalationReason,
    Priority,
    PriorityChangeSource,
    Status,
)
from ..errors import (
    ConflictError,
    NoChange,
    NotFoundError,
    PermissionDenied,
    ValidationError,
)
from ..events import EventKind
from ..identity import Actor
from ..lifecycle import TransitionKind
from ..limits import shown
from ..priority import check_priority_change
from ..sla import Badge
from ..sla_book import SlaBook, inputs_of
from ..store import journal
from ..store.engine import Database
from ..store.models import (
    Contact,
    InboundRecord,
    OutboundMessage,
    Reply,
    Technician,
    Ticket,
)
from ..text import undecodable, visible_bytes

FIRST_TICKET_NUMBER = 1001
AUTOMATIC_MAIL_CAP = 10
AUTOMATIC_MAIL_WINDOW = timedelta(minutes=10)
MAX_MINUTES_PER_ENTRY = 24 * 60

T = TypeVar("T")


def clean_text(text: str, *, what: str, required: bool = True, limit: int | None = None) -> str:
    """Strip surrounding blanks and refuse empty required text or names over ``limit``.

    Customer text (subjects, bodies) has no limit: a huge or hostile message is kept
    whole and only shortened where it is shown. Limits are for names people type.
    """
    if undecodable(text):
        raise ValidationError(f"{what} is not valid UTF-8 text: {visible_bytes(text)[:80]!r}")
    cleaned = text.strip()
    if required and not cleaned:
        raise ValidationError(f"{what} cannot be empty")
    if limit is not None and len(cleaned) > limit:
        raise ValidationError(f"{what} is longer than {limit} characters")
    return cleaned


class DeskBase:
    """State and shared primitives of every use case (see :class:`Desk`)."""

    def __init__(self, db: Database, actor: Actor, *, source: str, clock: Clock = utcnow) -> None:
        self.db = db
        self.actor = actor
        self.source = source
        self.clock = clock

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One use case's write transaction; the automation rules its changes
        trigger run at its end, inside it (they commit or roll back with it)."""
        with self.db.write() as s:
            yield s
            self._after_change(s)

    def _after_change(self, s: Session) -> None:
        """Run what a change triggers (the automation rules; see ``AutomationCases``)."""

    def _close_overdue(self, s: Session, ticket: Ticket) -> None:
        assert ticket.resolved_at is not None
        when = lifecycle.auto_close_at(ticket.resolved_at)
        self._transition(s, ticket, Status.CLOSED, actor=Actor.system("auto-close"), at=when)

    def _transition(
        self, s: Session, ticket: Ticket, target: Status, *, actor: Actor, at: datetime
    ) -> None:
        move = lifecycle.check_transition(ticket.status, target, actor.kind)
        before = ticket.status
        ticket.status = target
        if target == Status.RESOLVED:
            ticket.resolved_at = at
        elif target == Status.CLOSED:
            ticket.closed_at = at
            if ticket.resolved_at is None:
                ticket.resolved_at = at
        elif move.kind == TransitionKind.REOPEN:
            ticket.resolved_at = None
            ticket.closed_at = None
        pauses = sla.update_pauses(sla.load_pauses(ticket.sla_pauses), before, target, at)
        ticket.sla_pauses = sla.dump_pauses(pauses)
        spans = sla.update_done_spans(sla.load_pauses(ticket.sla_done_spans), before, target, at)
        ticket.sla_done_spans = sla.dump_pauses(spans)
        self._touch(ticket, at)
        self._event(
            s,
            ticket,
            move.kind,
            before.value,
            target.value,
            at=at,
            actor=actor,
            detail=ticket.resolution if target == Status.RESOLVED else None,
        )

    def _escalate(self, s: Session, ticket: Ticket, reason: EscalationReason, at: datetime) -> None:
        before = ticket.priority
        new = check_priority_change(before, Priority.HIGH, PriorityChangeSource.POLICY)
        detail = f"source policy, reason {reason.value}"
        if new == before:
            self._event(
                s,
                ticket,
                EventKind.PRIORITY_ESCALATION_SKIPPED,
                before.value,
                before.value,
                at=at,
                detail=f"{detail}; already {before.label}",
            )
            return
        self._set_priority(s, ticket, new, detail, at)

    def _set_priority(
        self, s: Session, ticket: Ticket, new: Priority, detail: str, at: datetime
    ) -> None:
        """Change priority (the path already checked): breaches under the old one are
        kept, the SLA re-targeted, and the change recorded with where it came from."""
        before = ticket.priority
        book = _memo(s, "sla_book", lambda: SlaBook.load(s))  # one load for a batch
        retarget = retarget_note(book, ticket, new, at)
        ticket.priority = new
        self._touch(ticket, at)
        if retarget:
            detail += f"; {retarget}"
        self._event(
            s, ticket, EventKind.PRIORITY_CHANGED, before.value, new.value, at=at, detail=detail
        )

    def _link(self, s: Session, master: Ticket, child: Ticket, at: datetime) -> None:
        """Put ``child`` under ``master`` if the hierarchy allows it (else it raises)."""
        hierarchy.check_link(self._node(s, master), self._node(s, child))
        child.master_id = master.id
        self._touch(child, at)
        self._touch(master, at)
        self._event(s, child, EventKind.LINKED_TO_MASTER, to=str(master.number))
        self._event(s, master, EventKind.CHILD_LINKED, to=str(child.number))

    def _assign(self, s: Session, ticket: Ticket, tech: Technician | None) -> None:
        before = s.get(Technician, ticket.assignee_id) if ticket.assignee_id else None
        if (before.id if before else None) == (tech.id if tech else None):
            who = tech.username if tech else "nobody"
            raise NoChange(f"#{ticket.number} is already assigned to {who}")
        ticket.assignee_id = tech.id if tech else None
        self._touch(ticket, self.clock())
        self._event(
            s,
            ticket,
            EventKind.ASSIGNED,
            before.username if before else None,
            tech.username if tech else None,
        )

    def _technician(self, s: Session, username: str) -> Technician:
        tech = s.exec(select(Technician).where(Technician.username == username)).first()
        if tech is None or not tech.active:
            raise NotFoundError(f"no active technician {shown(username)}")
        return tech

    def _technician_reply(self, s: Session, ticket: Ticket, body: str) -> Reply:
        tech_id = self._require_technician()
        now = self.clock()
        reply = Reply(
            ticket_id=_id(ticket),
            author_kind=AuthorKind.TECHNICIAN,
            technician_id=tech_id,
            author_name=self.actor.name,
            body=body,
            channel=ticket.channel,
            created_at=now,
        )
        s.add(reply)
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        self._touch(ticket, now)
        s.flush()
        self._event(s, ticket, EventKind.TECHNICIAN_REPLY, detail=_excerpt(body))
        self._queue_outbound(s, ticket, body, now, reply=reply)
        return reply

    def _queue_outbound(
        self,
        s: Session,
        ticket: Ticket,
        body: str,
        now: datetime,
        *,
        reply: Reply | None = None,
        kind: str = "reply",
    ) -> OutboundMessage | None:
        """Queue the message to the ticket's contact, in this transaction, if its
        channel answers through the outbox and the contact can be reached there."""
        if ticket.contact_id is None:
            return None
        contact = s.get(Contact, ticket.contact_id)
        if contact is None:
            return None
        route = outbound.answer_route(ticket.channel, contact.email, contact.phone)
        if route is None:
            return None
        channel, recipient = route
        if kind != "reply" and self._automatic_mail_capped(s, ticket, now):
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
        is_ack = kind == "ack"
        identity = self.db.mail
        text = (
            outbound.ack_body(ticket.number, identity.ticket_url(ticket.number)) if is_ack else body
        )
        note = None
        if channel == Channel.SMS:
            sms = sms_text(f"#{ticket.number}: {body}" if not is_ack else text)
            text, note = sms.text, sms.note
        elif not is_ack:
            text = outbound.with_marker(body, ticket.number)
        message = OutboundMessage(
            ticket_id=_id(ticket),
            reply_id=reply.id if reply else None,
            channel=channel,
            kind=kind,
            recipient=recipient,
            subject=outbound.outgoing_subject(ticket.subject, ticket.number, kind=kind),
            body=text,
            note=note,
            message_id=outbound.new_message_id(ticket.number, identity.domain),
            in_reply_to=in_reply_to,
            references=references,
            state=DeliveryState.QUEUED,
            next_attempt_at=now,
            created_at=now,
        )
        s.add(message)
        s.flush()
        self._event(
            s,
            ticket,
            EventKind.OUTBOUND_QUEUED,
            to=recipient,
            detail=f"{kind} {message.message_id}",
        )
        return message

    def _automatic_mail_capped(self, s: Session, ticket: Ticket, now: datetime) -> bool:
        """At most ``AUTOMATIC_MAIL_CAP`` automatic messages per ticket in the window
        (as Zammad caps them), so two autoresponders can never ping-pong forever."""
        recent = s.exec(
            select(func.count()).where(
                OutboundMessage.ticket_id == ticket.id,
                OutboundMessage.kind != "reply",
                col(OutboundMessage.created_at) >= now - AUTOMATIC_MAIL_WINDOW,
            )
        ).one()
        if int(recent) < AUTOMATIC_MAIL_CAP:
            return False
        self._event(
            s,
            ticket,
            EventKind.AUTOMATIC_MAIL_CAPPED,
            detail=f"{recent} automatic messages in the last "
            f"{int(AUTOMATIC_MAIL_WINDOW.total_seconds() // 60)} minutes; this one was not sent",
            at=now,
        )
        return True

    # -- helpers ----------------------------------------------------------------

    def _load(self, s: Session, number: int, expected_version: int | None = None) -> Ticket:
        ticket = s.exec(select(Ticket).where(Ticket.number == number).with_for_update()).first()
        if ticket is None:
            raise NotFoundError(f"no ticket #{number}")
        if expected_version is not None and ticket.version != expected_version:
            raise ConflictError(number, expected_version, ticket.version)
        return ticket

    def _node(self, s: Session, ticket: Ticket) -> hierarchy.Node:
        master_number = None
        if ticket.master_id is not None:
            master = s.get(Ticket, ticket.master_id)
            master_number = master.number if master else None
        return hierarchy.Node(ticket.number, ticket.is_master, master_number, ticket.status)

    def _touch(self, ticket: Ticket, at: datetime) -> None:
        ticket.version += 1
        ticket.updated_at = max(at, ticket.updated_at)

    def _require_lead(self, what: str) -> None:
        if self.actor.kind == ActorKind.TECHNICIAN and not self.actor.is_lead:
            raise PermissionDenied(f"only a lead technician may {what}")

    def _require_technician(self) -> int:
        if self.actor.kind != ActorKind.TECHNICIAN or self.actor.technician_id is None:
            raise PermissionDenied("only a technician can do this")
        return self.actor.technician_id

    def _event(
        self,
        s: Session,
        ticket: Ticket | None,
        kind: EventKind | TransitionKind,
        from_: str | None = None,
        to: str | None = None,
        *,
        detail: str | None = None,
        at: datetime | None = None,
        actor: Actor | None = None,
    ) -> None:
        who = actor or self.actor
        journal.record(
            s,
            ticket,
            actor=who.name,
            actor_kind=who.kind,
            source=self.source,
            kind=kind,
            from_value=from_,
            to_value=to,
            detail=detail,
            at=at or self.clock(),
        )


def _memo(s: Session, key: str, load: Callable[[], T]) -> T:
    """A value read once per transaction (a session lives for one ``Desk`` use case).

    A batch of inbound messages asks the same questions hundreds of times (which
    client claims a domain, the highest ticket number); the answers cannot change
    under a write transaction except by this session's own writes, which the caller
    keeps the memo in step with.
    """
    if key not in s.info:
        s.info[key] = load()
    return cast(T, s.info[key])


def _id(row: Ticket | Reply) -> int:
    assert row.id is not None, "flush before asking for an id"
    return row.id


def _excerpt(body: str, limit: int = 120) -> str:
    line = " ".join(body.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _numbers(numbers: Iterable[int]) -> str:
    listed = ", ".join(f"#{n}" for n in numbers)
    return listed or "none"


def retarget_note(book: SlaBook, ticket: Ticket, new: Priority, now: datetime) -> str:
    """Mark breaches under the old priority as permanent; describe the new due times."""
    old_state = book.state(inputs_of(ticket), now)
    if old_state is not None:
        if old_state.response.badge == Badge.BREACHED:
            ticket.response_breached = True
        if old_state.resolution.badge == Badge.BREACHED:
            ticket.resolution_breached = True
    new_state = book.state(inputs_of(ticket), now, priority=new)
    if new_state is None:
        return ""
    parts = []
    for label, clock in (("response", new_state.response), ("resolution", new_state.resolution)):
        if clock.stopped:
            parts.append(f"{label} {clock.badge.label}")
        elif clock.due_at is None:
            parts.append(f"{label} paused")
        else:
            parts.append(f"{label} due {clock.due_at:%Y-%m-%d %H:%M} UTC")
    return "SLA re-targeted: " + ", ".join(parts)
