"""Bad input at the command line: one clear line, the right exit code, nothing half-written.

Each case here printed a traceback (or did something silently wrong) before; they
run the installed ``regentra`` script, as a technician would.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from regentra_core.desk import Desk
from regentra_core.enums import Channel, Priority
from regentra_core.identity import Actor
from regentra_core.store import Database
from tests.cli.conftest import REGENTRA


def run(*args: str | bytes, db: str | None = None) -> subprocess.CompletedProcess[bytes]:
    argv: list[str | bytes] = [REGENTRA]
    if db is not None:
        argv += ["--db", db]
    argv += list(args)
    return subprocess.run(argv, capture_output=True, timeout=120)


def one_clear_line(result: subprocess.CompletedProcess[bytes], code: int = 1) -> str:
    err = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    assert result.returncode == code, err
    assert err.startswith("Error: "), err
    assert err.count("\n") == 1, err  # usage errors too (click's own are three lines)
    return err


@pytest.fixture
def desk(tmp_path) -> str:
    path = str(tmp_path / "desk.db")
    assert run("init", db=path).returncode == 0
    created = run("ticket", "create", "-s", "Printer", "--contact", "p@x.example", db=path)
    assert created.returncode == 0
    return path


@contextmanager
def _desk(path: str) -> Iterator[Desk]:
    """The desk in this process, for setting the scene quickly."""
    database = Database(path)
    try:
        yield Desk(database, Actor.system("test"), source="email")
    finally:
        database.close()


def _count(db: str, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"select count(*) from {table}").fetchone()[0])


@pytest.mark.parametrize(
    "args",
    [
        [b"ticket", b"reply", b"1001", b"--body", b"bad \xff"],
        [b"ticket", b"create", b"-s", b"bad \xff", b"--contact", b"a@x.example"],
        [b"ticket", b"list", b"--client", b"\xfe"],
        [b"search", b"bad\xff"],
    ],
    ids=["reply", "create", "list", "search"],
)
def test_invalid_utf8_argument_is_one_line_and_writes_nothing(desk, args):
    events = _count(desk, "event")
    err = one_clear_line(run(*args, db=desk))
    assert "not valid UTF-8" in err and "\\x" in err
    assert _count(desk, "event") == events


@pytest.mark.parametrize(
    "args",
    [
        ["ticket", "show", "99999999999999999999999"],
        ["ticket", "list", "--offset", "99999999999999999999999"],
        ["ticket", "status", "1001", "resolved", "--expect-version", "9" * 30],
    ],
    ids=["show", "offset", "version"],
)
def test_numbers_beyond_64_bits_are_refused_in_one_line(desk, args):
    result = run(*args, db=desk)
    err = result.stderr.decode()
    assert "Traceback" not in err
    assert result.returncode == 2 and "is not in the range" in err


@pytest.mark.parametrize(
    "args",
    [
        ["sla", "target", "Standard", "high", "--response", "99999999999d", "--resolution", "1h"],
        ["worker", "--once", "--at", "9999-12-31T23:59:59", "--force"],
        ["ticket", "list", "--since", "0001-01-01T00:00+05:00"],
    ],
    ids=["duration", "at", "since"],
)
def test_durations_and_years_that_overflow_are_one_line(desk, args):
    err = one_clear_line(run(*args, db=desk))
    assert "too long" in err or "out of range" in err


def test_mistyped_db_is_refused_and_creates_nothing(tmp_path):
    target = tmp_path / "typo" / "dsek.db"
    err = one_clear_line(run("ticket", "list", db=str(target)))
    assert "there is no desk at" in err and "regentra init" in err
    assert not target.parent.exists()


def test_a_file_that_is_not_a_database_is_named_in_plain_words(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n" * 200)
    err = one_clear_line(run("ticket", "show", "1001", db=str(notes)))
    assert f"{notes} is not a Regentra database" in err
    assert "sqlalche.me" not in err
    assert notes.read_text() == "shopping list\n" * 200


def test_another_programs_sqlite_database_is_not_taken_over(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table invoices (id integer primary key)")
    err = one_clear_line(run("init", db=str(other)))
    assert "is not a Regentra database" in err and "invoices" in err
    with sqlite3.connect(other) as conn:
        tables = {r[0] for r in conn.execute("select name from sqlite_master")}
    assert tables == {"invoices"}


def test_customer_reply_honours_expect_version(desk):
    shown = json.loads(run("ticket", "show", "1001", "--json", db=desk).stdout)
    version = shown["ticket"]["version"]
    run("ticket", "note", "1001", "--body", "someone else was here", db=desk)
    result = run(
        "ticket",
        "reply",
        "1001",
        "--from-customer",
        "--body",
        "it works now",
        "--expect-version",
        str(version),
        db=desk,
    )
    err = one_clear_line(result, code=3)
    assert "changed by someone else" in err
    assert _count(desk, "reply") == 0


BIDI = "\u202e"
C1 = "\x9b"  # CSI: a terminal control sequence introducer on its own


def test_json_escapes_c1_controls_and_bidi_overrides(desk):
    subject = f"invoice{BIDI}fdp.exe {C1}31m"
    created = run("ticket", "create", "-s", subject, "--contact", "e@x.example", "--json", db=desk)
    raw = created.stdout.decode()
    assert BIDI not in raw and C1 not in raw
    assert "\\u202e" in raw and "\\u009b" in raw
    assert json.loads(raw)["subject"] == subject  # the same string, escaped


def test_plain_output_shows_bidi_overrides_and_c1_escaped(desk):
    run("ticket", "create", "-s", f"a{BIDI}b{C1}c", "--contact", "e@x.example", db=desk)
    for args in (["ticket", "show", "1002"], ["ticket", "list"]):
        out = run(*args, db=desk).stdout.decode()
        assert BIDI not in out and C1 not in out
        assert "\\u202e" in out and "\\x9b" in out


def test_ten_megabyte_message_is_shown_capped_and_whole_with_full(desk):
    body = ("log line with detail " * 50 + "\n") * 10_000  # about 10 MB
    with _desk(desk) as d:  # as a mail import will store it
        d.add_customer_reply(1001, body)
    shown = run("ticket", "show", "1001", db=desk)
    assert shown.returncode == 0, shown.stderr
    assert len(shown.stdout) < 100_000
    assert b"more characters (ticket show 1001 --full)" in shown.stdout
    full = run("ticket", "show", "1001", "--full", db=desk)
    assert len(full.stdout) > len(body)
    searched = run("search", "detail", db=desk)
    assert searched.returncode == 0 and 0 < len(searched.stdout) < 5_000


_PEAK_RSS = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def peak_rss_mib(*args: str) -> int:
    """Peak RSS of ``regentra ARGS``, measured from a small parent.

    A child forked from the test process would count this (large) process's memory
    as its own until it execs, so a fresh interpreter starts it and reports.
    """
    out = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS, REGENTRA, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout.split()
    assert out[0] == "0", f"regentra {args} failed"
    return int(out[1]) // 1024


def test_indexing_a_ten_megabyte_message_keeps_memory_flat(desk):
    baseline = peak_rss_mib("--db", desk, "worker", "--once")
    with _desk(desk) as d:
        d.add_customer_reply(1001, " ".join(f"w{i:x}" for i in range(1_500_000)))  # 10 MB
    assert peak_rss_mib("--db", desk, "worker", "--once") < baseline + 100
    assert peak_rss_mib("--db", desk, "ticket", "show", "1001") < baseline + 100


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
    )
    return result.returncode == 0


def _fill(where: Path) -> None:
    # Unbuffered: a buffered file keeps the part of a write that did not fit and
    # fails again on close, outside the try (it depended on the desk's exact size).
    with (where / "ballast").open("wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError:
            pass


@pytest.fixture
def small_disk(tmp_path) -> Path:
    where = tmp_path / "disk"
    if not _mount_tmpfs(where, "4m"):
        if os.environ.get("CI"):
            raise RuntimeError("CI runs as root and must be able to mount a tmpfs")
        pytest.skip("needs root to mount a small tmpfs")
    yield where
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_full_disk_write_is_one_line_and_loses_nothing(small_disk):
    db = str(small_disk / "desk.db")
    assert run("init", db=db).returncode == 0
    assert (
        run("ticket", "create", "-s", "Before", "--contact", "b@x.example", db=db).returncode == 0
    )
    _fill(small_disk)
    body = "x" * 120_000  # more than the free pages a desk keeps; an argument may hold it
    err = one_clear_line(
        run("ticket", "create", "-s", "After", "-d", body, "--contact", "a@x.example", db=db)
    )
    assert "is full" in err and "nothing was written" in err
    (small_disk / "ballast").unlink()
    listed = json.loads(run("ticket", "list", "--json", db=db).stdout)
    assert [t["subject"] for t in listed] == ["Before"]


def test_search_on_a_full_disk_is_one_line_and_leaves_no_half_index(
    small_disk, tmp_path, monkeypatch
):
    """The index on its own small disk (``index_dir``), full; the database elsewhere."""
    monkeypatch.setenv("REGENTRA_INDEX_DIR", str(small_disk / "index"))
    db = str(tmp_path / "desk.db")
    assert run("init", db=db).returncode == 0
    with _desk(db) as desk:
        for n in range(30):
            desk.create_ticket(
                subject=f"Toner {n}",
                description="",
                priority=Priority.LOW,
                channel=Channel.MANUAL,
                contact_email="t@x.example",
            )
    _fill(small_disk)
    searched = run("search", "toner", db=db)
    assert searched.returncode == 0, searched.stderr
    assert b"may be incomplete" in searched.stderr  # answered from the database
    assert b"Toner" in searched.stdout
    err = one_clear_line(run("reindex", db=db))
    assert "is full" in err
    err = one_clear_line(run("worker", "--once", db=db))
    assert "is full" in err
    assert sorted(p.name for p in small_disk.iterdir()) == ["ballast", "index.lock"]
    (small_disk / "ballast").unlink()
    assert run("worker", "--once", db=db).returncode == 0
    found = json.loads(run("search", "toner", "--limit", "100", "--json", db=db).stdout)
    assert len(found) == 30


def test_four_concurrent_worker_once_with_no_index_build_it_once(desk):
    with _desk(desk) as d:
        for n in range(40):
            d.add_customer_reply(1001, f"reply {n} about the fuser")
    procs = [
        subprocess.Popen(
            [REGENTRA, "--db", desk, "worker", "--once"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (_, err) in zip(procs, results, strict=True):
        assert b"Traceback" not in err, err.decode()
        assert proc.returncode == 0, err.decode()
    folder = Path(desk).parent
    assert not [p.name for p in folder.iterdir() if ".new-" in p.name or ".old-" in p.name]
    found = json.loads(run("search", "fuser", "--json", db=desk).stdout)
    assert [h["key"] for h in found] == ["1001"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["ticket", "list", "--bogus"],
            "No such option '--bogus'; see 'regentra ticket list --help'",
        ),
        (["ticket", "show"], "Missing argument 'NUMBER'; see 'regentra ticket show --help'"),
        (["nosuch"], "No such command 'nosuch'; see 'regentra --help'"),
    ],
)
def test_a_usage_error_is_one_line_that_says_where_help_is(args, said, tmp_path):
    err = one_clear_line(run(*args, db=str(tmp_path / "none.db")), code=2)
    assert err.strip() == f"Error: {said}"
