"""The IMAP poll against a real Dovecot on loopback: stored first, flagged after."""

from __future__ import annotations

import pytest
from sqlmodel import select

from regentra_core import queries
from regentra_core.config import load_settings
from regentra_core.enums import InboundOutcome
from regentra_core.store.models import InboundRecord, MailCursor
from regentra_core.wiring import Wiring, open_index
from tests.core.test_channels import mail
from tests.helpers import dovecot

dovecot.require()


@pytest.fixture
def server():
    imap = dovecot.Dovecot()
    imap.start()
    yield imap
    imap.remove()


@pytest.fixture
def wiring(db, server, monkeypatch, tmp_path, clients):
    for name, value in server.settings_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    return Wiring(settings, db, open_index(settings, db))


def _seen(server) -> dict[int, bool]:
    with server.client() as c:
        c.select_folder("INBOX")
        flags = c.get_flags(c.search(["ALL"]))
    return {uid: b"\\Seen" in f for uid, f in flags.items()}


def test_new_mail_becomes_tickets_and_is_flagged_only_after(wiring, server, db):
    server.deliver(mail("Printer offline"), mail("VPN down", message_id="<m2@acme.example>"))
    assert not any(_seen(server).values())
    report = wiring.poll_mail()
    assert report.outcomes == {"created": 2}
    assert all(_seen(server).values())
    subjects = sorted(t.subject for t in queries.list_tickets(db, queries.TicketFilter()))
    assert subjects == ["Printer offline", "VPN down"]
    assert wiring.poll_mail().summary() == "no new mail"
    with db.read() as s:
        cursor = s.exec(select(MailCursor)).one()
    assert cursor.folder == "INBOX" and cursor.last_uid == 2


def test_a_reply_in_the_mailbox_threads_onto_its_ticket(wiring, server, db):
    server.deliver(mail("Printer offline"))
    wiring.poll_mail()
    server.deliver(
        mail(
            "Re: Printer offline",
            "still broken",
            message_id="<r@acme.example>",
            In_Reply_To="<m1@acme.example>",
        )
    )
    assert wiring.poll_mail().outcomes == {"reply": 1}
    (ticket,) = queries.list_tickets(db, queries.TicketFilter())
    assert [i.body for i in queries.ticket_detail(db, ticket.number).thread] == ["still broken"]


def test_a_crash_before_commit_refetches_and_stores_once(wiring, server, db, monkeypatch):
    """Nothing is flagged before it is stored: a failed store leaves the mail unread."""
    server.deliver(mail("One", message_id="<1@x>"), mail("Two", message_id="<2@x>"))
    from regentra_core.desk import channels

    real = channels._receive
    calls = {"n": 0}

    def dies_on_second(*args, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("killed")
        return real(*args, **kw)

    monkeypatch.setattr(channels, "_receive", dies_on_second)
    with pytest.raises(RuntimeError):
        wiring.poll_mail()
    assert _seen(server) == {1: False, 2: False}  # the batch was not stored: not marked
    with db.read() as s:
        assert s.exec(select(InboundRecord)).all() == []
    monkeypatch.setattr(channels, "_receive", real)
    assert wiring.poll_mail().outcomes == {"created": 2}
    assert _seen(server) == {1: True, 2: True}
    with db.read() as s:
        assert len(s.exec(select(InboundRecord)).all()) == 2


def test_a_new_uidvalidity_rescans_without_doubling(wiring, server, db):
    server.deliver(mail("Only once"))
    wiring.poll_mail()
    with db.write() as s:
        s.exec(select(MailCursor)).one().uidvalidity = 1  # the folder was rebuilt
    report = wiring.poll_mail()
    assert report.outcomes == {InboundOutcome.DUPLICATE.value: 1}
    assert len(queries.list_tickets(db, queries.TicketFilter())) == 1


def test_stored_mail_moves_to_the_processed_folder(wiring, server, monkeypatch, db):
    monkeypatch.setenv("REGENTRA_IMAP_PROCESSED_FOLDER", "Processed")
    moving = Wiring(load_settings(), db, wiring.index)
    server.deliver(mail("Move me"))
    assert moving.poll_mail().outcomes == {"created": 1}
    with server.client() as c:
        assert c.select_folder("INBOX")[b"EXISTS"] == 0
        assert c.select_folder("Processed")[b"EXISTS"] == 1


def test_an_unreachable_mailbox_is_one_clear_error(wiring, server):
    from regentra_core.errors import MailboxError

    server.stop()
    with pytest.raises(MailboxError, match="cannot read INBOX on 127.0.0.1"):
        wiring.poll_mail()


def test_the_daemon_stores_new_mail_at_once_without_waiting_for_its_timer(
    wiring, server, db, monkeypatch
):
    """IMAP IDLE wakes the poll: mail is a ticket in seconds, not at the next poll."""
    import time

    from tests.helpers.waiting import wait_for

    monkeypatch.setenv("REGENTRA_MAIL_POLL_INTERVAL_SECONDS", "3600")
    daemon = Wiring(load_settings(), db, wiring.index)
    runner = daemon.runner(label="daemon", with_secrets=True)
    runner.start()
    try:
        polled = lambda: runner.health.last_results.get("poll-mail") == "no new mail"  # noqa: E731
        assert wait_for(polled, 20, every=0.05), runner.health.last_results
        time.sleep(0.5)  # the watch is idling; the timer's next poll is an hour off
        server.deliver(mail("Printer offline"))
        stored = lambda: queries.list_tickets(db, queries.TicketFilter())  # noqa: E731
        assert wait_for(stored, 15, every=0.05), "mail was not stored within 15 s"
    finally:
        runner.stop()
    assert [t.subject for t in queries.list_tickets(db, queries.TicketFilter())] == [
        "Printer offline"
    ]
