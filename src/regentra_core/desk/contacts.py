"""Contacts: the people at clients who raise tickets, one contact per person.

A contact is found by its email address or its phone number (E.164, normalised as
SMS numbers are: ``channels.sms.normalise_number``), and a number belongs to one
live contact, so an SMS from a customer's phone joins the customer and their
client rather than opening a client-less stranger with the default SLA. Two
contacts found to be one person are merged: the tickets, replies and portal
sessions follow (the merged one's sign-ins end), the merged row stays for the audit
trail with ``merged_into_id``, and :func:`find_contact` (the lookup every channel's
intake uses) follows it to the contact it became.

Called by the CLI (``regentra contact``), the app's contacts screen, and intake
(:func:`contact_for`, every channel's sender): the contacts a transaction has
looked up, and the domains clients claim, are its typed :class:`ContactMemo`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session, col, select

from ..channels.outbound import deliverable
from ..channels.sms import normalise_number
from ..errors import NoChange, NotFoundError, ValidationError
from ..events import EventKind
from ..records import ContactRecord
from ..store.models import Client, Contact, PortalLogin, Reply, Ticket
from ..store.rows import insert_now
from .moves import clean_text
from .tx import Tx

MERGE_DEPTH = 32
"""How many merges :func:`live_contact` follows (a chain longer than any real one;
a loop, which merge refuses to make, cannot hang a lookup)."""


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What a merge moved, for the one line the CLI and the app say."""

    merged: ContactRecord
    into: ContactRecord
    tickets: tuple[int, ...]
    """The numbers of the tickets that moved."""
    replies: int
    sessions_ended: int
    client_changed: bool
    """The tickets moved to another client (only with ``force``)."""


def live_contact(s: Session, contact: Contact) -> Contact:
    """The contact ``contact`` is now: itself, or the one it was merged into."""
    seen = 0
    while contact.merged_into_id is not None and seen < MERGE_DEPTH:
        into = s.get(Contact, contact.merged_into_id)
        if into is None:
            break
        contact, seen = into, seen + 1
    return contact


def find_contact(
    s: Session, *, email: str | None = None, phone: str | None = None
) -> Contact | None:
    """The live contact with ``email`` (else with ``phone``); None if nobody has it.

    The one lookup every channel uses. A merged contact is never the answer: its
    address or number leads to the contact it was merged into (the person still
    writes from them). ``phone`` is compared as stored (E.164 for numbers the
    channels and the desk normalised).
    """
    if email:
        row = s.exec(select(Contact).where(Contact.email == email.strip().lower())).first()
        if row is not None:
            return live_contact(s, row)
    if phone:
        rows = s.exec(
            select(Contact)
            .where(Contact.phone == phone.strip())
            .order_by(col(Contact.merged_into_id).is_not(None), col(Contact.id))
        ).all()
        if rows:
            return live_contact(s, rows[0])
    return None


def phone_holder(s: Session, phone: str, *, besides: int | None = None) -> Contact | None:
    """The live contact (other than ``besides``) whose number ``phone`` is."""
    return s.exec(
        select(Contact).where(
            Contact.phone == phone,
            col(Contact.merged_into_id).is_(None),
            Contact.id != (besides if besides is not None else -1),
        )
    ).first()


def describe(contact: Contact, client: Client | None = None) -> str:
    """``Priya Raman (#4, priya@acme.example, +15550100101, Acme)``: how an error or
    an Event names a contact so a person can tell which one."""
    parts = [f"#{contact.id}"]
    parts += [p for p in (contact.email, contact.phone) if p]
    if client is not None:
        parts.append(client.name)
    return f"{contact.name} ({', '.join(parts)})"


def add_contact(
    tx: Tx,
    name: str,
    *,
    email: str | None = None,
    phone: str | None = None,
    client: str | None = None,
    region: str = "US",
) -> ContactRecord:
    """A contact with an address or a number (or both) under ``client``; an
    address or a number another live contact has is refused, naming it."""
    tx.require_technician()
    name = clean_text(name, what="contact name", limit=200)
    address = _address(email) if email else None
    number = normalise_number(phone, region) if phone and phone.strip() else None
    if not address and not number:
        raise ValidationError("a contact needs an email address or a phone number")
    s = tx.session
    owner = _client(s, client) if client else None
    if address:
        _check_address_free(s, address, None)
    if number:
        _check_phone_free(s, number, None)
    contact = Contact(
        name=name,
        email=address,
        phone=number,
        client_id=owner.id if owner else None,
        created_at=tx.now(),
    )
    s.add(contact)
    s.flush()
    tx.event(
        None,
        EventKind.CONTACT_ADDED,
        to=address or number,
        detail=describe(contact, owner),
    )
    return ContactRecord.of(contact)


def edit_contact(
    tx: Tx,
    key: str,
    *,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    client: str | None = None,
    region: str = "US",
) -> ContactRecord:
    """Change what is given of the contact ``key`` (an address, a number or
    ``#id``); ``""`` clears the email, phone or client. Its tickets keep their
    client: moving a person's tickets is a merge's or a ticket's business."""
    tx.require_technician()
    s = tx.session
    contact = contact_by_key(s, key, region)
    before = _summary(s, contact)
    if name is not None:
        contact.name = clean_text(name, what="contact name", limit=200)
    if email is not None:
        address = _address(email) if email.strip() else None
        if address:
            _check_address_free(s, address, contact.id)
        contact.email = address
    if phone is not None:
        number = normalise_number(phone, region) if phone.strip() else None
        if number:
            _check_phone_free(s, number, contact.id)
        contact.phone = number
    if client is not None:
        owner = _client(s, client) if client.strip() else None
        contact.client_id = owner.id if owner else None
        if owner is None:
            contact.client_admin = False  # an admin of no client sees nothing
    if not contact.email and not contact.phone:
        raise ValidationError("a contact needs an email address or a phone number")
    after = _summary(s, contact)
    if after == before:
        raise NoChange(f"nothing to change on {describe(contact)}")
    tx.event(
        None,
        EventKind.CONTACT_UPDATED,
        from_=before,
        to=after,
        detail=f"contact #{contact.id}",
    )
    return ContactRecord.of(contact)


def merge_contacts(
    tx: Tx, merged: str, into: str, *, force: bool = False, region: str = "US"
) -> MergeResult:
    """Make ``merged`` part of ``into``: one person, one contact.

    Its tickets and replies move to ``into``; its portal sessions and unspent
    sign-in links end now (they were the merged contact's, who has no tickets
    left); it keeps its row, with ``merged_into_id``, so the audit trail stays
    whole and its address and number lead to ``into`` from now on. ``into``
    takes its number or address where it has none. A contact of another client
    is merged only with ``force``: its tickets would change client. One Event.
    """
    tx.require_technician()
    s = tx.session
    source = contact_by_key(s, merged, region)
    target = contact_by_key(s, into, region)
    if source.id == target.id:
        raise ValidationError(f"{describe(source)} cannot be merged into itself")
    src_client = s.get(Client, source.client_id) if source.client_id else None
    dst_client = s.get(Client, target.client_id) if target.client_id else None
    client_changes = source.client_id is not None and source.client_id != target.client_id
    tickets = list(
        s.exec(
            select(Ticket)
            .where(Ticket.contact_id == source.id)
            .order_by(col(Ticket.number))
            .with_for_update()
        ).all()
    )
    if client_changes and not force:
        moved = f"its {len(tickets)} ticket(s) would move" if tickets else "it would move"
        where = dst_client.name if dst_client else "no client"
        raise ValidationError(
            f"{describe(source, src_client)} is of another client than "
            f"{describe(target, dst_client)}: {moved} to {where}; "
            "merge with --force to do that"
        )
    now = tx.now()
    for ticket in tickets:
        ticket.contact_id = target.id
        if ticket.client_id == source.client_id:
            ticket.client_id = target.client_id
        ticket.version += 1  # an editor holding the old contact reloads
    replies = s.exec(select(Reply).where(Reply.contact_id == source.id)).all()
    for reply in replies:
        reply.contact_id = target.id
    sessions = s.exec(
        select(PortalLogin).where(
            PortalLogin.contact_id == source.id, col(PortalLogin.expires_at) > now
        )
    ).all()
    for login in sessions:
        login.expires_at = now
    taken = []
    if not target.phone and source.phone:
        target.phone = source.phone
        taken.append(f"phone {source.phone}")
    source.merged_into_id = target.id
    source.client_admin = False
    numbers = tuple(t.number for t in tickets)
    detail = (
        f"tickets moved: {', '.join(f'#{n}' for n in numbers) or 'none'}; "
        f"{len(replies)} reply(ies); {len(sessions)} portal session(s) ended"
    )
    if client_changes:
        detail += (
            f"; tickets moved from {src_client.name if src_client else 'no client'} to "
            f"{dst_client.name if dst_client else 'no client'}"
        )
    if taken:
        detail += f"; {describe(target)} took its {', '.join(taken)}"
    tx.event(
        None,
        EventKind.CONTACTS_MERGED,
        from_=describe(source, src_client),
        to=describe(target, dst_client),
        detail=detail,
        at=now,
    )
    s.flush()
    return MergeResult(
        ContactRecord.of(source),
        ContactRecord.of(target),
        numbers,
        len(replies),
        len(sessions),
        client_changes,
    )


@dataclass(slots=True)
class ContactMemo:
    """The contacts one transaction has looked up, and the domains clients claim: a
    batch of mail asks who each sender is hundreds of times. Filled by
    :func:`contact_for` (and ahead of a batch by the intake's preload); a contact
    this transaction creates is put in it at once."""

    by_key: dict[str, Contact | None] = field(default_factory=dict)
    """An address (lower case) or a number -> its live contact, None: nobody's."""
    claimed_domains: dict[str, Client] | None = None
    """A domain -> the client that claims it (read on first need)."""


def contact_for(
    tx: Tx,
    email: str | None,
    phone: str | None,
    name: str | None,
    client_name: str | None,
    now: datetime,
) -> Contact:
    """The contact a new ticket or a message is from, created if unknown (under
    ``client_name`` if given, else under the client that claims the address's
    domain); what the sender says of themselves (a number) is noted on it."""
    s = tx.session
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
    elif email:
        client = _client_claiming(tx, email)
    key = email or phone
    assert key is not None
    known = tx.memo(ContactMemo).by_key
    if key in known and (known[key] is not None or not phone):
        contact = known[key]  # (an unknown address may be a known number's person)
    else:
        _lock_key(s, f"contact:{key}")
        # One lookup for every channel: a merged contact's address or number leads
        # to the contact it became.
        contact = known[key] = known_contact(tx, email, phone, now)
    if contact is not None:
        if client is not None and contact.client_id not in (None, client.id):
            raise ValidationError(f"{email or phone} belongs to another client, not {client.name}")
        if client is not None and contact.client_id is None and client_name:
            contact.client_id = client.id
        note_contact_details(tx, contact, phone=phone, now=now, via="the sender")
        return contact
    contact = Contact(
        name=(name or (email.split("@")[0] if email else phone) or "customer").strip(),
        email=email,
        phone=None if email else phone,  # a number another contact has stays theirs
        client_id=client.id if client else None,
        created_at=now,
    )
    insert_now(s, contact)
    known[key] = contact
    tx.event(None, EventKind.CONTACT_ADDED, to=email or phone, at=now)
    note_contact_details(tx, contact, phone=phone, now=now, via="the sender")
    return contact


def _lock_key(s: Session, key: str) -> None:
    """Let one transaction at a time past here for ``key`` (PostgreSQL; SQLite's
    single writer already does): two messages from a new address arriving at two
    pollers at once would otherwise both find no contact and both create one."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


def _client_claiming(tx: Tx, email: str) -> Client | None:
    """The client whose domain list holds the address's domain."""
    domain = email.rpartition("@")[2].lower()
    if not domain:
        return None
    memo = tx.memo(ContactMemo)
    if memo.claimed_domains is None:
        memo.claimed_domains = _claimed_domains(tx.session)
    return memo.claimed_domains.get(domain)


def _claimed_domains(s: Session) -> dict[str, Client]:
    claims: dict[str, Client] = {}
    for client in s.exec(select(Client).where(Client.domains != "")).all():
        for domain in client.domains.split(","):
            claims.setdefault(domain.strip().lower(), client)
    return claims


def known_contact(tx: Tx, email: str | None, phone: str | None, now: datetime) -> Contact | None:
    """The live contact a message's sender is (intake's lookup, every channel).

    By address first, else by number. An unknown address whose number belongs
    to a contact with no address is that contact (a customer who sent SMS and
    now chats with both): the address is stored on it, with an Event.
    """
    s = tx.session
    if not email:
        return find_contact(s, phone=phone)
    contact = find_contact(s, email=email)
    if contact is not None or not phone:
        return contact
    holder = find_contact(s, phone=phone)
    if holder is None or holder.email:
        return None
    holder.email = email
    tx.event(
        None,
        EventKind.CONTACT_UPDATED,
        from_="no email",
        to=email,
        detail=f"contact #{holder.id} ({phone}): address from the same sender",
        at=now,
    )
    return holder


def note_contact_details(
    tx: Tx, contact: Contact, *, phone: str | None, now: datetime, via: str
) -> None:
    """A channel said ``contact`` has ``phone``: stored if the contact has no
    number and no other contact has it; otherwise the number is noted in an
    Event (never a silent overwrite, never two people with one number)."""
    if not phone or contact.phone == phone:
        return
    s = tx.session
    holder = find_contact(s, phone=phone)
    if holder is not None and holder.id == contact.id:
        return  # the number of a contact merged into this one: it leads here already
    if contact.phone:
        tx.event(
            None,
            EventKind.CONTACT_NOTED,
            to=phone,
            detail=f"{via} gave {phone} for {describe(contact)}: kept {contact.phone}",
            at=now,
        )
        return
    other = phone_holder(s, phone, besides=contact.id)
    if other is not None:
        tx.event(
            None,
            EventKind.CONTACT_NOTED,
            to=phone,
            detail=f"{via} gave {phone} for {describe(contact)}, but it is the number of "
            f"{describe(other)}: not stored (the same person? regentra contact merge "
            f"'#{other.id}' '#{contact.id}')",
            at=now,
        )
        return
    contact.phone = phone
    tx.event(
        None,
        EventKind.CONTACT_UPDATED,
        from_="no phone",
        to=phone,
        detail=f"contact #{contact.id}: phone from {via}",
        at=now,
    )


def contact_by_key(s: Session, key: str, region: str = "US") -> Contact:
    """The contact a person names: ``#id``, an email address or a phone number (a
    merged contact is named by its id only: its address leads to its successor)."""
    text = key.strip()
    if text.startswith("#") and text[1:].isdecimal():
        row = s.get(Contact, int(text[1:])) if len(text) < 19 else None
        if row is None:
            raise NotFoundError(f"no contact {text}")
        if row.merged_into_id is not None:
            into = live_contact(s, row)
            raise ValidationError(f"contact {text} was merged into {describe(into)}")
        return row
    if "@" in text:
        found = find_contact(s, email=text)
    else:
        try:
            number = normalise_number(text, region)
        except ValidationError:
            raise NotFoundError(
                f"no contact {text!r}: name one by #id, email address or phone number"
            ) from None
        found = find_contact(s, phone=number)
    if found is None:
        raise NotFoundError(f"no contact with {text!r}")
    return found


def _address(email: str) -> str:
    """``email`` as a contact's address: one mail can go to (``deliverable``, the rule
    every address we send to is held to), so a typed ``bob@`` is refused here, not
    saved as a contact that no reply can reach."""
    address = email.strip().lower()
    if len(address) > 320 or not deliverable(address):
        raise ValidationError(f"not an email address: {email.strip()[:80]!r}")
    return address


def _client(s: Session, name: str) -> Client:
    row = s.exec(select(Client).where(Client.name == name.strip())).first()
    if row is None:
        raise NotFoundError(f"no client named {name.strip()!r}")
    return row


def _check_address_free(s: Session, address: str, contact_id: int | None) -> None:
    other = s.exec(select(Contact).where(Contact.email == address)).first()
    if other is None or other.id == contact_id:
        return
    if other.merged_into_id is not None:
        into = live_contact(s, other)
        raise ValidationError(
            f"{address} is the address of {describe(other)}, merged into {describe(into)}"
        )
    raise ValidationError(f"{address} is already the address of {describe(other)}")


def _check_phone_free(s: Session, number: str, contact_id: int | None) -> None:
    other = phone_holder(s, number, besides=contact_id)
    if other is not None:
        raise ValidationError(f"{number} is already the number of {describe(other)}")


def _summary(s: Session, contact: Contact) -> str:
    client = s.get(Client, contact.client_id) if contact.client_id else None
    return "; ".join(
        [
            contact.name,
            contact.email or "no email",
            contact.phone or "no phone",
            client.name if client else "no client",
        ]
    )


__all__ = [
    "ContactMemo",
    "MergeResult",
    "add_contact",
    "contact_for",
    "edit_contact",
    "known_contact",
    "merge_contacts",
    "note_contact_details",
    "contact_by_key",
    "find_contact",
    "live_contact",
    "phone_holder",
]
