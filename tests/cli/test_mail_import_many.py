"""``regentra mail import`` with several messages: files, a folder, an mbox; one
outcome line each; exit 0 unless one could not be stored now (75) or a named
file could not be read (66). The MTA's single message on standard input is as
it always was."""

from __future__ import annotations

import json
import mailbox
from pathlib import Path

from tests.cli.test_mail_import import gate
from tests.core.test_channels import mail

CORPUS = Path(__file__).parents[1] / "data" / "mail"


def _write(folder: Path, name: str, raw: bytes) -> str:
    path = folder / name
    path.write_bytes(raw)
    return str(path)


def test_several_files_print_one_line_each_and_exit_0(regentra, tmp_path):
    a = _write(tmp_path, "a.eml", mail("Printer offline", message_id="<a@x>"))
    b = _write(tmp_path, "b.eml", mail("VPN down", message_id="<b@x>"))
    result = regentra("mail", "import", a, b, a)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{a}: created #1001",
        f"{b}: created #1002",
        f"{a}: duplicate #1001: already received",
    ]


def test_a_folder_takes_its_eml_files_in_name_order(regentra, tmp_path):
    _write(tmp_path, "2.eml", mail("VPN down", message_id="<b@x>"))
    _write(tmp_path, "1.eml", mail("Printer offline", message_id="<a@x>"))
    _write(tmp_path, "notes.txt", b"not mail")
    result = regentra("mail", "import", str(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(Path(r["source"]).name, r["outcome"], r["ticket"]) for r in rows] == [
        ("1.eml", "created", 1001),
        ("2.eml", "created", 1002),
    ]


def test_an_mbox_file_is_each_of_its_messages(regentra, tmp_path):
    box = mailbox.mbox(tmp_path / "saved.mbox")
    box.add(mail("Printer offline", message_id="<a@x>"))
    box.add(mail("VPN down", message_id="<b@x>"))
    box.flush()
    box.close()
    result = regentra("mail", "import", str(tmp_path / "saved.mbox"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{tmp_path / 'saved.mbox'}#1: created #1001",
        f"{tmp_path / 'saved.mbox'}#2: created #1002",
    ]
    shown = regentra.json("ticket", "show", "1002")
    assert shown["ticket"]["subject"] == "VPN down"


def test_a_from_that_is_no_address_exits_0_with_a_flagged_ticket(regentra, db_path, tmp_path):
    # It answered 75 ("not an email address") and the MTA retried it for ever.
    raw = b"From: big bug\r\nSubject: help\r\nMessage-ID: <bb@x>\r\n\r\nit broke\r\n"
    result = gate(db_path, "-", stdin=raw)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == "created #1001\n"
    shown = regentra.json("ticket", "show", "1001")
    assert shown["description"].startswith("[Regentra: sender not understood (From: big bug)")


def test_one_message_that_cannot_be_stored_now_is_75_and_the_others_are_stored(
    regentra, tmp_path, monkeypatch
):
    # The attachments folder cannot be made (a file is in its place): a message
    # with an attachment cannot be stored now, one without can.
    data = tmp_path / "data"
    data.mkdir()
    (data / "attachments").write_text("in the way")
    monkeypatch.setenv("REGENTRA_DATA_DIR", str(data))
    plain = _write(tmp_path, "plain.eml", mail("Printer offline", message_id="<a@x>"))
    with_file = _write(tmp_path, "file.eml", (CORPUS / "20-attachment.eml").read_bytes())
    later = _write(tmp_path, "later.eml", mail("VPN down", message_id="<c@x>"))
    result = regentra("mail", "import", plain, with_file, later)
    assert result.exit_code == 75
    lines = result.stdout.splitlines()
    assert lines[0] == f"{plain}: created #1001"
    assert lines[1].startswith(f"{with_file}: not stored now, try again later:")
    assert lines[2] == f"{later}: created #1002"
    assert "1 message(s) not stored now, try again later" in result.stderr


def test_a_file_that_cannot_be_read_is_66_after_the_others(regentra, tmp_path):
    good = _write(tmp_path, "good.eml", mail("Printer offline", message_id="<a@x>"))
    empty = _write(tmp_path, "empty.eml", b"  \n")
    missing = str(tmp_path / "missing.eml")
    result = regentra("mail", "import", missing, empty, good)
    assert result.exit_code == 66
    assert result.stdout.splitlines() == [
        f"{missing}: not read: No such file or directory",
        f"{empty}: skipped: empty",
        f"{good}: created #1001",
    ]


def test_the_mta_pipe_still_prints_one_unlabelled_line(regentra, db_path):
    piped = gate(db_path, stdin=(CORPUS / "01-plain.eml").read_bytes())
    assert piped.returncode == 0 and piped.stdout.decode() == "created #1001\n"
