"""``regentra attachment list/save`` and ``ticket reply --attach``: a ticket's files
over SSH, saved to a path or piped, and a technician's files sent with a reply."""

from __future__ import annotations

import hashlib
import os
import subprocess

from regentra_core.config import load_settings
from tests.cli.conftest import REGENTRA


def _ticket(regentra) -> int:
    created = regentra.json(
        "ticket",
        "create",
        "--subject",
        "Printer jams",
        "--description",
        "every morning",
        "--priority",
        "medium",
        "--channel",
        "email",
        "--contact",
        "pat@acme.example",
    )
    return int(created["number"])


def _reply_with(regentra, number, *files):
    args = ["ticket", "reply", str(number), "--body", "Log attached."]
    for f in files:
        args += ["--attach", str(f)]
    return regentra(*args)


def test_a_reply_carries_the_files_it_names_and_they_are_listed(regentra, tmp_path):
    number = _ticket(regentra)
    log = tmp_path / "printer.log"
    log.write_text("jam at tray 2\n")
    result = _reply_with(regentra, number, log)
    assert result.exit_code == 0, result.output
    assert "with 1 attachment" in result.output
    (row,) = regentra.json("attachment", "list", str(number))
    assert (row["filename"], row["content_type"], row["size"]) == ("printer.log", "text/plain", 14)
    assert row["reply_id"] is not None
    text = regentra("attachment", "list", str(number)).output
    assert "printer.log" in text and "14 B" in text


def test_a_missing_file_is_refused_before_the_reply_is_written(regentra, tmp_path):
    number = _ticket(regentra)
    good = tmp_path / "a.txt"
    good.write_text("a")
    result = _reply_with(regentra, number, good, tmp_path / "nope.txt")
    assert result.exit_code != 0
    assert "no file" in result.output and "Traceback" not in result.output
    shown = regentra.json("ticket", "show", str(number))
    assert not [i for i in shown["thread"] if i["kind"] == "reply"]
    assert regentra.json("attachment", "list", str(number)) == []


def test_a_too_big_file_is_refused_in_one_line(regentra, tmp_path, monkeypatch):
    monkeypatch.setenv("REGENTRA_MAX_ATTACHMENT_MB", "0.001")  # 1,048 bytes
    number = _ticket(regentra)
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 2000)
    result = _reply_with(regentra, number, big)
    assert result.exit_code != 0
    assert "over the attachment limit" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert regentra.json("attachment", "list", str(number)) == []


def test_save_writes_the_file_and_refuses_to_overwrite_without_force(regentra, tmp_path):
    number = _ticket(regentra)
    source = tmp_path / "report.csv"
    source.write_text("a,b\n1,2\n")
    assert _reply_with(regentra, number, source).exit_code == 0
    (row,) = regentra.json("attachment", "list", str(number))
    out = tmp_path / "out"
    out.mkdir()
    saved = regentra("attachment", "save", str(row["id"]), str(out))
    assert saved.exit_code == 0, saved.output
    assert (out / "report.csv").read_text() == "a,b\n1,2\n"
    (out / "report.csv").write_text("mine")
    again = regentra("attachment", "save", str(row["id"]), str(out / "report.csv"))
    assert again.exit_code != 0 and "already exists" in again.output and "--force" in again.output
    assert (out / "report.csv").read_text() == "mine"
    forced = regentra("attachment", "save", str(row["id"]), str(out / "report.csv"), "--force")
    assert forced.exit_code == 0 and (out / "report.csv").read_text() == "a,b\n1,2\n"


def test_save_to_stdout_pipes_the_exact_bytes(regentra, db_path, tmp_path):
    number = _ticket(regentra)
    source = tmp_path / "blob.bin"
    data = bytes(range(256)) * 40
    source.write_bytes(data)
    assert _reply_with(regentra, number, source).exit_code == 0
    (row,) = regentra.json("attachment", "list", str(number))
    piped = subprocess.run(
        f"{REGENTRA} --db {db_path} attachment save {row['id']} - | sha256sum",
        shell=True,
        capture_output=True,
        env=os.environ.copy(),
        timeout=60,
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.decode().split()[0] == hashlib.sha256(data).hexdigest()


def test_a_file_missing_from_storage_is_said_in_one_line(regentra, tmp_path):
    number = _ticket(regentra)
    source = tmp_path / "gone.txt"
    source.write_text("gone soon")
    assert _reply_with(regentra, number, source).exit_code == 0
    (row,) = regentra.json("attachment", "list", str(number))
    (load_settings().attachments_dir() / row["path"]).unlink()
    result = regentra("attachment", "save", str(row["id"]), str(tmp_path / "x.txt"))
    assert result.exit_code != 0
    assert "missing from storage" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.txt").exists()


def test_an_unknown_ticket_or_attachment_is_one_clear_line(regentra):
    listed = regentra("attachment", "list", "99999")
    assert listed.exit_code != 0 and "no ticket #99999" in listed.output
    saved = regentra("attachment", "save", "424242", "-")
    assert saved.exit_code != 0 and "no attachment 424242" in saved.output
