"""A run says which suites it left out and why, so a green local run is never
mistaken for CI's (tests/helpers/skips.py, called from tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers.skips import DEV_HEADING, HEADING, Skipped, describe, log_run, main, never_ran

ROOT = Path(__file__).resolve().parents[1]


def test_a_run_without_tmux_ends_by_saying_what_it_left_out_and_why(tmp_path):
    """The real tmux suite on a host without tmux (an empty PATH), beside a slow test
    the default run does not select: both are named after pytest's own summary."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "REGENTRA_TEST_POSTGRES")}
    env.pop("REGENTRA_SKIP_LOG", None)
    env["PATH"] = str(tmp_path)  # no tmux on it
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist"]
        + ["tests/e2e/test_tmux.py", "tests/core/test_leftovers.py", "-k", "reindex_killed"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = done.stdout
    assert done.returncode == 5, out  # nothing ran: one module skipped, one test deselected
    said = out[out.index(HEADING) :].splitlines()[1:4]
    assert said == [
        "tmux is not installed: 1 module (tests/e2e/test_tmux.py)",
        "not selected: 1 slow test (pytest -m slow runs them)",
        "not run: the PostgreSQL pass (REGENTRA_TEST_POSTGRES unset; ./dev test runs it)",
    ], out
    assert out.index("short test summary info") < out.index(HEADING)  # the last words


def test_skips_are_grouped_by_reason_with_what_each_left_out():
    skipped = [
        Skipped("tests/e2e/test_tmux.py", "tmux is not installed"),
        Skipped("tests/core/test_search.py::test_a", "needs a PostgreSQL desk"),
        Skipped("tests/core/test_search.py::test_b", "needs a PostgreSQL desk"),
        Skipped("tests/core/test_notes.py::test_c", "needs a PostgreSQL desk"),
        Skipped("tests/core/test_search.py::test_a", "needs a PostgreSQL desk"),  # again
    ]
    assert describe(never_ran(skipped, set()), ["not run: x"]) == [
        "needs a PostgreSQL desk: 3 tests (tests/core/test_notes.py, tests/core/test_search.py)",
        "tmux is not installed: 1 module (tests/e2e/test_tmux.py)",
        "not run: x",
    ]


def test_dev_test_names_only_what_none_of_its_passes_ran(tmp_path, capsys):
    """The SQLite pass skips the PostgreSQL tests and the end-to-end modules; the
    PostgreSQL pass runs the former, the slow pass the tmux module but not Dovecot's."""
    log = tmp_path / "skips.jsonl"
    postgres_only = "tests/core/test_search.py::test_both_engines"
    first = [
        Skipped(postgres_only, "needs a PostgreSQL desk"),
        Skipped("tests/e2e/test_tmux.py", "tmux is not installed"),
        Skipped("tests/core/test_imap_poll.py", "needs root and Debian's dovecot-imapd"),
    ]
    log_run(log, first, {"tests/core/test_calendar.py::test_x"})
    log_run(log, [], {postgres_only})
    slow = [Skipped("tests/core/test_imap_poll.py", "needs root and Debian's dovecot-imapd")]
    log_run(log, slow, {"tests/e2e/test_tmux.py::test_demo_opens"})
    assert main([str(log)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"=== ./dev test: {DEV_HEADING} ===",
        "needs root and Debian's dovecot-imapd: 1 module (tests/core/test_imap_poll.py)",
    ]
    log.write_text("")
    log_run(log, [], {postgres_only})
    main([str(log)])
    assert "every suite ran, nothing skipped" in capsys.readouterr().out
