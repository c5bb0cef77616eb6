"""A corpus of difficult mail: none crashes, each lands as expected or is skipped with a reason.

The messages (``tests/data/mail``, written by its ``make_corpus.py``) go through the
same code as ``regentra mail import`` and the IMAP poll: ``parse_mail`` then
``Desk.receive``, in name order, into one desk (some answer earlier ones).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from sqlmodel import select

from regentra_core import queries
from regentra_core.channels.mail import parse_mail
from regentra_core.desk import Desk
from regentra_core.identity import Actor
from regentra_core.store.models import InboundRecord
from regentra_core.text import literal

CORPUS = Path(__file__).parents[1] / "data" / "mail"
EXPECTED: dict[str, str] = tomllib.loads((CORPUS / "expected.toml").read_text())


def test_the_corpus_has_at_least_forty_difficult_messages():
    assert len(EXPECTED) >= 40
    assert all((CORPUS / f"{name}.eml").is_file() for name in EXPECTED)


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """Every corpus message received into one fresh desk, in name order."""
    from regentra_core.store import Database, upgrade

    folder = tmp_path_factory.mktemp("corpus")
    db = Database(str(folder / "desk.db"))
    upgrade(db)
    desk = Desk(db, Actor.system("email"), source="email")
    from tests.conftest import T0

    results = {}
    for name in sorted(EXPECTED):
        raw = (CORPUS / f"{name}.eml").read_bytes()
        message = parse_mail(raw, received_at=T0, attachments_dir=folder / "attachments")
        results[name] = (
            message,
            desk.receive(message, rate_limit=1_000, own_addresses=frozenset({"help@desk.example"})),
        )
    yield db, folder, results
    db.close()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_message_lands_as_expected(landed, name):
    db, _, results = landed
    message, result = results[name]
    assert result.outcome.value == EXPECTED[name], (name, result)
    if result.outcome.value == "skipped":
        assert result.reason
    if result.outcome.value in ("created", "reply"):
        assert result.ticket is not None
        detail = queries.ticket_detail(db, result.ticket, body_limit=20_000)
        assert detail.ticket.subject


def test_every_message_is_recorded_once(landed):
    db, _, results = landed
    with db.read() as s:
        records = s.exec(select(InboundRecord)).all()
    stored = len([r for r in results.values() if r[1].outcome.value != "duplicate"])
    assert len(records) == stored


def test_html_only_mail_is_readable_text_without_script(landed):
    db, _, results = landed
    html = queries.ticket_detail(db, results["14-html-only"][1].ticket).description
    assert "Hello" in html and "The VPN is down." in html and "<" not in html
    script = queries.ticket_detail(db, results["15-html-with-script"][1].ticket).description
    assert "Visible" in script and "alert" not in script


def test_charsets_and_encoded_headers_are_decoded(landed):
    db, _, results = landed
    assert queries.get_ticket(db, results["08-8bit-utf8-headers"][1].ticket).subject == (
        "Drucker fällt aus – bitte"
    )
    assert "打印机" in queries.get_ticket(db, results["10-rfc2047-subject"][1].ticket).subject
    assert (
        "Grüße aus Köln"
        in queries.ticket_detail(db, results["17-base64-body"][1].ticket).description
    )
    assert "café" in queries.ticket_detail(db, results["18-quoted-printable"][1].ticket).description
    assert "Hallo Welt" in queries.ticket_detail(db, results["45-utf16-body"][1].ticket).description


def test_attachments_are_saved_inside_the_desk_under_safe_names(landed):
    db, folder, results = landed
    for name in ("20-attachment", "21-attachment-path-traversal"):
        message, result = results[name]
        (attachment,) = message.attachments
        assert attachment.path is not None and ".." not in Path(attachment.path).parts
        saved = folder / "attachments" / attachment.path
        assert saved.read_bytes() == b"%PDF-1.4 pretend"
        assert saved.resolve().is_relative_to((folder / "attachments").resolve())
        assert attachment.filename in queries.ticket_detail(db, result.ticket).description


def test_hostile_text_is_stored_exactly_and_shown_literally(landed):
    db, _, results = landed
    subject = queries.get_ticket(db, results["30-terminal-escapes"][1].ticket).subject
    assert "\x1b[2J" in subject  # stored as sent
    assert "\x1b" not in literal(subject)  # shown as \x1b
    bidi = queries.get_ticket(db, results["48-bidi-override-subject"][1].ticket).subject
    assert "\u202e" in bidi and "\u202e" not in literal(bidi)


def test_a_bounce_names_the_message_it_bounces(landed):
    message, _ = landed[2]["39-bounce-report"]
    assert message.is_report and "<out-x@desk.example>" in message.bounce_of
