"""What a killed or starved process leaves behind is removed at the next start:
a reindex's ``.new-<pid>`` folder, the old index it parked, an attachment's ``.part``
file. What belongs to a live process is never touched."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from regentra_core.leftovers import remove_partial_files
from regentra_core.search.engine import SearchIndex


def _dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def sleeper():
    """A live process whose id a leftover may carry."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield child.pid
    child.kill()
    child.wait()


def _plant(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "_MAIN_1.toc").write_bytes(b"\0" * 4096)
    return folder


def test_a_reindex_removes_what_a_killed_reindex_left(db, tmp_path, sleeper, new_ticket):
    new_ticket(subject="Printer offline")
    index = SearchIndex(tmp_path / "desk.db.index", db)
    dead = _dead_pid()
    left_new = _plant(tmp_path / f"desk.db.index.new-{dead}")
    left_old = _plant(tmp_path / f"desk.db.index.old-{dead}")
    running = _plant(tmp_path / f"desk.db.index.new-{sleeper}")
    index.rebuild()
    assert not left_new.exists() and not left_old.exists()
    assert running.exists()  # a build still under way is not ours to remove
    try:
        assert len(index.search("printer")) == 1
    finally:
        index.close()


def test_opening_the_index_puts_back_one_a_killed_build_parked(db, tmp_path, new_ticket):
    new_ticket(subject="Printer offline")
    path = tmp_path / "desk.db.index"
    first = SearchIndex(path, db)
    first.rebuild()
    first.close()
    dead = _dead_pid()
    # Killed between its two renames: the index parked as .old-<pid>, none in place.
    path.rename(tmp_path / f"desk.db.index.old-{dead}")
    index = SearchIndex(path, db)
    try:
        index.ensure()
        assert path.exists() and not (tmp_path / f"desk.db.index.old-{dead}").exists()
        assert len(index.search("printer")) == 1
    finally:
        index.close()


@pytest.mark.slow
def test_a_reindex_killed_with_sigkill_leaves_nothing_after_the_next(db_path, tmp_path):
    """A real ``regentra reindex`` killed mid-build; the next one cleans up."""
    env = {**os.environ, "REGENTRA_INDEX_DIR": str(tmp_path / "ix" / "desk.index")}
    run = [sys.executable, "-m", "regentra_tui", "--db", db_path]
    seed = textwrap.dedent(
        f"""
        from regentra_core.config import load_settings
        from regentra_core.desk import Desk
        from regentra_core.enums import Channel, Priority
        from regentra_core.identity import Actor
        from regentra_core.wiring import open_database
        db = open_database(load_settings(), {db_path!r}, create=True)
        desk = Desk(db, Actor.system("seed"), source="test")
        for n in range(1500):
            desk.create_ticket(subject=f"Printer {{n}} offline", description="word " * 200,
                priority=Priority.LOW, channel=Channel.EMAIL, contact_email="a@b.example")
        """
    )
    subprocess.run([*run, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-c", seed], env=env, check=True)
    folder = tmp_path / "ix"
    folder.mkdir()
    child = subprocess.Popen([*run, "reindex"], env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(folder.glob("*.new-*")) and time.monotonic() < deadline:
        if child.poll() is not None:
            pytest.fail("reindex ended before it could be killed")
        time.sleep(0.05)
    child.kill()
    child.wait()
    assert list(folder.glob("*.new-*"))  # the leftover is there
    subprocess.run([*run, "reindex"], env=env, check=True, stdout=subprocess.DEVNULL)
    assert list(folder.glob("*.new-*")) == [] and list(folder.glob("*.old-*")) == []


def _mail_with_attachment(size: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = "pat@acme.example"
    msg["Subject"] = "logs"
    msg["Message-ID"] = "<logs@acme.example>"
    msg.set_content("see attached")
    msg.add_attachment(
        b"x" * size, maintype="application", subtype="octet-stream", filename="a.log"
    )
    return msg.as_bytes()


def test_an_attachment_write_that_fails_leaves_no_part_file(tmp_path):
    """A file-size limit stands in for a full disk: the write fails half-way. The
    failure is raised (the MTA or the poll tries the message again later), and no
    part file is left behind."""
    raw = tmp_path / "mail.eml"
    raw.write_bytes(_mail_with_attachment(200_000))
    folder = tmp_path / "attachments"
    script = textwrap.dedent(
        f"""
        import resource, signal
        from datetime import UTC, datetime
        from pathlib import Path
        from regentra_core.channels.mail import parse_mail
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, 50_000))
        try:
            parse_mail(Path({str(raw)!r}).read_bytes(), received_at=datetime.now(UTC),
                       attachments_dir=Path({str(folder)!r}))
        except OSError as exc:
            print("raised", exc.errno)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["raised", "27"]  # EFBIG: retried later, never dropped
    assert list(folder.rglob("*.part")) == []
    assert [p for p in folder.rglob("*") if p.is_file()] == []


def test_part_files_of_dead_writers_and_old_ones_are_removed(tmp_path, sleeper):
    folder = tmp_path / "attachments" / "ab" / "abcd"
    folder.mkdir(parents=True)
    dead = folder / f".a.log.{_dead_pid()}.part"
    live = folder / f".b.log.{sleeper}.part"
    old_style = folder / "c.log.part"
    fresh_old_style = folder / "d.log.part"
    kept = folder / "e.log"
    for path in (dead, live, old_style, fresh_old_style, kept):
        path.write_bytes(b"")
    hour_ago = time.time() - 3600
    os.utime(old_style, (hour_ago, hour_ago))
    removed = remove_partial_files(tmp_path / "attachments")
    assert sorted(removed) == sorted([dead, old_style])
    assert live.exists() and fresh_old_style.exists() and kept.exists()
