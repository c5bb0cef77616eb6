"""``regentra mail import``: the mailgate an MTA pipes into, end to end."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.cli.conftest import REGENTRA

CORPUS = Path(__file__).parents[1] / "data" / "mail"


def gate(db: str, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [REGENTRA, "--db", db, "mail", "import", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
    )


def test_a_piped_message_becomes_a_ticket_once_and_a_reply_threads(regentra, db_path):
    first = gate(db_path, "-", "--json", stdin=(CORPUS / "01-plain.eml").read_bytes())
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"outcome": "created", "ticket": 1001, "reason": None}
    again = gate(db_path, str(CORPUS / "01-plain.eml"), "--json")
    assert json.loads(again.stdout)["outcome"] == "duplicate" and again.returncode == 0
    reply = gate(db_path, str(CORPUS / "03-reply-in-reply-to.eml"))
    assert reply.returncode == 0 and reply.stdout.decode().startswith("reply #1001")
    skipped = gate(db_path, str(CORPUS / "32-auto-replied.eml"), "--json")
    assert skipped.returncode == 0
    assert json.loads(skipped.stdout)["outcome"] == "skipped"
    shown = regentra.json("ticket", "show", "1001")
    assert [t["body"] for t in shown["thread"]] == ["still off"]


def test_a_desk_that_cannot_store_now_asks_the_mta_to_retry(tmp_path):
    result = gate(str(tmp_path / "missing.db"), str(CORPUS / "01-plain.eml"))
    assert result.returncode == 75
    assert b"try again later" in result.stderr and b"Traceback" not in result.stderr


def test_worker_once_sends_the_ack_and_replies_through_smtp(regentra, db_path, monkeypatch):
    from tests.helpers.smtp import Smtp

    server = Smtp()
    server.start()
    try:
        monkeypatch.setenv("REGENTRA_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("REGENTRA_SMTP_PORT", str(server.port))
        monkeypatch.setenv("REGENTRA_SMTP_SECURITY", "none")
        monkeypatch.setenv("REGENTRA_SUPPORT_ADDRESS", "help@desk.example")
        created = gate(db_path, str(CORPUS / "01-plain.eml"), "--json")
        assert json.loads(created.stdout)["outcome"] == "created"
        regentra("ticket", "reply", "1001", "--body", "We are on it")
        regentra("ticket", "note", "1001", "--body", "secret note")
        once = regentra.json("worker", "--once")
        assert once["channels"]["send-mail"] == "sent 2, failed 0"
        subjects = sorted(m["Subject"] for m, _ in server.inbox.received)
        assert subjects == [
            "Re: Printer offline on floor 2 [#1001]",
            "Received: Printer offline on floor 2 [#1001]",
        ]
        assert all("secret note" not in m.as_string() for m, _ in server.inbox.received)
    finally:
        server.stop()


def _job_names(db_path: str) -> tuple[set[str], set[str]]:
    """The daemon's jobs and an app's embedded worker's, as the settings make them."""
    from regentra_core.config import load_settings
    from regentra_core.wiring import Wiring, open_database, open_index

    settings = load_settings()
    db = open_database(settings, db_path, create=True)
    try:
        wiring = Wiring(settings, db, open_index(settings, db))
        daemon = {j.name for j in wiring.runner(label="worker", with_secrets=True).jobs}
        embedded = {j.name for j in wiring.runner(label="tui-x", with_secrets=False).jobs}
    finally:
        db.close()
    return daemon, embedded


def test_only_the_daemon_and_once_hold_channel_jobs(db_path, monkeypatch):
    monkeypatch.setenv("REGENTRA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("REGENTRA_SUPPORT_ADDRESS", "help@desk.example")
    daemon, embedded = _job_names(db_path)
    assert "send-mail" in daemon and "send-mail" not in embedded
    # The rule analyzer holds no secret; a model's key would keep it in the daemon.
    assert embedded == {"auto-close", "sla-sweep", "automations", "search-index", "ai-analyze"}


def test_with_a_model_only_the_daemon_analyses(db_path, monkeypatch):
    monkeypatch.setenv("REGENTRA_AI_MODEL", "openai/some-model")
    daemon, embedded = _job_names(db_path)
    assert "ai-analyze" in daemon and "ai-analyze" not in embedded


def test_a_message_carrying_a_nul_is_stored_on_every_database(regentra, db_path):
    """PostgreSQL's text cannot hold NUL: such a mail ended in a traceback and was
    never stored. There the NUL becomes U+FFFD; SQLite keeps it. A note typed with
    one is stored too."""
    raw = (
        b"From: Nul <nul@customer.example>\r\nTo: help@desk.example\r\n"
        b"Subject: odd\x00bytes\r\nMessage-ID: <nul-1@customer.example>\r\n\r\n"
        b"hello\x00world\r\n"
    )
    stored = gate(db_path, "-", "--json", stdin=raw)
    assert stored.returncode == 0, stored.stderr
    assert json.loads(stored.stdout)["outcome"] == "created"
    assert regentra("ticket", "note", "1001", "--body", "typed \x00 here").exit_code == 0
    shown = regentra.json("ticket", "show", "1001")
    description = shown["description"]
    if "postgresql" in db_path:
        assert description.rstrip() == "hello\ufffdworld"
    else:  # kept whole; SQLite's own text functions still stop at the NUL when shown
        assert description.startswith("hello")
