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
