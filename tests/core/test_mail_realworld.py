"""The real-world mail corpus through ``regentra mail import``, in one invocation.

Several hundred messages from other parsers' test suites (``tests/data/mail_realworld``,
see its SOURCES.md), none written by us, go into a fresh desk: every one is
handled (exit 0, nothing tempfailed) and what each did is compared exactly with
``expected.toml``, so a change in what intake does with any of them fails here.

After a deliberate change, write the file again and review its diff::

    REGENTRA_WRITE_EXPECTED=1 .venv/bin/python -m pytest tests/core/test_mail_realworld.py
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

from click.testing import CliRunner
from sqlmodel import select

from regentra_core.enums import InboundOutcome
from regentra_core.store.engine import Database
from regentra_core.store.models import InboundRecord, Ticket
from regentra_tui.cli import cli

CORPUS = Path(__file__).parents[1] / "data" / "mail_realworld"
EXPECTED = CORPUS / "expected.toml"
NOT_MAIL = {"LICENCE", "NOTICE", "README.txt", "README.md", "ARTISTIC-LICENSE.txt"}


def _messages() -> list[Path]:
    return sorted(
        p
        for p in CORPUS.glob("*/*")
        if p.is_file() and p.name not in NOT_MAIL and p.suffix not in (".py", ".toml")
    )


def _label(source: str) -> str:
    return Path(source.split("#")[0]).relative_to(CORPUS).as_posix() + (
        f"#{source.split('#')[1]}" if "#" in source else ""
    )


def test_the_corpus_is_several_hundred_messages_with_their_licences():
    files = _messages()
    assert len(files) >= 300
    for source in {p.parent for p in files}:
        assert (source / "LICENCE").is_file(), source
    assert sum(p.stat().st_size for p in CORPUS.rglob("*")) < 15 * 1024 * 1024


def test_every_real_world_message_is_handled_and_does_what_it_did(db_path, monkeypatch):
    # Several senders wrote dozens of the samples (hunnysoft's Doug Sauder): the
    # rate limit would hold them back, which is not what this test is about.
    monkeypatch.setenv("REGENTRA_MAIL_RATE_LIMIT", "100000")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db_path, "init"]).exit_code == 0
    files = [str(p) for p in _messages()]
    result = runner.invoke(
        cli, ["--db", db_path, "mail", "import", "--json", *files], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output[-2000:]
    rows = json.loads(result.stdout)
    assert "try again later" not in result.output
    found = _outcomes(rows, db_path)
    assert len(found) >= 300
    if os.environ.get("REGENTRA_WRITE_EXPECTED"):
        EXPECTED.write_text(_toml(found))
    expected = tomllib.loads(EXPECTED.read_text())
    changed = {k: (expected.get(k), v) for k, v in found.items() if expected.get(k) != v}
    changed |= {k: (v, None) for k, v in expected.items() if k not in found}
    assert not changed, "\n".join(f"{k}: {was} -> {now}" for k, (was, now) in changed.items())


def _outcomes(rows: list[dict[str, object]], db_path: str) -> dict[str, dict[str, str]]:
    """What each message did, in words that do not depend on ticket numbers: the
    ticket a reply or duplicate found is named by the message that opened it."""
    db = Database(db_path)
    try:
        with db.read() as s:
            tickets = {t.number: t for t in s.exec(select(Ticket)).all()}
            kept = {
                r.ticket_id
                for r in s.exec(
                    select(InboundRecord).where(
                        InboundRecord.outcome == InboundOutcome.CREATED,
                        InboundRecord.raw != None,  # noqa: E711 - SQL IS NOT NULL
                    )
                ).all()
            }
    finally:
        db.close()
    opened_by: dict[int, str] = {}
    found: dict[str, dict[str, str]] = {}
    for row in rows:
        label, outcome = _label(str(row["source"])), str(row["outcome"])
        number = row["ticket"]
        entry: dict[str, str] = {"outcome": outcome}
        if outcome == "created" and isinstance(number, int):
            opened_by[number] = label
            ticket = tickets[number]
            entry["subject"] = ticket.subject
            entry["body"] = _body(ticket.description)
            if ticket.id in kept:
                entry["kept"] = _flag(ticket.description)
        elif isinstance(number, int):
            entry["ticket_of"] = opened_by.get(number, "another ticket")
        if row.get("reason") and outcome != "duplicate":
            entry["reason"] = str(row["reason"])
        found[label] = entry
    return found


def _body(description: str) -> str:
    text = description
    if text.startswith("[Regentra"):
        text = text.split("]", 1)[-1]
    return "text" if text.strip() else "empty"


def _flag(description: str) -> str:
    if description.startswith("[Regentra: sender not understood"):
        return "sender not understood"
    if description.startswith("[Regentra: this message has no From"):
        return "no From address"
    if description.startswith("[Regentra could not take"):
        return "not taken as it came"
    if description.startswith("Regentra could not parse"):
        return "unparsed"
    return "source kept"


def _toml(found: dict[str, dict[str, str]]) -> str:
    lines = [
        "# What each message of the real-world corpus does to a fresh desk.",
        "# Written by test_mail_realworld.py (REGENTRA_WRITE_EXPECTED=1) and reviewed.",
        "",
    ]
    for label, entry in found.items():
        lines.append(f"[{_quoted(label)}]")
        lines += [f"{key} = {_quoted(value)}" for key, value in entry.items()]
        lines.append("")
    return "\n".join(lines)


def _quoted(text: str) -> str:
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F or 0xD800 <= ord(char) <= 0xDFFF:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
