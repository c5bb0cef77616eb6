"""Contacts: one person, one contact. Added and edited with their numbers in E.164,
a number belongs to one live contact, and two contacts found to be one person are
merged (tickets, replies and portal sessions follow, one Event says what moved)."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from regentra_core.desk import Desk
from regentra_core.enums import Channel, Priority
from regentra_core.errors import NoChange, NotFoundError, ValidationError
from regentra_core.queries.contacts import contact_rows
from regentra_core.store.models import Contact, Event, PortalLogin, Reply, Ticket


def _events(db, kind):
    with db.read() as s:
        return s.exec(select(Event).where(Event.kind == kind).order_by(col(Event.id))).all()


def _ticket(db, number):
    with db.read() as s:
        return s.exec(select(Ticket).where(Ticket.number == number)).one()


def test_a_typed_number_is_stored_in_e164(desk, clients):
    added = desk.add_contact(
        "Sam Lee", email="Sam@Acme.example", phone="(555) 010-0199", client="Acme"
    )
    assert (added.email, added.phone, added.client_id) == (
        "sam@acme.example",
        "+15550100199",
        clients["Acme"],
    )
    german = desk.add_contact("Jens", phone="030 1234567", region="DE")
    assert german.phone == "+49301234567"


def test_two_live_contacts_never_share_a_number_and_the_error_names_the_other(desk, clients):
    desk.add_contact("Sam Lee", email="sam@acme.example", phone="+15550100199", client="Acme")
    with pytest.raises(ValidationError, match=r"\+15550100199 is already the number of Sam Lee"):
        desk.add_contact("Someone", phone="555-010-0199")
    other = desk.add_contact("Kim", email="kim@acme.example")
    with pytest.raises(ValidationError, match=r"sam@acme\.example"):
        desk.edit_contact("kim@acme.example", phone="+1 555 010 0199")
    with pytest.raises(ValidationError, match="already the address of Sam Lee"):
        desk.edit_contact(f"#{other.id}", email="SAM@acme.example")


def test_what_is_no_number_or_address_is_one_clear_refusal(desk):
    with pytest.raises(ValidationError, match="not a phone number"):
        desk.add_contact("Sam", phone="call me")
    with pytest.raises(ValidationError, match="not an email address"):
        desk.add_contact("Sam", email="sam at acme")
    with pytest.raises(ValidationError, match="needs an email address or a phone number"):
        desk.add_contact("Sam")
    with pytest.raises(NotFoundError, match="no client named 'Nope'"):
        desk.add_contact("Sam", email="sam@x.example", client="Nope")


def test_edit_finds_a_contact_by_address_number_or_id_and_changes_what_is_given(desk, db, clients):
    sam = desk.add_contact("Sam", email="sam@acme.example")
    desk.edit_contact("SAM@acme.example", phone="555 010 0199")
    desk.edit_contact("+1 (555) 010-0199", client="Acme")
    changed = desk.edit_contact(f"#{sam.id}", name="Sam Lee")
    assert (changed.name, changed.email, changed.phone, changed.client_id) == (
        "Sam Lee",
        "sam@acme.example",
        "+15550100199",
        clients["Acme"],
    )
    [*_, last] = _events(db, "contact_updated")
    assert last.from_value == "Sam; sam@acme.example; +15550100199; Acme"
    assert last.to_value == "Sam Lee; sam@acme.example; +15550100199; Acme"
    with pytest.raises(NoChange):
        desk.edit_contact(f"#{sam.id}", name="Sam Lee")
    cleared = desk.edit_contact(f"#{sam.id}", phone="", client="")
    assert (cleared.phone, cleared.client_id) == (None, None)
    with pytest.raises(ValidationError, match="needs an email address or a phone number"):
        desk.edit_contact(f"#{sam.id}", email="")
    with pytest.raises(NotFoundError, match="no contact"):
        desk.edit_contact("nobody@acme.example", name="X")


def _two_of_one_person(desk, new_ticket):
    """Sam at Acme by mail, and Sam's SMS that opened a client-less second contact."""
    mail = new_ticket(contact_email="sam@acme.example", client_name="Acme")
    sms = desk.create_ticket(
        subject="printer",
        description="printer still down",
        priority=Priority.LOW,
        channel=Channel.SMS,
        contact_phone="+15550100199",
    )
    desk.add_customer_reply(sms.number, "any news?", channel=Channel.SMS)
    return mail, sms


def test_merging_moves_tickets_and_replies_and_says_so_in_one_event(desk, db, clients, new_ticket):
    mail, sms = _two_of_one_person(desk, new_ticket)
    result = desk.merge_contacts("+15550100199", "sam@acme.example")
    assert result.tickets == (sms.number,) and result.replies == 1
    assert not result.client_changed  # a contact of no client joins one: no --force
    moved = _ticket(db, sms.number)
    assert moved.contact_id == mail.contact_id
    assert moved.client_id == clients["Acme"]  # the client's SLA from now on
    with db.read() as s:
        reply = s.exec(select(Reply).where(Reply.ticket_id == moved.id)).one()
        merged = s.get(Contact, sms.contact_id)
        into = s.get(Contact, mail.contact_id)
    assert reply.contact_id == mail.contact_id
    assert merged.merged_into_id == mail.contact_id
    assert into.phone == "+15550100199"  # the number is the person's, not the stranger's
    [event] = _events(db, "contacts_merged")
    assert "+15550100199" in event.from_value and "sam@acme.example" in event.to_value
    assert f"tickets moved: #{sms.number}" in event.detail
    assert [r.id for r in contact_rows(db)] == [mail.contact_id]
    assert {r.id for r in contact_rows(db, merged=True)} == {mail.contact_id, sms.contact_id}


def test_a_merged_contacts_address_and_number_lead_to_the_contact_it_became(desk, db, new_ticket):
    mail, sms = _two_of_one_person(desk, new_ticket)
    other = desk.add_contact("Sam (home)", email="sam@home.example")
    desk.merge_contacts("sam@home.example", "sam@acme.example")
    desk.merge_contacts("+15550100199", "sam@acme.example")
    by_mail = new_ticket(contact_email="sam@home.example", client_name=None)
    by_sms = desk.create_ticket(
        subject="again",
        description="still down",
        priority=Priority.LOW,
        channel=Channel.SMS,
        contact_phone="+15550100199",
    )
    assert by_mail.contact_id == by_sms.contact_id == mail.contact_id
    with pytest.raises(ValidationError, match=f"#{other.id} was merged into sam \\(#"):
        desk.edit_contact(f"#{other.id}", name="X")


def test_a_contact_of_another_client_is_merged_only_with_force(desk, db, clients, new_ticket):
    acme = new_ticket(contact_email="sam@acme.example", client_name="Acme")
    bigwig = new_ticket(contact_email="sam@bigwig.example", client_name="Bigwig")
    with pytest.raises(ValidationError, match="ticket.* would move to Acme.*--force"):
        desk.merge_contacts("sam@bigwig.example", "sam@acme.example")
    assert _ticket(db, bigwig.number).client_id == clients["Bigwig"]  # nothing moved
    result = desk.merge_contacts("sam@bigwig.example", "sam@acme.example", force=True)
    assert result.client_changed
    moved = _ticket(db, bigwig.number)
    assert (moved.contact_id, moved.client_id) == (acme.contact_id, clients["Acme"])
    [event] = _events(db, "contacts_merged")
    assert "tickets moved from Bigwig to Acme" in event.detail


def test_the_merged_contacts_portal_sessions_end(desk, db, clock, new_ticket):
    mail, sms = _two_of_one_person(desk, new_ticket)
    desk.edit_contact("+15550100199", email="sam.home@acme.example")
    assert desk.request_portal_signin("sam.home@acme.example", "h" * 64, "https://x/y")
    session = desk.use_portal_signin("h" * 64)
    assert session is not None and session.contact_id == sms.contact_id
    result = desk.merge_contacts("sam.home@acme.example", "sam@acme.example")
    assert result.sessions_ended == 1
    with db.read() as s:
        login = s.get(PortalLogin, session.id)
    assert login.expires_at <= clock()


def test_a_contact_is_not_merged_into_itself(desk, new_ticket):
    new_ticket(contact_email="sam@acme.example")
    with pytest.raises(ValidationError, match="into itself"):
        desk.merge_contacts("sam@acme.example", "SAM@acme.example")


def test_any_technician_may_manage_contacts(db, bob, clock, clients):
    as_bob = Desk(db, bob, source="test", clock=clock)
    added = as_bob.add_contact("Sam", email="sam@acme.example", client="Acme")
    assert added.client_id == clients["Acme"]


def test_a_merged_contacts_address_signs_in_to_the_portal_as_the_contact_it_became(
    desk, new_ticket
):
    mail, sms = _two_of_one_person(desk, new_ticket)
    desk.edit_contact("+15550100199", email="sam.home@acme.example")
    desk.merge_contacts("sam.home@acme.example", "sam@acme.example")
    assert desk.request_portal_signin("sam.home@acme.example", "k" * 64, "https://x/y")
    session = desk.use_portal_signin("k" * 64)
    assert session is not None and session.contact_id == mail.contact_id  # with the tickets
