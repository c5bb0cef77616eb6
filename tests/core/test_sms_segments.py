"""SMS segments counted by the encoding a text needs, and a long reply cut without
changing it.

The counts are checked against the examples Twilio documents ("What the heck is a
segment?", twilio.com/blog/what-the-heck-is-a-segment, and the SMS character limit
glossary, twilio.com/docs/glossary/what-sms-character-limit): 160 GSM-7 characters
are one segment and 161 are two (153 + 8); 70 UCS-2 characters are one and 71 are
two (67 + 4); an emoji or a smart quote turns a whole text to UCS-2. Twilio's
message segment calculator (github.com/TwilioDevEd/message-segment-calculator)
keeps an escape and its character, and a surrogate pair, in one segment.

The reply goes out through the real ``twilio`` client to the local stand-in of
Twilio's API (tests/helpers/twilio_standin.py).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from regentra_core.channels.delivery import deliver_due
from regentra_core.channels.sms import MAX_SMS_CHARS, sms_inbound, sms_text
from regentra_core.channels.sms_segments import (
    GSM7_BASIC,
    Encoding,
    SegmentCount,
    count,
    encoding_of,
    segments,
)
from regentra_core.config import load_settings
from regentra_core.desk import Desk
from regentra_core.enums import Channel, DeliveryState
from regentra_core.identity import Actor
from regentra_core.store.models import OutboundMessage, Ticket
from regentra_core.wiring import Wiring, open_index
from tests.helpers.twilio_standin import NUMBER, SID, TOKEN, TwilioStandIn

CUSTOMER = "+15550100199"

STEPS = (
    "Thanks for waiting. We checked the firewall at the shop this morning and found "
    "the WAN port renegotiating every few minutes, which is why the card terminal and "
    "the office PCs kept dropping. We replaced the patch cable between the modem and "
    "the firewall and pinned the port to 1 Gbps full duplex. If it drops again, please "
    "power-cycle the modem first (unplug it for 30 seconds), then the firewall, and "
    "text us the time it happened so we can match it against the logs. "
)
LONG_REPLY = (STEPS * 6)[:2300]
"""A technician's 2,300-character answer, every character of it in GSM-7."""


# -- counting, against Twilio's documented examples ---------------------------------------


def test_gsm7_text_is_one_segment_up_to_160_then_153_per_segment():
    assert count("a" * 160) == SegmentCount(Encoding.GSM7, 160, 1)
    assert segments("a" * 161) == 2  # 153 + 8, Twilio's example
    assert segments("a" * 1530) == 10 and segments("a" * 1531) == 11
    assert segments("Your technician arrives at 14:30. Reply STOP to opt out.") == 1


def test_ucs2_text_is_one_segment_up_to_70_then_67_per_segment():
    assert count("ő" * 70).encoding == Encoding.UCS2 and segments("ő" * 70) == 1
    assert segments("ő" * 71) == 2  # 67 + 4, Twilio's example
    assert segments("ő" * 134) == 2 and segments("ő" * 135) == 3


def test_one_character_outside_gsm7_turns_the_whole_text_to_ucs2():
    plain = "Don't worry, it's fixed"
    curly = "Don\u2019t worry, it\u2019s fixed"  # Word's and the iPhone's apostrophe
    assert encoding_of(plain) == Encoding.GSM7 and encoding_of(curly) == Encoding.UCS2
    assert encoding_of("Grüße, Søren, à bientôt") == Encoding.UCS2  # ô is not in GSM-7
    assert encoding_of("Grüße, Søren, Ça va? ¿Qué?") == Encoding.GSM7
    assert encoding_of("cut here…") == Encoding.UCS2 and encoding_of("cut here...") == Encoding.GSM7
    assert segments("x" * 100) == 1 and segments("x" * 99 + "…") == 2


def test_extension_table_characters_take_two_septets():
    assert count("€" * 80).units == 160 and segments("€" * 80) == 1
    assert segments("€" * 81) == 2
    assert count("[ticket] {id} ~ ^ | \\").units == 21 + 8  # 21 characters, 8 of them escaped


def test_an_escape_and_its_character_are_never_split_between_segments():
    # 306 septets would fill two chained segments, but the escape and the "€" do not
    # fit in the first segment's last septet: the chain takes three.
    assert count("a" * 152 + "€" + "a" * 152) == SegmentCount(Encoding.GSM7, 306, 3)


def test_an_emoji_takes_two_ucs2_units_never_split_between_segments():
    assert count("🙂" * 35) == SegmentCount(Encoding.UCS2, 70, 1)
    assert segments("🙂" * 36) == 2
    assert segments("x" * 66 + "🙂" + "x" * 66) == 3  # 134 units, the pair moves on


def test_an_empty_text_is_one_segment():
    assert segments("") == 1


_GSM7_PLAIN = "".join(sorted(GSM7_BASIC))


@given(st.text(alphabet=_GSM7_PLAIN, max_size=2000))
def test_gsm7_without_escapes_is_160_alone_then_153_a_segment(text):
    expected = 1 if len(text) <= 160 else -(-len(text) // 153)
    assert count(text) == SegmentCount(Encoding.GSM7, len(text), expected)


@given(st.text(alphabet="őűŁżДжя中文", min_size=1, max_size=800))
def test_ucs2_in_the_basic_plane_is_70_alone_then_67_a_segment(text):
    expected = 1 if len(text) <= 70 else -(-len(text) // 67)
    assert count(text) == SegmentCount(Encoding.UCS2, len(text), expected)


@given(st.text(max_size=2500))
def test_a_reply_never_exceeds_twilios_limit_nor_changes_its_encoding(body):
    text = sms_text(body)
    assert len(text.text.encode("utf-16-le")) // 2 <= MAX_SMS_CHARS
    if encoding_of(body) == Encoding.GSM7:
        assert text.encoding == Encoding.GSM7
    assert text.segments == segments(text.text)


# -- the cut, in the text's own encoding --------------------------------------------------


def test_a_long_gsm7_reply_is_cut_with_dots_and_stays_gsm7():
    text = sms_text(LONG_REPLY)
    assert text.truncated and len(text.text) <= MAX_SMS_CHARS
    assert text.text.endswith("...") and "…" not in text.text
    assert encoding_of(text.text) == Encoding.GSM7 and text.encoding == Encoding.GSM7
    assert text.segments == 11
    assert text.note == "11 SMS; cut to 1,600 characters (the whole reply is here)"
    assert LONG_REPLY.startswith(text.text.removesuffix("...").rstrip())
    assert not text.text.removesuffix("...").endswith(" ")  # cut at a word


def test_a_long_ucs2_reply_is_cut_with_an_ellipsis_within_1600_code_units():
    body = ("Grüße aus dem Büro 🙂 " + STEPS) * 6
    text = sms_text(body)
    assert text.truncated and text.text.endswith("…") and text.encoding == Encoding.UCS2
    assert len(text.text.encode("utf-16-le")) // 2 <= MAX_SMS_CHARS
    assert text.segments == count(text.text).segments >= 24
    assert text.note.startswith(f"{text.segments} SMS (UCS-2); cut to 1,600 characters")


def test_a_reply_whose_only_unicode_is_past_the_cut_goes_as_gsm7():
    text = sms_text(LONG_REPLY + " Thanks 🙂")
    assert text.text.endswith("...") and text.encoding == Encoding.GSM7
    assert text.segments == 11


def test_a_short_unicode_reply_says_its_encoding():
    text = sms_text("Fixed 🙂 " + "x" * 70)
    assert not text.truncated and text.note == "2 SMS (UCS-2)"
    assert sms_text("Thanks, fixed.").note == "1 SMS"


# -- through the desk and Twilio's client --------------------------------------------------


@pytest.fixture
def twilio():
    standin = TwilioStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture
def wiring(db, twilio, monkeypatch, clock):
    monkeypatch.setenv("REGENTRA_TWILIO_ACCOUNT_SID", SID)
    monkeypatch.setenv("REGENTRA_TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("REGENTRA_TWILIO_NUMBER", NUMBER)
    monkeypatch.setenv("REGENTRA_TWILIO_API_BASE", twilio.base_url)
    settings = load_settings()
    return Wiring(settings, db, open_index(settings, db), clock=clock)


def test_a_2300_character_reply_goes_out_as_11_gsm7_sms_and_the_ticket_says_so(
    db, wiring, twilio, alice, clock
):
    system = Desk(db, Actor.system("sms"), source="sms", clock=clock)
    form = {"MessageSid": "SM1", "From": CUSTOMER, "To": NUMBER, "Body": "Card terminal down"}
    system.receive(sms_inbound(form, clock()))
    with db.read() as s:
        [ticket] = s.exec(select(Ticket)).all()
    Desk(db, alice, source="test", clock=clock).add_technician_reply(ticket.number, LONG_REPLY)

    assert deliver_due(system, Channel.SMS, wiring.sms().send) == "sent 1, failed 0"
    [sent] = twilio.sent()
    assert sent["to"] == CUSTOMER and sent["body"].startswith(f"#{ticket.number}: Thanks")
    assert len(sent["body"]) <= MAX_SMS_CHARS and sent["body"].endswith("...")
    assert encoding_of(sent["body"]) == Encoding.GSM7 and segments(sent["body"]) == 11
    with db.read() as s:
        [out] = s.exec(select(OutboundMessage)).all()
    assert out.state == DeliveryState.SENT
    assert out.note == "11 SMS; cut to 1,600 characters (the whole reply is here)"
