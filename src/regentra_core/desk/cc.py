"""A ticket's Cc list: the thread's other people, copied on every public reply by mail.

Zendesk keeps a ticket's CCs; we kept only its contact, so a colleague the customer
copied, or who wrote on the thread, heard nothing of our replies. The list is
gathered at intake from the customer's mail (its To and Cc, and a colleague of the
customer writing on the thread: intake calls :func:`gather_cc` in its transaction),
shown on the ticket (the app's header, ``ticket show``) and edited by technicians
(``regentra ticket cc``, the app's ``w`` key) through :func:`change_cc`.
Every change is one ``cc_changed`` Event. ``delivery.copied`` reads it when a reply
is sent; internal notes never leave, so nobody is ever copied on one.

The list is JSON text in ``ticket.cc`` (``store.types.JSONText``: the same text on
SQLite and PostgreSQL). Addresses are lower case and pass the one rule outbound
mail is held to (``channels.outbound.deliverable``). An address that bounces stays:
the bounce is recorded on the message, as for the contact's own address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlmodel import Session

from ..channels.mail import recipients
from ..channels.outbound import cc_list, cc_text, deliverable
from ..errors import NoChange, ValidationError
from ..events import EventKind
from ..identity import Actor
from ..limits import shown
from ..records import TicketRecord
from ..store.models import Contact, Ticket
from .moves import load, touch
from .tx import Tx

MAX_CC = 50
"""Addresses one ticket may copy: enough for any thread, not a mailing list."""


_NAMED = re.compile(r'\s*(?:"[^"]*"|[^<>"]*)\s*<([^<>]*)>\s*')
"""``Mike Ross <mike@acme.example>``: an address as Outlook and every mail client
copy it, the display name before it in angle brackets."""


def cc_address(raw: str) -> str:
    """``raw`` as a Cc address (lower case), or one line saying why it is none; an
    address pasted with its display name (``Mike <mike@acme.example>``) is taken
    as its address."""
    named = _NAMED.fullmatch(raw)
    address = (named.group(1) if named else raw).strip().strip("<>").strip().lower()
    if not deliverable(address):
        raise ValidationError(f"not an email address mail can go to: {shown(raw.strip())}")
    return address


def addresses_in(text: str) -> list[str]:
    """The addresses typed in one line (commas, semicolons or spaces between), as the
    app's Cc prompt takes them; each is checked when the list is saved. One pasted
    with its display name (``"Ross, Mike" <mike@acme.example>``) is one address,
    between commas or semicolons outside quotes."""
    found: list[str] = []
    for part in re.split(r'[,;](?=(?:[^"]*"[^"]*")*[^"]*$)', text):
        if _NAMED.fullmatch(part):
            found.append(part.strip())
        else:
            found += [word for word in re.split(r"\s+", part) if word]
    return found


def people_named(headers: Mapping[str, str]) -> list[str]:
    """The addresses in a message's To and Cc headers, lower case, in order (through
    the intake's own reader, which survives a header the stdlib recurses on)."""
    return [a.strip() for h in ("to", "cc") if headers.get(h) for a in recipients(headers[h])]


def gathered(current: list[str], found: Iterable[str], leave_out: Iterable[str]) -> list[str]:
    """``current`` with the addresses in ``found`` added (in order, each once):
    those mail can go to and not in ``leave_out`` (our own addresses, the contact)."""
    skip = {a.strip().lower() for a in leave_out}
    result = list(current)
    for raw in found:
        address = raw.strip().lower()
        if address and address not in skip and address not in result and deliverable(address):
            result.append(address)
    return result[: max(MAX_CC, len(current))]


def change_cc(
    tx: Tx,
    number: int,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    replace: Iterable[str] | None = None,
    expected_version: int | None = None,
) -> TicketRecord:
    """Add and remove Cc addresses (or, with ``replace``, set the whole list, as
    the app's prompt does); one ``cc_changed`` Event from the old list to the new.

    Every address is checked before anything changes: a bad one is refused in
    one line naming it. Taking off an address that is not there is refused too
    (a typo would otherwise pass as done). The ticket's contact is never its own
    Cc: the reply goes to them already.
    """
    tx.require_technician()
    adding = [cc_address(a) for a in add]
    removing = [cc_address(a) for a in remove]
    wanted = None if replace is None else [cc_address(a) for a in replace]
    ticket = load(tx, number, expected_version)
    before = cc_list(ticket.cc)
    contact = _contact_email(tx.session, ticket)
    if contact and contact in (adding if wanted is None else wanted):
        raise ValidationError(f"{contact} is the contact of #{number}: replies go to them already")
    if wanted is not None:
        after = gathered([], wanted, [contact] if contact else [])
    else:
        missing = [a for a in removing if a not in before]
        if missing:
            raise ValidationError(f"#{number} does not copy {', '.join(missing)}")
        after = [a for a in before if a not in removing]
        after = [*after, *(a for a in dict.fromkeys(adding) if a not in after)]
    if len(after) > MAX_CC:
        raise ValidationError(f"a ticket copies at most {MAX_CC} addresses")
    if after == before:
        raise NoChange(f"#{number} already copies {_listed(before)}")
    _set_cc(tx, ticket, before, after, tx.now())
    tx.settle()
    return TicketRecord.of(ticket)


def gather_cc(
    tx: Tx,
    ticket: Ticket,
    *,
    named: Iterable[str],
    writers: Iterable[str] = (),
    own: Iterable[str],
    actor: Actor,
    now: datetime,
) -> None:
    """Add the thread's people to the ticket's Cc: those a customer's message names
    in To and Cc (``named``) and colleagues who wrote (``writers``), leaving out our
    ``own`` addresses and the contact; one Event when any is new. Intake's half
    (``desk/channels.py``), inside its transaction.

    Without an address of our own to leave out, nobody named is taken: the desk's
    own address is in the To of every message it gets, and copying it would put
    ourselves on every reply.
    """
    ours = {a.lower() for a in own}
    if tx.config.mail.address:
        ours.add(tx.config.mail.address.lower())
    found = [*(named if ours else ()), *writers]
    before = cc_list(ticket.cc)
    contact = _contact_email(tx.session, ticket)
    after = gathered(before, found, [*ours, *([contact] if contact else [])])
    if after != before:
        _set_cc(tx, ticket, before, after, now, actor=actor)


def _set_cc(
    tx: Tx,
    ticket: Ticket,
    before: list[str],
    after: list[str],
    now: datetime,
    *,
    actor: Actor | None = None,
) -> None:
    ticket.cc = cc_text(after)
    touch(ticket, now)
    added = [a for a in after if a not in before]
    removed = [a for a in before if a not in after]
    parts = [f"added {', '.join(added)}"] if added else []
    parts += [f"removed {', '.join(removed)}"] if removed else []
    tx.event(
        ticket,
        EventKind.CC_CHANGED,
        _listed(before)[:1000],
        _listed(after)[:1000],
        detail="; ".join(parts)[:2000],
        at=now,
        actor=actor,
    )


def _contact_email(s: Session, ticket: Ticket) -> str | None:
    contact = s.get(Contact, ticket.contact_id) if ticket.contact_id is not None else None
    return contact.email.lower() if contact is not None and contact.email else None


def _listed(addresses: list[str]) -> str:
    return ", ".join(addresses) or "nobody"
