"""The rule analyzer on how customers really write: negation, politeness, phishing.

Issue #28: a polite "still no light" was frustration (and raised a Medium ticket to
High), "not urgent" suggested High, and "a fake Microsoft login page asking for my
password" was no security matter.
"""

from __future__ import annotations

import pytest

from regentra_core import queries
from regentra_core.ai import rules
from regentra_core.ai.assistant import Assistant
from regentra_core.ai.conversation import Conversation, Message
from regentra_core.config import Settings
from regentra_core.enums import Priority
from tests.conftest import T0


def _analyse(text: str, subject: str = "Help"):
    message = Message("customer", text, T0)
    return rules.analyze(Conversation(1001, subject, Priority.MEDIUM, "Acme", (message,)))


def test_a_polite_still_no_light_leaves_a_medium_ticket_medium(db, desk, new_ticket):
    t = new_ticket(subject="Docking station", description="My docking station has no power.")
    desk.add_technician_reply(t.number, "I have sent you a new power supply.")
    desk.add_customer_reply(
        t.number, "Thanks for the new power supply! Still no light on the dock though."
    )
    analysis = Assistant(db, Settings()).analyze_ticket(desk, t.number)
    assert not analysis.frustration
    assert analysis.suggested_priority == Priority.MEDIUM
    assert queries.get_ticket(db, t.number).priority == Priority.MEDIUM
    assert 'not frustration: still broken "still no light"; polite "thanks"' in analysis.reason


def test_still_no_light_said_angrily_is_still_frustration():
    analysis = _analyse("Still no light on the dock. Still nobody came. Unacceptable.")
    assert analysis.frustration and 'angry wording "unacceptable"' in analysis.reason


@pytest.mark.parametrize(
    "text",
    [
        "Not urgent, but the E key on my keyboard sticks.",
        "No rush: please add Claire to the finance list.",
        "The clock on the reception PC is slow. It isn't critical.",
        "Not an emergency, the projector remote is missing.",
        "Nothing urgent, could you look at the label printer next week?",
    ],
)
def test_negated_urgency_suggests_low_not_high(text):
    analysis = _analyse(text)
    assert analysis.suggested_priority == Priority.LOW, analysis.reason
    assert "no hurry" in analysis.reason and "urgency" not in analysis.reason


@pytest.mark.parametrize(
    "text",
    [
        "Whenever I open Outlook it crashes.",
        "Don't know if this is urgent: the scanner sends blank pages.",
    ],
)
def test_words_near_calm_or_negated_ones_keep_the_customers_priority(text):
    analysis = _analyse(text)
    assert analysis.suggested_priority != Priority.LOW, analysis.reason


def test_a_negated_security_word_is_no_evidence_but_an_unsure_one_is():
    assert not _analyse("Not a virus I think, the printer just prints blank pages.").security
    assert _analyse("Not sure if it is a virus, Defender keeps warning me.").security


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (
            "I got a fake Microsoft login page asking for my password after opening a PDF.",
            'credential lure "fake microsoft login page"',
        ),
        (
            "The link went to a spoofed login page that looked like ours.",
            'credential lure "spoofed login page"',
        ),
        (
            "An email from 'IT' asked for my password to upgrade the mailbox.",
            "asked for a password",
        ),
        ("I clicked a link in an email about an unpaid invoice.", "link or attachment opened"),
        ("Our CEO emailed asking me to buy gift cards for clients today.", "gift-card fraud"),
        (
            "The supplier sent new bank details for the invoice, please confirm.",
            "payment-change fraud",
        ),
        ("My phone keeps getting MFA prompts I didn't make.", "MFA fatigue"),
        ("I approved a sign-in request at 3am by mistake.", "MFA fatigue"),
        ("Someone logged into my account from Brazil last night.", "account takeover"),
        ("I scanned the QR code in the HR email and logged in on my phone.", "QR-code phishing"),
        ("My contacts got emails from me that I didn't send.", "account takeover"),
    ],
)
def test_common_phishing_phrasings_are_security_naming_the_phrase(text, named):
    analysis = _analyse(text)
    assert analysis.security, analysis.reason
    assert analysis.suggested_priority == Priority.HIGH
    assert named in analysis.reason


@pytest.mark.parametrize(
    "text",
    [
        "Please book the phishing awareness training for January.",
        "Finance wants to buy gift cards for the staff party, which shop is allowed?",
        "Our antivirus licence runs out next month, please renew it.",
        "How do I move my authenticator app to my new phone?",
        "Outlook keeps asking for my password every few minutes since the update.",
    ],
)
def test_security_words_in_everyday_requests_flag_nothing(text):
    assert not _analyse(text).security
