"""The one write path: every use case as one ``Desk`` method.

Each method runs in one write transaction (``BEGIN IMMEDIATE`` on SQLite), consults
the pure rules (``lifecycle``, ``priority``, ``hierarchy``) before it changes
anything, and appends at least one :class:`Event`. The TUI, the CLI, the channels
and the worker all call these methods, so the same action behaves the same from
every door. Methods take ticket *numbers* (what people see), never row ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from . import hierarchy, lifecycle
from .clock import Clock, utcnow
from .enums import (
    ActorKind,
    AuthorKind,
    Channel,
    EscalationReason,
    Priority,
    PriorityChangeSource,
    Role,
    Status,
)
from .errors import (
    ConflictError,
    IdentityError,
    NotFoundError,
    PermissionDenied,
    RegentraError,
    ValidationError,
)
from .identity import Actor, os_display_name, os_username
from .lifecycle import CustomerReplyOutcome, TransitionKind
from .priority import check_priority_change
from .store.engine import Database
from .store.models import (
    Client,
    Contact,
    Event,
    InternalNote,
    Reply,
    Technician,
    Ticket,
    TimeEntry,
)

FIRST_TICKET_NUMBER = 1001
MAX_SUBJECT = 998
"""RFC 5322's line limit: a longer subject is certainly not a person's."""
MAX_BODY = 1_000_000
"""A body this long is kept, but truncated with a marker, so one message cannot bloat the desk."""
MAX_MINUTES_PER_ENTRY = 24 * 60


@dataclass(frozen=True, slots=True)
class CustomerReplyResult:
    """Where a customer's reply landed and what it did."""

    ticket_number: int
    reply_id: int
    outcome: CustomerReplyOutcome
    follow_up_of: int | None = None


@dataclass(slots=True)
class CascadeResult:
    """What a cascade did to each child of a master."""

    master: int
    changed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def clean_text(text: str, *, what: str, required: bool = True, limit: int = MAX_BODY) -> str:
    """Strip surrounding blanks, refuse empty required text, and cap huge input."""
    cleaned = text.strip()
    if required and not cleaned:
        raise ValidationError(f"{what} cannot be empty")
    if len(cleaned) > limit:
        cleaned = cleaned[:limit] + "\n[... truncated by Regentra]"
    return cleaned


class Desk:
    """Use cases, each in one transaction with its audit Events.

    ``actor`` is whoever the interface acts for (usually the OS account's
    technician); ``source`` names the door (``cli``, ``tui``, ``email``,
    ``worker``...) and is stored on every Event.
    """

    def __init__(self, db: Database, actor: Actor, *, source: str, clock: Clock = utcnow) -> None:
        self.db = db
        self.actor = actor
        self.source = source
        self.clock = clock

    # -- identity ---------------------------------------------------------------

    @classmethod
    def for_os_user(cls, db: Database, *, source: str, clock: Clock = utcnow) -> Desk:
        """A Desk acting as the technician mapped to this process's OS account."""
        return cls(db, resolve_os_technician(db), source=source, clock=clock)

    def add_technician(
        self, username: str, display_name: str | None = None, role: Role = Role.TECHNICIAN
    ) -> Technician:
        """Register (or reactivate) a technician; only a lead may do it."""
        username = clean_text(username, what="username", limit=64)
        with self.db.write() as s:
            if self.actor.kind == ActorKind.TECHNICIAN and not self.actor.is_lead:
                raise PermissionDenied("only a lead technician may register technicians")
            now = self.clock()
            tech = s.exec(select(Technician).where(Technician.username == username)).first()
            if tech is None:
                tech = Technician(
                    username=username,
                    display_name=display_name or os_display_name(username),
                    role=role,
                    active=True,
                    created_at=now,
                )
                s.add(tech)
                kind = "technician_added"
            else:
                tech.active = True
                tech.role = role
                if display_name:
                    tech.display_name = display_name
                kind = "technician_updated"
            s.flush()
            self._event(s, None, kind, to=username, detail=f"role {role.value}")
            return tech

    # -- intake -----------------------------------------------------------------

    def create_ticket(
        self,
        *,
        subject: str,
        description: str,
        priority: Priority,
        channel: Channel,
        contact_email: str | None = None,
        contact_phone: str | None = None,
        contact_name: str | None = None,
        client_name: str | None = None,
        external_id: str | None = None,
        created_at: datetime | None = None,
    ) -> Ticket:
        """Open a ticket from any channel; the customer's priority is kept as given.

        An unknown contact is created (under ``client_name`` if given); an unknown
        client is refused, because clients are contracts, not typos. A VIP client's
        LOW/MEDIUM ticket is raised to HIGH by policy, with its own Event.
        """
        subject = clean_text(subject, what="subject", limit=MAX_SUBJECT)
        description = clean_text(description, what="description", required=False)
        with self.db.write() as s:
            now = created_at or self.clock()
            contact = self._contact_for(
                s, contact_email, contact_phone, contact_name, client_name, now
            )
            client = s.get(Client, contact.client_id) if contact.client_id else None
            ticket = self._insert_ticket(
                s,
                subject=subject,
                description=description,
                priority=priority,
                channel=channel,
                contact=contact,
                client=client,
                now=now,
            )
            self._event(
                s, ticket, "created", to=Status.OPEN.value, detail=f"via {channel.value}", at=now
            )
            if external_id:
                ticket_id = _id(ticket)
                s.add(
                    Reply(
                        ticket_id=ticket_id,
                        author_kind=AuthorKind.CUSTOMER,
                        contact_id=contact.id,
                        author_name=contact.name,
                        body=description,
                        channel=channel,
                        external_id=external_id,
                        created_at=now,
                    )
                )
            if client is not None and client.vip:
                self._escalate(s, ticket, EscalationReason.VIP, at=now)
            return ticket

    def _insert_ticket(
        self,
        s: Session,
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
        highest = s.exec(select(func.max(Ticket.number))).one()
        ticket = Ticket(
            number=(highest or FIRST_TICKET_NUMBER - 1) + 1,
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
        s.add(ticket)
        s.flush()
        return ticket

    def _contact_for(
        self,
        s: Session,
        email: str | None,
        phone: str | None,
        name: str | None,
        client_name: str | None,
        now: datetime,
    ) -> Contact:
        email = email.strip().lower() if email else None
        phone = phone.strip() if phone else None
        if not email and not phone:
            raise ValidationError("a ticket needs a contact: give an email address or a phone")
        if email and ("@" not in email or any(c.isspace() for c in email)):
            raise ValidationError(f"not an email address: {email!r}")
        client: Client | None = None
        if client_name:
            client = s.exec(select(Client).where(Client.name == client_name.strip())).first()
            if client is None:
                raise NotFoundError(f"no client named {client_name!r}")
        query = select(Contact)
        query = (
            query.where(Contact.email == email) if email else query.where(Contact.phone == phone)
        )
        contact = s.exec(query).first()
        if contact is not None:
            if client is not None and contact.client_id not in (None, client.id):
                raise ValidationError(
                    f"{email or phone} belongs to another client, not {client.name}"
                )
            if client is not None and contact.client_id is None:
                contact.client_id = client.id
            return contact
        contact = Contact(
            name=(name or (email.split("@")[0] if email else phone) or "customer").strip(),
            email=email,
            phone=phone,
            client_id=client.id if client else None,
            created_at=now,
        )
        s.add(contact)
        s.flush()
        self._event(s, None, "contact_added", to=email or phone, at=now)
        return contact

    # -- conversation -----------------------------------------------------------

    def add_customer_reply(
        self,
        number: int,
        body: str,
        *,
        channel: Channel = Channel.EMAIL,
        external_id: str | None = None,
        at: datetime | None = None,
    ) -> CustomerReplyResult:
        """Add the customer's reply and apply what it means for the ticket.

        Waiting on Customer resumes; Resolved reopens; Closed (or Resolved past its
        24 hours) stays closed and a follow-up ticket linked to it takes the reply.
        """
        body = clean_text(body, what="reply")
        with self.db.write() as s:
            now = at or self.clock()
            ticket = self._load(s, number)
            contact = s.get(Contact, ticket.contact_id) if ticket.contact_id else None
            author = contact.name if contact else "customer"
            actor = Actor(
                ActorKind.CUSTOMER,
                (contact.email or contact.phone or "") if contact else "customer",
            )
            outcome = lifecycle.customer_reply_outcome(ticket.status, ticket.resolved_at, now)
            target = ticket
            follow_up_of: int | None = None
            if outcome == CustomerReplyOutcome.FOLLOW_UP:
                if ticket.status == Status.RESOLVED:
                    self._close_overdue(s, ticket)
                client = s.get(Client, ticket.client_id) if ticket.client_id else None
                target = self._insert_ticket(
                    s,
                    subject=_follow_up_subject(ticket.subject),
                    description=body,
                    priority=ticket.priority,
                    channel=channel,
                    contact=contact,
                    client=client,
                    now=now,
                    follow_up_of=ticket,
                )
                follow_up_of = ticket.number
                self._event(
                    s,
                    target,
                    "created",
                    to=Status.OPEN.value,
                    at=now,
                    actor=actor,
                    detail=f"follow-up of #{ticket.number} via {channel.value}",
                )
                self._event(
                    s, ticket, "follow_up_created", to=str(target.number), at=now, actor=actor
                )
            elif outcome in (CustomerReplyOutcome.RESUME, CustomerReplyOutcome.REOPEN):
                self._transition(s, ticket, Status.IN_PROGRESS, actor=actor, at=now)
            reply = Reply(
                ticket_id=_id(target),
                author_kind=AuthorKind.CUSTOMER,
                contact_id=contact.id if contact else None,
                author_name=author,
                body=body,
                channel=channel,
                external_id=external_id,
                created_at=now,
            )
            s.add(reply)
            self._touch(target, now)
            s.flush()
            self._event(s, target, "customer_reply", detail=_excerpt(body), at=now, actor=actor)
            return CustomerReplyResult(target.number, _id(reply), outcome, follow_up_of)

    def add_technician_reply(
        self, number: int, body: str, *, expected_version: int | None = None
    ) -> Reply:
        """Send a public reply; the first one stops the SLA response clock."""
        body = clean_text(body, what="reply")
        with self.db.write() as s:
            ticket = self._load(s, number, expected_version)
            return self._technician_reply(s, ticket, body)

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
        self._event(s, ticket, "technician_reply", detail=_excerpt(body))
        return reply

    def add_note(self, number: int, body: str) -> InternalNote:
        """Add a private note; it never reaches the customer or stops an SLA clock."""
        body = clean_text(body, what="note")
        with self.db.write() as s:
            ticket = self._load(s, number)
            now = self.clock()
            note = InternalNote(
                ticket_id=_id(ticket),
                technician_id=self._require_technician(),
                body=body,
                created_at=now,
            )
            s.add(note)
            self._touch(ticket, now)
            s.flush()
            self._event(s, ticket, "note_added", detail=_excerpt(body))
            return note

    def log_time(
        self,
        number: int,
        minutes: int,
        *,
        billable: bool = True,
        note: str = "",
        work_date: date | None = None,
    ) -> TimeEntry:
        """Record time worked; one entry is at most a day."""
        if not 0 < minutes <= MAX_MINUTES_PER_ENTRY:
            raise ValidationError(
                f"minutes must be between 1 and {MAX_MINUTES_PER_ENTRY}, not {minutes}"
            )
        with self.db.write() as s:
            ticket = self._load(s, number)
            now = self.clock()
            entry = TimeEntry(
                ticket_id=_id(ticket),
                technician_id=self._require_technician(),
                minutes=minutes,
                billable=billable,
                note=clean_text(note, what="note", required=False, limit=2000),
                work_date=work_date or now.date(),
                created_at=now,
            )
            s.add(entry)
            self._touch(ticket, now)
            s.flush()
            kind = "billable" if billable else "non-billable"
            self._event(s, ticket, "time_logged", to=f"{minutes} min {kind}")
            return entry

    # -- lifecycle --------------------------------------------------------------

    def change_status(
        self,
        number: int,
        status: Status,
        *,
        expected_version: int | None = None,
        resolution: str | None = None,
    ) -> Ticket:
        """Move a ticket along the lifecycle table, as a technician."""
        with self.db.write() as s:
            ticket = self._load(s, number, expected_version)
            if resolution is not None:
                ticket.resolution = clean_text(resolution, what="resolution", limit=20_000)
            self._transition(s, ticket, status, actor=self.actor, at=self.clock())
            return ticket

    def reopen(self, number: int, *, expected_version: int | None = None) -> Ticket:
        """Put a Resolved or Closed ticket back to In Progress by hand."""
        return self.change_status(number, Status.IN_PROGRESS, expected_version=expected_version)

    def run_auto_close(self, now: datetime | None = None) -> list[int]:
        """Close every Resolved ticket whose 24 hours have passed as of ``now``.

        Idempotent and catch-up safe: each ticket closes once, and its Event is
        dated when it became due, not when the job happened to run.
        """
        now = now or self.clock()
        closed: list[int] = []
        with self.db.write() as s:
            due = s.exec(
                select(Ticket)
                .where(Ticket.status == Status.RESOLVED)
                .where(col(Ticket.resolved_at) <= now - lifecycle.AUTO_CLOSE_AFTER)
                .order_by(col(Ticket.number))
            ).all()
            for ticket in due:
                self._close_overdue(s, ticket)
                closed.append(ticket.number)
            self._event(
                s,
                None,
                "auto_close_run",
                to=str(len(closed)),
                at=now,
                actor=Actor.system("auto-close"),
            )
        return closed

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
        self._touch(ticket, at)
        self._event(
            s,
            ticket,
            move.kind.value,
            before.value,
            target.value,
            at=at,
            actor=actor,
            detail=ticket.resolution if target == Status.RESOLVED else None,
        )

    # -- priority ---------------------------------------------------------------

    def change_priority(
        self,
        number: int,
        priority: Priority,
        *,
        source: PriorityChangeSource = PriorityChangeSource.OPERATOR,
        rule: str | None = None,
        expected_version: int | None = None,
    ) -> Ticket:
        """Change priority through an allowed path; any other path is refused.

        ``source`` is OPERATOR for a technician's edit and AUTOMATION for an
        automation rule (then ``rule`` names it). Policy escalation goes through
        :meth:`escalate_priority`, the AI through :meth:`suggest_priority`.
        """
        if source == PriorityChangeSource.OPERATOR:
            self._require_technician()
        if source == PriorityChangeSource.AUTOMATION and not rule:
            raise ValidationError("an automation priority change must name its rule")
        with self.db.write() as s:
            ticket = self._load(s, number, expected_version)
            new = check_priority_change(ticket.priority, priority, source)
            if new == ticket.priority:
                raise ValidationError(f"#{number} is already {new.label}")
            before = ticket.priority
            ticket.priority = new
            self._touch(ticket, self.clock())
            detail = f"source {source.value}" + (f", rule {rule}" if rule else "")
            self._event(s, ticket, "priority_changed", before.value, new.value, detail=detail)
            return ticket

    def escalate_priority(self, number: int, reason: EscalationReason) -> Ticket:
        """Policy escalation: LOW/MEDIUM become HIGH; HIGH/CRITICAL stay (recorded)."""
        with self.db.write() as s:
            ticket = self._load(s, number)
            self._escalate(s, ticket, reason, at=self.clock())
            return ticket

    def _escalate(self, s: Session, ticket: Ticket, reason: EscalationReason, at: datetime) -> None:
        before = ticket.priority
        new = check_priority_change(before, Priority.HIGH, PriorityChangeSource.POLICY)
        detail = f"source policy, reason {reason.value}"
        if new == before:
            self._event(
                s,
                ticket,
                "priority_escalation_skipped",
                before.value,
                before.value,
                at=at,
                detail=f"{detail}; already {before.label}",
            )
            return
        ticket.priority = new
        self._touch(ticket, at)
        self._event(s, ticket, "priority_changed", before.value, new.value, at=at, detail=detail)

    def suggest_priority(self, number: int, priority: Priority, *, why: str = "") -> Ticket:
        """The AI analyzer's path: writes ``suggested_priority`` and nothing else."""
        with self.db.write() as s:
            ticket = self._load(s, number)
            before = ticket.suggested_priority
            ticket.suggested_priority = priority
            self._touch(ticket, self.clock())
            self._event(
                s,
                ticket,
                "priority_suggested",
                before.value if before else None,
                priority.value,
                detail=why or None,
            )
            return ticket

    # -- assignment -------------------------------------------------------------

    def assign(
        self, number: int, username: str | None, *, expected_version: int | None = None
    ) -> Ticket:
        """Assign to an active technician, or unassign with ``None``."""
        with self.db.write() as s:
            ticket = self._load(s, number, expected_version)
            self._assign(s, ticket, self._technician(s, username) if username else None)
            return ticket

    def _assign(self, s: Session, ticket: Ticket, tech: Technician | None) -> None:
        before = s.get(Technician, ticket.assignee_id) if ticket.assignee_id else None
        if (before.id if before else None) == (tech.id if tech else None):
            who = tech.username if tech else "nobody"
            raise ValidationError(f"#{ticket.number} is already assigned to {who}")
        ticket.assignee_id = tech.id if tech else None
        self._touch(ticket, self.clock())
        self._event(
            s,
            ticket,
            "assigned",
            before.username if before else None,
            tech.username if tech else None,
        )

    def _technician(self, s: Session, username: str) -> Technician:
        tech = s.exec(select(Technician).where(Technician.username == username)).first()
        if tech is None or not tech.active:
            raise NotFoundError(f"no active technician {username!r}")
        return tech

    # -- master / child ---------------------------------------------------------

    def promote(self, number: int) -> Ticket:
        """Make a ticket a master that children can be linked to."""
        with self.db.write() as s:
            ticket = self._load(s, number)
            hierarchy.check_promote(self._node(s, ticket))
            ticket.is_master = True
            self._touch(ticket, self.clock())
            self._event(s, ticket, "promoted_to_master")
            return ticket

    def link(self, master_number: int, child_number: int) -> Ticket:
        """Link ``child`` under ``master``; returns the child."""
        with self.db.write() as s:
            master = self._load(s, master_number)
            child = self._load(s, child_number)
            hierarchy.check_link(self._node(s, master), self._node(s, child))
            child.master_id = master.id
            now = self.clock()
            self._touch(child, now)
            self._touch(master, now)
            self._event(s, child, "linked_to_master", to=str(master.number))
            self._event(s, master, "child_linked", to=str(child.number))
            return child

    def unlink(self, child_number: int) -> Ticket:
        """Detach a child from its master; both stay as they are otherwise."""
        with self.db.write() as s:
            child = self._load(s, child_number)
            hierarchy.check_unlink(self._node(s, child))
            master = s.get(Ticket, child.master_id)
            assert master is not None
            child.master_id = None
            now = self.clock()
            self._touch(child, now)
            self._touch(master, now)
            self._event(s, child, "unlinked_from_master", from_=str(master.number))
            self._event(s, master, "child_unlinked", from_=str(child.number))
            return child

    def cascade(
        self,
        master_number: int,
        *,
        status: Status | None = None,
        assignee: str | None = None,
        resolution: bool = False,
        reply: str | None = None,
    ) -> CascadeResult:
        """Apply the master's status, assignee, resolution and/or a reply to its children.

        Children already Resolved or Closed are skipped (as are children already at
        the cascaded status, when that is all there is to do). A child that cannot make the
        move is listed as refused, and the rest still go ahead. Closing a child that is
        not yet resolved resolves it first, as a technician would by hand.
        """
        if status is None and assignee is None and not resolution and reply is None:
            raise ValidationError(
                "say what to cascade: a status, an assignee, the resolution or a reply"
            )
        reply_body = clean_text(reply, what="reply") if reply is not None else None
        with self.db.write() as s:
            master = self._load(s, master_number)
            if not master.is_master:
                raise ValidationError(f"#{master_number} is not a master ticket")
            children = list(
                s.exec(
                    select(Ticket).where(Ticket.master_id == master.id).order_by(col(Ticket.number))
                ).all()
            )
            if resolution and not master.resolution:
                raise ValidationError(f"#{master_number} has no resolution note to cascade")
            tech = self._technician(s, assignee) if assignee else None
            result = CascadeResult(master.number)
            only_status = assignee is None and not resolution and reply_body is None
            for child in children:
                if child.status.is_done or (only_status and child.status == status):
                    result.skipped.append(child.number)
                    continue
                try:
                    with s.begin_nested():
                        self._cascade_one(s, master, child, status, tech, resolution, reply_body)
                except RegentraError as exc:  # a rule refusal for this child only
                    result.refused.append((child.number, str(exc)))
                else:
                    result.changed.append(child.number)
            what = ", ".join(
                part
                for part, on in (
                    (f"status {status.value}" if status else "", status is not None),
                    (f"assignee {assignee}", assignee is not None),
                    ("resolution", resolution),
                    ("reply", reply_body is not None),
                )
                if on
            )
            self._event(
                s,
                master,
                "cascaded",
                to=what,
                detail=f"changed {_numbers(result.changed)}; skipped {_numbers(result.skipped)}; "
                f"refused {_numbers(n for n, _ in result.refused)}",
            )
            return result

    def _cascade_one(
        self,
        s: Session,
        master: Ticket,
        child: Ticket,
        status: Status | None,
        tech: Technician | None,
        resolution: bool,
        reply: str | None,
    ) -> None:
        now = self.clock()
        if tech is not None and child.assignee_id != tech.id:
            self._assign(s, child, tech)
        if resolution or (status == Status.RESOLVED and master.resolution):
            child.resolution = master.resolution
        if reply is not None:
            self._technician_reply(s, child, reply)
        if status is not None and status != child.status:
            cascade_actor = self.actor
            if status == Status.CLOSED and (child.status, status) not in lifecycle.TRANSITIONS:
                self._transition(s, child, Status.RESOLVED, actor=cascade_actor, at=now)
            self._transition(s, child, status, actor=cascade_actor, at=now)
        self._event(s, child, "cascade_applied", to=str(master.number))

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

    def _require_technician(self) -> int:
        if self.actor.kind != ActorKind.TECHNICIAN or self.actor.technician_id is None:
            raise PermissionDenied("only a technician can do this")
        return self.actor.technician_id

    def _event(
        self,
        s: Session,
        ticket: Ticket | None,
        kind: str,
        from_: str | None = None,
        to: str | None = None,
        *,
        detail: str | None = None,
        at: datetime | None = None,
        actor: Actor | None = None,
    ) -> Event:
        who = actor or self.actor
        event = Event(
            ticket_id=ticket.id if ticket else None,
            actor=who.name,
            actor_kind=who.kind,
            source=self.source,
            kind=kind,
            from_value=from_,
            to_value=to,
            detail=detail,
            at=at or self.clock(),
        )
        s.add(event)
        return event


def resolve_os_technician(db: Database, username: str | None = None) -> Actor:
    """Map the OS account (or ``username``, for tests) to an active Technician.

    Unknown or deactivated accounts are refused: on a shared host, an account that
    is not on the team must not be able to touch tickets.
    """
    name = username if username is not None else os_username()
    with db.read() as s:
        tech = s.exec(select(Technician).where(Technician.username == name)).first()
    if tech is None:
        raise IdentityError(
            f"the account {name!r} is not a Regentra technician; "
            f"ask a lead to run: regentra technician add {name}"
        )
    if not tech.active:
        raise IdentityError(f"the technician account {name!r} is deactivated")
    assert tech.id is not None
    return Actor(ActorKind.TECHNICIAN, tech.username, tech.id, tech.role)


def _id(row: Ticket | Reply) -> int:
    assert row.id is not None, "flush before asking for an id"
    return row.id


def _excerpt(body: str, limit: int = 120) -> str:
    line = " ".join(body.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _numbers(numbers: Iterable[int]) -> str:
    listed = ", ".join(f"#{n}" for n in numbers)
    return listed or "none"


def _follow_up_subject(subject: str) -> str:
    return subject if subject.lower().startswith("follow-up:") else f"Follow-up: {subject}"


__all__: Sequence[str] = [
    "CascadeResult",
    "CustomerReplyResult",
    "Desk",
    "resolve_os_technician",
]
