"""SMS (Twilio) and live chat, end to end through the real clients and the web hooks.

Twilio is a local stand-in of its REST API (tests/helpers/twilio_standin.py) driven
by the real ``twilio`` client; webhooks are signed with Twilio's own
RequestValidator and posted through Starlette's test client to the real app.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from regentra_core.channels.chat import sign
from regentra_core.channels.delivery import deliver_due
from regentra_core.channels.sms import normalise_number, segments, sms_text
from regentra_core.config import load_settings
from regentra_core.desk import Desk
from regentra_core.enums import Channel, DeliveryState, Priority, Status
from regentra_core.errors import ValidationError
from regentra_core.identity import Actor
from regentra_core.store.models import Contact, InboundRecord, OutboundMessage, Reply, Ticket
from regentra_core.wiring import Wiring, open_index
from regentra_web import create_app
from tests.helpers.twilio_standin import NUMBER, SID, TOKEN, TwilioStandIn

PUBLIC = "https://desk.example.com"
CHAT_SECRET = "chat-hook-secret"


@pytest.fixture
def twilio():
    standin = TwilioStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture
def wiring(db, twilio, monkeypatch, clock, clients):
    monkeypatch.setenv("REGENTRA_TWILIO_ACCOUNT_SID", SID)
    monkeypatch.setenv("REGENTRA_TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("REGENTRA_TWILIO_NUMBER", NUMBER)
    monkeypatch.setenv("REGENTRA_TWILIO_API_BASE", twilio.base_url)
    monkeypatch.setenv("REGENTRA_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("REGENTRA_CHAT_WEBHOOK_SECRET", CHAT_SECRET)
    settings = load_settings()
    return Wiring(settings, db, open_index(settings, db), clock=clock)


@pytest.fixture
def web(wiring):
    with TestClient(create_app(wiring)) as client:
        yield client


def _sms(web, sender: str, body: str, sid: str, *, signature: str | None = None):
    params = {"MessageSid": sid, "From": sender, "To": NUMBER, "Body": body, "NumMedia": "0"}
    url = f"{PUBLIC}/hooks/twilio/sms"
    if signature is None:
        signature = RequestValidator(TOKEN).compute_signature(url, params)
    return web.post("/hooks/twilio/sms", data=params, headers={"X-Twilio-Signature": signature})


def _tickets(db):
    with db.read() as s:
        return s.exec(select(Ticket).order_by(Ticket.number)).all()


def _replies(db, number):
    with db.read() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == number)).one()
        return s.exec(select(Reply).where(Reply.ticket_id == ticket.id)).all()


# -- pure parts ------------------------------------------------------------------------


def test_numbers_are_normalised_to_e164_whatever_their_spelling():
    assert normalise_number("(555) 010-0199") == "+15550100199"
    assert normalise_number("+44 20 7946 0958") == "+442079460958"
    assert normalise_number("020 7946 0958", "GB") == "+442079460958"
    with pytest.raises(ValidationError):
        normalise_number("call me")


def test_sms_segments_count_gsm7_and_unicode_as_carriers_bill_them():
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2
    assert segments("é" * 160) == 1  # é is in GSM-7
    assert segments("ő" * 70) == 1 and segments("ő" * 71) == 2  # UCS-2
    assert segments("{" * 80) == 1 and segments("{" * 81) == 2  # escapes take two


def test_a_long_reply_is_cut_at_a_word_and_says_so():
    text = sms_text("word " * 500)
    assert len(text.text) <= 1600 and text.text.endswith("...") and text.truncated  # GSM-7
    assert "cut to 1,600 characters" in text.note
    assert sms_text("Thanks, fixed.").note == "1 SMS"


# -- inbound by webhook ------------------------------------------------------------------


def test_an_sms_opens_a_ticket_for_a_new_contact_and_answers_empty_twiml(web, db):
    answer = _sms(web, "(555) 010-0199", "Internet down at the shop", "SM1")
    assert answer.status_code == 200 and "<Response/>" in answer.text
    [ticket] = _tickets(db)
    assert ticket.channel == Channel.SMS and ticket.description == "Internet down at the shop"
    with db.read() as s:
        contact = s.get(Contact, ticket.contact_id)
    assert contact is not None and contact.phone == "+15550100199"


def test_a_short_code_sender_is_kept_and_a_garbled_sender_is_refused_with_400(web, db):
    assert _sms(web, "ACMEIT", "Your ticket", "SM1").status_code == 200
    answer = _sms(web, "3\x1fE@x", "hello", "SM2")
    assert answer.status_code == 400 and "not a phone number or sender ID" in answer.text
    assert [t.channel for t in _tickets(db)] == [Channel.SMS]


def test_an_sms_from_a_number_with_a_recent_open_ticket_is_a_reply_on_it(web, db, clock):
    _sms(web, "+15550100199", "Internet down", "SM1")
    clock.advance(days=2)
    _sms(web, "+1 555 010 0199", "Still down, router blinking red", "SM2")
    [ticket] = _tickets(db)
    assert [r.body for r in _replies(db, ticket.number)] == ["Still down, router blinking red"]


def test_an_sms_after_a_week_of_silence_opens_a_new_ticket(web, db, clock):
    _sms(web, "+15550100199", "Internet down", "SM1")
    clock.advance(days=8)
    _sms(web, "+15550100199", "Printer now", "SM2")
    assert len(_tickets(db)) == 2


def test_the_same_message_sid_twice_stores_nothing_new(web, db):
    _sms(web, "+15550100199", "Internet down", "SM1")
    again = _sms(web, "+15550100199", "Internet down", "SM1")
    assert again.status_code == 200
    assert len(_tickets(db)) == 1
    with db.read() as s:
        assert len(s.exec(select(InboundRecord)).all()) == 1


def test_a_bad_or_missing_twilio_signature_is_refused_and_stores_nothing(web, db):
    assert _sms(web, "+15550100199", "hi", "SM1", signature="forged").status_code == 403
    assert web.post("/hooks/twilio/sms", data={"MessageSid": "SM2"}).status_code == 403
    assert _tickets(db) == []


# -- outbound -----------------------------------------------------------------------------


def test_a_technician_reply_on_an_sms_ticket_goes_out_through_twilio_notes_never(
    web, db, wiring, twilio, alice, clock
):
    _sms(web, "+15550100199", "Internet down", "SM1")
    [ticket] = _tickets(db)
    desk = Desk(db, alice, source="test", clock=clock)
    desk.add_note(ticket.number, "router serial 1234, do not share")
    desk.add_technician_reply(ticket.number, "Please power-cycle the router.")
    result = deliver_due(
        Desk(db, Actor.system("sms"), source="sms", clock=clock), Channel.SMS, wiring.sms().send
    )
    assert result == "sent 1, failed 0"
    [sent] = twilio.sent()
    assert sent["to"] == "+15550100199" and sent["from"] == NUMBER
    assert sent["body"] == f"#{ticket.number}: Please power-cycle the router."
    with db.read() as s:
        [out] = s.exec(select(OutboundMessage)).all()
    assert out.state == DeliveryState.SENT and out.note == "1 SMS"


def test_a_twilio_outage_is_retried_with_backoff_then_sent_once(
    web, db, wiring, twilio, alice, clock
):
    system = _answered(web, db, alice, clock, "+15550100199", "On it")
    twilio.fail_next = 1
    assert deliver_due(system, Channel.SMS, wiring.sms().send) == "sent 0, failed 1"
    with db.read() as s:
        [out] = s.exec(select(OutboundMessage)).all()
    assert out.state == DeliveryState.FAILED and out.next_attempt_at is not None
    clock.advance(minutes=2)
    assert deliver_due(system, Channel.SMS, wiring.sms().send) == "sent 1, failed 0"
    assert len(twilio.sent()) == 1


def test_a_number_twilio_refuses_is_given_up_with_twilios_reason(web, db, wiring, alice, clock):
    system = _answered(web, db, alice, clock, "ACME", "Noted")  # alphanumeric: no number
    assert deliver_due(system, Channel.SMS, wiring.sms().send) == "sent 0, failed 1"
    [out] = _outbound(db)
    assert out.state == DeliveryState.FAILED and out.next_attempt_at is None
    assert "is not valid" in (out.last_error or "")


def test_a_send_in_doubt_is_checked_in_twilios_log_not_repeated(
    web, db, wiring, twilio, alice, clock
):
    system = _answered(web, db, alice, clock, "+15550100199", "On it")
    [out_id] = [o.id for o in _outbound(db)]
    claimed = system.start_delivery(out_id)
    assert claimed is not None
    wiring.sms().send(claimed)  # it went out; then the daemon was killed before recording it
    clock.advance(minutes=30)
    assert deliver_due(system, Channel.SMS, wiring.sms().send) == "sent 1, failed 0"
    assert len(twilio.sent()) == 1  # confirmed from the log, not sent twice


def _answered(web, db, alice, clock, sender: str, answer: str) -> Desk:
    """A customer's SMS, a technician's reply on its ticket; the sending desk."""
    _sms(web, sender, "Internet down", "SM1")
    [ticket] = _tickets(db)
    Desk(db, alice, source="test", clock=clock).add_technician_reply(ticket.number, answer)
    return Desk(db, Actor.system("sms"), source="sms", clock=clock)


def _outbound(db):
    with db.read() as s:
        return s.exec(select(OutboundMessage)).all()


# -- inbound by polling -------------------------------------------------------------------


def test_polling_reads_twilios_log_once_through_the_same_seam(wiring, twilio, db, clock):
    first = twilio.inbound("+15550100199", "Printer jammed", at=clock() - timedelta(minutes=5))
    twilio.inbound("+15550100777", "VPN?", at=clock() - timedelta(minutes=4))
    report = wiring.poll_sms()
    assert report.fetched == 2 and report.outcomes == {"created": 2}
    again = wiring.poll_sms()  # the overlap re-reads both: duplicates, nothing new
    assert again.outcomes == {"duplicate": 2}
    assert len(_tickets(db)) == 2
    with db.read() as s:
        record = s.exec(select(InboundRecord).where(InboundRecord.external_id == first)).one()
    assert record.ticket_id is not None


def test_sms_poll_command_prints_what_it_stored(wiring, twilio, db, monkeypatch, clock):
    from click.testing import CliRunner

    from regentra_tui.cli import cli

    twilio.inbound("+15550100199", "Printer jammed")
    result = CliRunner().invoke(cli, ["--db", db.url.removeprefix("sqlite:///"), "sms", "poll"])
    assert result.exit_code == 0, result.output
    assert "fetched 1 SMS: 1 created" in result.output


def test_without_twilio_settings_sms_is_off_and_says_so(db, monkeypatch):
    settings = load_settings()
    assert not settings.sms_configured
    with pytest.raises(ValidationError, match="SMS is not set up"):
        Wiring(settings, db, open_index(settings, db)).sms()
    with TestClient(create_app(Wiring(settings, db, open_index(settings, db)))) as web:
        assert web.post("/hooks/twilio/sms", data={}).status_code == 404


# -- live chat ----------------------------------------------------------------------------


def _session(**overrides):
    session = {
        "id": "chat-42",
        "contact": {"email": "Sam@Acme.example", "name": "Sam"},
        "agent": "Dana",
        "ended_at": "2026-11-26T09:10:00Z",
        "messages": [
            {"from": "customer", "text": "My mailbox is full", "at": "2026-11-26T09:00:00Z"},
            {"from": "agent", "text": "I'll raise a ticket", "at": "2026-11-26T09:05:00Z"},
        ],
    }
    session.update(overrides)
    return session


def _chat(web, session, *, secret=CHAT_SECRET, raw: bytes | None = None):
    body = raw if raw is not None else json.dumps(session).encode()
    headers = {"X-Regentra-Signature": sign(body, secret), "Content-Type": "application/json"}
    return web.post("/hooks/chat", content=body, headers=headers)


def test_a_chat_session_becomes_a_ticket_with_its_transcript(web, db):
    answer = _chat(web, _session(priority="critical"))
    assert answer.status_code == 201
    assert answer.json()["outcome"] == "created"
    [ticket] = _tickets(db)
    assert ticket.number == answer.json()["ticket"] and ticket.channel == Channel.CHAT
    assert ticket.priority == Priority.CRITICAL  # the customer's priority stands
    assert "Sam: My mailbox is full" in ticket.description
    assert "Dana (agent): I'll raise a ticket" in ticket.description
    with db.read() as s:
        assert s.exec(select(InboundRecord)).one().agent == "Dana"


def test_a_chat_naming_a_ticket_is_a_reply_on_it(web, db, new_ticket):
    existing = new_ticket(contact_email="sam@acme.example")
    answer = _chat(web, _session(id="chat-43", ticket=existing.number))
    assert answer.status_code == 201 and answer.json() == {
        "ticket": existing.number,
        "outcome": "reply",
        "reason": None,
    }
    [reply] = _replies(db, existing.number)
    assert "My mailbox is full" in reply.body


def test_a_replayed_chat_session_is_a_duplicate_and_stores_nothing(web, db):
    first = _chat(web, _session())
    again = _chat(web, _session())
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    assert again.json()["ticket"] == first.json()["ticket"]
    assert len(_tickets(db)) == 1


def test_a_chat_with_a_bad_signature_is_refused(web, db):
    assert _chat(web, _session(), secret="wrong").status_code == 403
    assert web.post("/hooks/chat", content=b"{}").status_code == 403
    assert _tickets(db) == []


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"not json", "not JSON"),
        (json.dumps({"id": "x"}).encode(), "contact"),
        (json.dumps(_session(messages=[])).encode(), "messages must be a non-empty list"),
        (
            json.dumps(_session(messages=[{"from": "bot", "text": "x", "at": "2026"}])).encode(),
            'messages[0].from must be "customer" or "agent"',
        ),
        (json.dumps(_session(priority="urgent!")).encode(), "unknown priority"),
        (json.dumps(_session(ticket="12")).encode(), "ticket must be a ticket number"),
    ],
)
def test_a_malformed_chat_session_gets_422_with_what_is_wrong(web, db, raw, says):
    answer = _chat(web, None, raw=raw)
    assert answer.status_code == 422
    assert says in answer.json()["error"]
    assert _tickets(db) == []


def test_a_technician_reply_on_a_chat_ticket_is_emailed_to_the_contact(web, db, alice, clock):
    _chat(web, _session())
    [ticket] = _tickets(db)
    Desk(db, alice, source="test", clock=clock).add_technician_reply(ticket.number, "Done")
    [out] = _outbound(db)
    assert out.channel == Channel.EMAIL and out.recipient == "sam@acme.example"
    assert ticket.status == Status.OPEN
