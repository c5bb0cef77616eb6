"""SMS and chat find the customer by their number (issue #28, "One person, one
contact"): an SMS from a number a chat gave or a technician typed joins that
contact, its client and its SLA, instead of opening a client-less second contact.

Through the real web hooks: Twilio's own RequestValidator signs the SMS, the chat
body is signed as a chat system signs it (tests/helpers/twilio_standin.py is the
Twilio stand-in the hooks' settings need).
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import col, select
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from regentra_core.channels.chat import sign
from regentra_core.config import load_settings
from regentra_core.store.models import Contact, Event, InboundRecord, Ticket
from regentra_core.wiring import Wiring, open_index
from regentra_web import create_app
from tests.helpers.twilio_standin import NUMBER, SID, TOKEN, TwilioStandIn

PUBLIC = "https://desk.example.com"
CHAT_SECRET = "chat-hook-secret"


@pytest.fixture
def web(db, monkeypatch, clock, clients):
    standin = TwilioStandIn().start()
    monkeypatch.setenv("REGENTRA_TWILIO_ACCOUNT_SID", SID)
    monkeypatch.setenv("REGENTRA_TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("REGENTRA_TWILIO_NUMBER", NUMBER)
    monkeypatch.setenv("REGENTRA_TWILIO_API_BASE", standin.base_url)
    monkeypatch.setenv("REGENTRA_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("REGENTRA_CHAT_WEBHOOK_SECRET", CHAT_SECRET)
    monkeypatch.setenv("REGENTRA_SMS_DEFAULT_REGION", "DE")
    settings = load_settings()
    wiring = Wiring(settings, db, open_index(settings, db), clock=clock)
    with TestClient(create_app(wiring)) as client:
        yield client
    standin.stop()


def _sms(web, sender: str, body: str, sid: str):
    params = {"MessageSid": sid, "From": sender, "To": NUMBER, "Body": body, "NumMedia": "0"}
    signature = RequestValidator(TOKEN).compute_signature(f"{PUBLIC}/hooks/twilio/sms", params)
    answer = web.post("/hooks/twilio/sms", data=params, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 200, answer.text


def _chat(web, session_id: str, contact: dict[str, str], text: str = "Outlook will not start"):
    at = "2026-03-02T08:55:00Z"  # minutes before the test clock's now
    session = {
        "id": session_id,
        "contact": contact,
        "agent": "Dana",
        "messages": [{"from": "customer", "text": text, "at": at}],
    }
    body = json.dumps(session).encode()
    headers = {"X-Regentra-Signature": sign(body, CHAT_SECRET), "Content-Type": "application/json"}
    answer = web.post("/hooks/chat", content=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def _contacts(db):
    with db.read() as s:
        return s.exec(select(Contact).order_by(col(Contact.id))).all()


def _ticket(db, number):
    with db.read() as s:
        return s.exec(select(Ticket).where(Ticket.number == number)).one()


def _newest_ticket(db):
    with db.read() as s:
        return s.exec(select(Ticket).order_by(col(Ticket.number).desc())).first()


def test_an_sms_from_the_number_a_chat_gave_joins_that_customer_and_client(web, db, desk, clients):
    desk.add_contact("Sam Lee", email="sam@acme.example", client="Acme")
    _chat(web, "chat-1", {"email": "sam@acme.example", "phone": "030 1234567", "name": "Sam"})
    [sam] = _contacts(db)
    assert sam.phone == "+49301234567"  # the chat's number, stored in E.164
    _sms(web, "+49301234567", "Printer is jammed again", "SM" + "1" * 32)
    with db.read() as s:
        record = s.exec(select(InboundRecord).where(InboundRecord.channel == "sms")).one()
        ticket = s.get(Ticket, record.ticket_id)
    # Sam's: it continues Sam's open chat ticket, as Sam's own SMS does.
    assert (ticket.contact_id, ticket.client_id) == (sam.id, clients["Acme"])
    assert [c.id for c in _contacts(db)] == [sam.id]  # no second, client-less contact


def test_an_sms_from_a_number_a_technician_typed_joins_that_customer(web, db, desk, clients):
    sam = desk.add_contact("Sam Lee", email="sam@acme.example", client="Bigwig")
    desk.edit_contact("sam@acme.example", phone="0151 2345678", region="DE")
    _sms(web, "+491512345678", "VPN down", "SM" + "2" * 32)
    ticket = _newest_ticket(db)
    assert (ticket.contact_id, ticket.client_id) == (sam.id, clients["Bigwig"])
    assert ticket.priority.value == "high"  # the VIP client's policy, not the default


def test_a_chat_number_never_overwrites_the_one_a_contact_has(web, db, desk):
    desk.add_contact("Sam Lee", email="sam@acme.example", phone="+49301234567", client="Acme")
    _chat(web, "chat-2", {"email": "sam@acme.example", "phone": "+49 40 7654321"})
    [sam] = _contacts(db)
    assert sam.phone == "+49301234567"
    with db.read() as s:
        noted = s.exec(select(Event).where(Event.kind == "contact_noted")).one()
    assert "+49407654321" in noted.detail and "kept +49301234567" in noted.detail


def test_a_chat_number_another_contact_has_is_noted_and_not_stored(web, db, desk):
    kim = desk.add_contact("Kim", email="kim@acme.example", phone="+49301234567")
    _chat(web, "chat-3", {"email": "sam@acme.example", "phone": "+49301234567"})
    sam = next(c for c in _contacts(db) if c.email == "sam@acme.example")
    assert sam.phone is None
    with db.read() as s:
        noted = s.exec(select(Event).where(Event.kind == "contact_noted")).one()
    assert f"it is the number of Kim (#{kim.id}" in noted.detail


def test_a_chat_from_a_new_address_with_an_sms_customers_number_is_that_customer(web, db):
    _sms(web, "+49301234567", "Printer is jammed", "SM" + "3" * 32)
    [texter] = _contacts(db)
    _chat(web, "chat-4", {"email": "sam@acme.example", "phone": "030 1234567"})
    [same] = _contacts(db)
    assert (same.id, same.email, same.phone) == (texter.id, "sam@acme.example", "+49301234567")


def test_an_sms_from_a_merged_contacts_number_reaches_the_contact_it_became(web, db, desk, clients):
    _sms(web, "+49301234567", "Printer is jammed", "SM" + "4" * 32)
    first = _newest_ticket(db)
    sam = desk.add_contact("Sam Lee", email="sam@acme.example", client="Acme")
    desk.merge_contacts("+49301234567", "sam@acme.example")
    assert _ticket(db, first.number).client_id == clients["Acme"]
    _sms(web, "+49301234567", "and the scanner", "SM" + "5" * 32)
    with db.read() as s:
        tickets = s.exec(select(Ticket).order_by(col(Ticket.number))).all()
    assert {t.contact_id for t in tickets} == {sam.id}


def test_a_chat_customers_next_sms_opens_no_second_client_less_contact(
    web, db, new_ticket, clients
):
    """The fault as reported, with nothing but what the desk had before contacts
    could be edited: a customer known by mail chats with their phone, then texts."""
    new_ticket(contact_email="sam@acme.example", client_name="Acme")
    _chat(web, "chat-5", {"email": "sam@acme.example", "phone": "+49 30 1234567"})
    _sms(web, "+49301234567", "Printer is jammed again", "SM" + "6" * 32)
    with db.read() as s:
        record = s.exec(select(InboundRecord).where(InboundRecord.channel == "sms")).one()
        ticket = s.get(Ticket, record.ticket_id)
    assert len(_contacts(db)) == 1
    assert ticket.client_id == clients["Acme"]


def test_an_sms_from_a_merged_number_is_not_noted_as_a_stranger_number_each_time(web, db, desk):
    _sms(web, "+49301234567", "Printer is jammed", "SM" + "7" * 32)
    desk.add_contact("Sam Lee", email="sam@acme.example", phone="+49309999999", client="Acme")
    desk.merge_contacts("+49301234567", "sam@acme.example")
    _sms(web, "+49301234567", "and the scanner", "SM" + "8" * 32)
    with db.read() as s:
        assert s.exec(select(Event).where(Event.kind == "contact_noted")).all() == []
