"""One limit per field, the same on every door (regentra_core.limits).

The CLI took a 131,000-character subject where the portal caps at 300, echoed a
bad assignee name back 5,000 characters long, and ``report sla --from 0001-01-01
--to 9999-12-31`` ended in "a number is too large". Mail is never refused for a
long subject: its ticket's subject is cut with "…" and the whole one is kept.
"""

from __future__ import annotations

from email.message import EmailMessage

from regentra_core import queries
from regentra_core.channels.mail import parse_mail
from regentra_core.desk import Desk
from regentra_core.identity import Actor
from regentra_core.limits import ECHO_MAX, SUBJECT_MAX


def test_the_cli_refuses_a_subject_over_the_limit_in_one_line(regentra):
    result = regentra("ticket", "create", "-s", "s" * 131_000, "--contact", "a@b.example")
    assert result.exit_code != 0
    (line,) = result.output.strip().splitlines()
    assert "131,000" in line and str(SUBJECT_MAX) in line and len(line) < 200
    made = regentra("ticket", "create", "-s", "s" * SUBJECT_MAX, "--contact", "a@b.example")
    assert made.exit_code == 0, made.output


def test_a_bad_assignee_is_echoed_back_short(regentra):
    assert regentra("ticket", "create", "-s", "x", "--contact", "a@b.example").exit_code == 0
    result = regentra("ticket", "assign", "1001", "z" * 5000)
    assert result.exit_code != 0
    (line,) = result.output.strip().splitlines()
    assert "zzz" in line and "…" in line and len(line) < ECHO_MAX + 60


def test_report_dates_outside_a_sane_range_are_one_line(regentra):
    result = regentra("report", "sla", "--from", "0001-01-01", "--to", "9999-12-31")
    assert result.exit_code != 0
    (line,) = result.output.strip().splitlines()
    assert "outside" in line and "too large" not in line
    assert regentra("report", "sla", "--from", "2026-01-01").exit_code == 0


def test_mail_with_a_long_subject_is_a_ticket_with_the_subject_cut_and_kept(db, clock):
    long_subject = "Printer " + "very " * 30_000 + "broken"
    msg = EmailMessage()
    msg["From"] = "pat@acme.example"
    msg["Subject"] = long_subject
    msg["Message-ID"] = "<long@acme.example>"
    msg.set_content("It is broken.")
    intake = Desk(db, Actor.system("email"), source="email", clock=clock)
    number = intake.receive(parse_mail(msg.as_bytes(), received_at=clock())).ticket
    detail = queries.ticket_detail(db, number)
    assert len(detail.ticket.subject) <= SUBJECT_MAX and detail.ticket.subject.endswith("very…")
    assert long_subject in detail.description and "It is broken." in detail.description
