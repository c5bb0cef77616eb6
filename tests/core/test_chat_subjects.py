"""A subject made from what a customer wrote is cut at a word and marked with "…".

A chat ticket's subject is its first customer line; an SMS ticket's is its text; a
mail subject over the desk's limit is cut too. Each used to stop mid-word ("… Nob"),
the chat's without saying it was cut.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlmodel import select

from regentra_core.channels.chat import chat_inbound
from regentra_core.channels.message import Inbound
from regentra_core.channels.sms import sms_inbound
from regentra_core.desk import Desk
from regentra_core.enums import Channel
from regentra_core.identity import Actor
from regentra_core.limits import SUBJECT_MAX
from regentra_core.store.models import Ticket
from regentra_core.text import shorten

AT = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
FIRST_LINE = (
    "Hi, since this morning the shared drive on the office server is gone and Nobody "
    "in accounts can open the invoices folder"
)


def _session(text: str) -> bytes:
    return json.dumps(
        {
            "id": "chat-2026-12-04-0001",
            "contact": {"email": "sam@acme.example", "name": "Sam"},
            "agent": "Dana",
            "messages": [
                {"from": "customer", "text": text, "at": "2026-12-04T09:10:00Z"},
                {"from": "agent", "text": "Looking now", "at": "2026-12-04T09:11:00Z"},
            ],
        }
    ).encode()


def _whole_words_of(original: str, shortened: str) -> None:
    """``shortened`` is ``original``'s beginning, ending at a word, then "…"."""
    assert shortened.endswith("…")
    head = shortened.removesuffix("…")
    assert original.startswith(head)
    assert original[len(head)] == " ", f"cut inside a word: {shortened!r}"


# -- the rule ------------------------------------------------------------------------------


def test_a_text_that_fits_is_left_as_it_is():
    assert shorten("Printer offline", 70) == "Printer offline"
    assert shorten("x" * 70, 70) == "x" * 70


def test_a_long_text_is_cut_after_the_last_whole_word_and_marked():
    cut = shorten(FIRST_LINE, 70)
    assert len(cut) <= 70
    _whole_words_of(FIRST_LINE, cut)
    assert cut == "Hi, since this morning the shared drive on the office server is gone…"


def test_a_cut_that_falls_between_words_keeps_the_last_word():
    assert shorten("alpha beta gamma", 11) == "alpha beta…"


def test_punctuation_left_dangling_before_the_mark_goes():
    assert shorten("Printer offline, scanner too, and the copier", 18) == "Printer offline…"


def test_one_word_longer_than_the_room_is_cut_inside_it():
    url = "https://sharepoint.example.com/sites/accounts/Shared%20Documents/Invoices"
    cut = shorten(f"see {url}", 40)
    assert len(cut) == 40 and cut.startswith("see https://") and cut.endswith("…")


# -- on every door ---------------------------------------------------------------------------


def test_a_chat_subject_is_cut_at_a_word_with_an_ellipsis():
    message = chat_inbound(_session(FIRST_LINE), AT)
    assert message.subject.startswith("Chat: ")
    _whole_words_of(FIRST_LINE, message.subject.removeprefix("Chat: "))
    assert not message.subject.endswith("Nob…") and "Nob" not in message.subject


def test_a_short_chat_line_is_the_whole_subject():
    assert chat_inbound(_session("Mailbox full"), AT).subject == "Chat: Mailbox full"


def _subject(db, clock, message: Inbound) -> str:
    Desk(db, Actor.system("test"), source="test", clock=clock).receive(message)
    with db.read() as s:
        return s.exec(select(Ticket)).one().subject


def test_an_sms_ticket_subject_is_cut_at_a_word(db, clock, clients):
    text = (
        "Hi this is Maria from the front desk, the card terminal keeps saying declined "
        "for every customer since lunch"
    )
    form = {"MessageSid": "SM1", "From": "+15550100199", "Body": text}
    subject = _subject(db, clock, sms_inbound(form, clock()))
    assert len(subject) <= 80
    _whole_words_of(text, subject)


def test_a_mail_subject_over_the_limit_is_cut_at_a_word(db, clock, clients):
    words = "Quarterly backup restore test failed on the file server " * 8
    message = Inbound(
        channel=Channel.EMAIL,
        external_id="<long-subject@acme.example>",
        sender="sam@acme.example",
        received_at=clock(),
        subject=words.strip(),
        body="See the subject.",
    )
    subject = _subject(db, clock, message)
    assert len(subject) <= SUBJECT_MAX
    _whole_words_of(words.strip(), subject)
