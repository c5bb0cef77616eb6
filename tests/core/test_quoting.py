"""Folding carried history and signatures out of the thread view, never out of the desk."""

from __future__ import annotations

import pytest

from regentra_core.channels.quoting import fold

GMAIL = """Thanks, the printer works again.

On Tue, 3 Nov 2026 at 10:02, Help Desk <help@desk.example> wrote:
> Please restart the printer.
>
> [#1042]"""

OUTLOOK = """Still broken after the restart.

-----Original Message-----
From: Help Desk <help@desk.example>
Sent: Monday, November 2, 2026 9:00 AM
To: Ann <ann@acme.example>
Subject: RE: Printer offline [#1042]

Please restart the printer."""

GERMAN = """Danke, geht wieder.

Am 03.11.2026 um 10:02 schrieb Help Desk <help@desk.example>:
> Bitte den Drucker neu starten."""


@pytest.mark.parametrize("body", [GMAIL, OUTLOOK, GERMAN])
def test_history_after_a_reply_header_is_folded_with_its_header(body):
    folded = fold(body)
    assert folded.what == "quoted history"
    assert "wrote" not in folded.shown and "Original Message" not in folded.shown
    assert "schrieb" not in folded.shown
    assert folded.shown.count("\n") <= 1
    assert folded.hidden_lines >= 2


def test_nothing_is_lost_shown_and_hidden_make_the_whole_message():
    for body in (GMAIL, OUTLOOK, GERMAN, "plain", SIGNED, INLINE):
        folded = fold(body)
        assert body.startswith(folded.shown)
        assert body.rstrip().endswith(folded.hidden.rstrip())
        assert set(body.split()) == set(folded.shown.split()) | set(folded.hidden.split())


SIGNED = (
    "The VPN drops every ten minutes.\n\n"
    "-- \n"  # the RFC 3676 delimiter: dash, dash, space
    "Ann Example\nAcme Ltd, +44 20 7946 0000"
)

INLINE = """See my answers below.

> Which office are you in?
London.
> Since when?
Since Monday."""


def test_a_signature_after_the_standard_delimiter_is_folded():
    folded = fold(SIGNED)
    assert folded.shown == "The VPN drops every ten minutes."
    assert folded.what == "signature" and "Acme Ltd" in folded.hidden


def test_a_phone_footer_is_folded_as_a_signature():
    folded = fold("Screen is black again\n\nSent from my iPhone")
    assert folded.shown == "Screen is black again" and folded.what == "signature"


def test_answers_between_quoted_lines_stay_shown():
    assert fold(INLINE).hidden == ""


def test_a_trailing_quote_without_a_header_is_folded():
    folded = fold("Yes, please do.\n\n> Shall we replace the toner?\n> It costs 40 EUR.")
    assert folded.shown == "Yes, please do." and folded.what == "quoted history"


def test_signature_and_history_are_folded_together():
    folded = fold(SIGNED + "\n\n" + GMAIL.split("\n\n", 1)[1])
    assert folded.shown == "The VPN drops every ten minutes."
    assert folded.what == "signature and quoted history"


@pytest.mark.parametrize("body", ["> all of it is a quote\n> really", "-- \nonly a signature", ""])
def test_a_message_that_is_all_history_or_signature_is_shown_whole(body):
    assert fold(body).shown == body and fold(body).hidden == ""


def test_a_long_message_is_never_folded_just_for_being_long():
    body = "line\n" * 200_000 + "On Mon, 2 Nov 2026, X <x@y.example> wrote:\n> old"
    folded = fold(body)
    assert folded.shown.count("line") == 200_000 and folded.hidden == "> old"
