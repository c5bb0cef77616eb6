"""Mail over TLS, verified: IMAP with implicit TLS and STARTTLS against a real Dovecot,
SMTP with STARTTLS and implicit TLS against aiosmtpd, all with certificates from a
CA of our own that the desk trusts only through ``mail_ca_file``."""

from __future__ import annotations

import ssl

import pytest

from regentra_core.channels.smtp import SmtpTransport
from regentra_core.config import load_settings
from regentra_core.desk.delivery import Outgoing
from regentra_core.errors import MailboxError, SendFailed
from regentra_core.wiring import Wiring, open_index
from tests.core.test_channels import mail
from tests.helpers import dovecot
from tests.helpers.certs import Certs, make_certs
from tests.helpers.smtp import SUPPORT, Smtp

dovecot.require()


@pytest.fixture
def server():
    imap = dovecot.Dovecot(tls=True)
    imap.start()
    yield imap
    imap.remove()


def _wiring(db, server, monkeypatch, tmp_path, security: str, port: int, ca: bool) -> Wiring:
    for name, value in server.settings_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("REGENTRA_IMAP_SECURITY", security)
    monkeypatch.setenv("REGENTRA_IMAP_PORT", str(port))
    if ca:
        assert server.certs is not None
        monkeypatch.setenv("REGENTRA_MAIL_CA_FILE", str(server.certs.ca))
    settings = load_settings()
    return Wiring(settings, db, open_index(settings, db))


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_imap_over_verified_tls_turns_mail_into_tickets(
    db, server, monkeypatch, tmp_path, security, clients
):
    port = server.tls_port if security == "ssl" else server.port
    wiring = _wiring(db, server, monkeypatch, tmp_path, security, port, ca=True)
    server.deliver(mail("Printer offline", message_id=f"<tls-{security}@acme.example>"))
    report = wiring.poll_mail()
    assert report.outcomes.get("created") == 1, report.summary()


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_an_untrusted_imap_certificate_is_refused_with_what_to_do(
    db, server, monkeypatch, tmp_path, security
):
    port = server.tls_port if security == "ssl" else server.port
    wiring = _wiring(db, server, monkeypatch, tmp_path, security, port, ca=False)
    with pytest.raises(MailboxError) as refused:
        wiring.poll_mail()
    assert "cannot verify the certificate of 127.0.0.1" in str(refused.value)
    assert "mail_ca_file" in str(refused.value)


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("smtp-tls"))


def _server_context(certs: Certs) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certs.cert, certs.key)
    return context


def _outgoing() -> Outgoing:
    return Outgoing(
        id=1,
        ticket_number=1001,
        kind="reply",
        recipient="ann@acme.example",
        subject="Re: Printer offline [#1001]",
        body="Restarted the spooler.",
        message_id="<tls-out@desk.example>",
        in_reply_to=None,
        references=None,
        attempt=1,
    )


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_smtp_over_verified_tls_delivers(certs, security):
    context = _server_context(certs)
    smtp = Smtp(**({"starttls": context} if security == "starttls" else {"implicit_tls": context}))
    smtp.start()
    try:
        SmtpTransport(
            "127.0.0.1", smtp.port, security, SUPPORT, timeout=5, ca_file=str(certs.ca)
        ).send(_outgoing())
        [(message, recipients)] = smtp.inbox.received
        assert message["Message-ID"] == "<tls-out@desk.example>"
        assert recipients == ["ann@acme.example", SUPPORT]
    finally:
        smtp.stop()


def test_an_untrusted_smtp_certificate_is_a_retryable_failure_that_says_what_to_do(certs):
    smtp = Smtp(starttls=_server_context(certs))
    smtp.start()
    try:
        with pytest.raises(SendFailed) as failed:
            SmtpTransport("127.0.0.1", smtp.port, "starttls", SUPPORT, timeout=5).send(_outgoing())
        assert "cannot verify the certificate" in str(failed.value)
        assert not failed.value.permanent and not failed.value.in_doubt
        assert smtp.inbox.received == []
    finally:
        smtp.stop()


def test_a_relay_that_demands_starttls_refuses_a_plain_send(certs):
    smtp = Smtp(starttls=_server_context(certs))
    smtp.start()
    try:
        with pytest.raises(SendFailed):
            SmtpTransport("127.0.0.1", smtp.port, "none", SUPPORT, timeout=5).send(_outgoing())
        assert smtp.inbox.received == []
    finally:
        smtp.stop()
