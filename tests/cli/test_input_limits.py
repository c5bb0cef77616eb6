"""Every input a command reads has a limit and a one-line error.

``kb add --body-file /dev/zero`` used to read until memory ran out (a MemoryError
traceback under a memory limit). The real command runs here under an address-space
limit, as a host's ulimit or a systemd unit would set one; the same limits are
checked in-process for standard input, ``kb import`` and ``automation import``.
"""

from __future__ import annotations

import os
import resource
import subprocess

import pytest

from regentra_tui.cli import cli
from regentra_tui.cli.reading import TEXT_FILE_BYTES
from tests.cli.conftest import REGENTRA

MEMORY_LIMIT = 1536 * 1024 * 1024


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["kb", "add", "--title", "Zero", "--body-file", "/dev/zero"], "larger than 1,048,576"),
        (["automation", "import", "/dev/zero"], "larger than 1,048,576"),
        (["mail", "import", "/dev/zero"], "larger than 209,715,200"),
    ],
    ids=["kb-add", "automation-import", "mail-import"],
)
def test_dev_zero_is_refused_in_one_line_under_a_memory_limit(regentra, args, says):
    result = subprocess.run(
        [REGENTRA, "--db", regentra.db_path, *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
        preexec_fn=_limited,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert says in lines[0]


def test_a_body_on_standard_input_over_the_limit_is_refused_and_nothing_added(regentra):
    too_big = b"a" * (TEXT_FILE_BYTES + 1)
    result = regentra.runner.invoke(
        cli,
        ["--db", regentra.db_path, "kb", "add", "--title", "Big", "--body-file", "-"],
        input=too_big,
    )
    assert result.exit_code != 0
    assert "standard input is larger than 1,048,576 bytes" in result.stderr
    assert regentra.json("kb", "list") == []


def test_a_body_at_the_limit_is_taken_whole(regentra, tmp_path):
    body = tmp_path / "long.md"
    body.write_text("word " * (TEXT_FILE_BYTES // 5))
    assert regentra("kb", "add", "--title", "Long", "--body-file", str(body)).exit_code == 0
    [article] = regentra.json("kb", "list")
    assert article["slug"] == "long"


def test_kb_import_refuses_a_file_over_the_limit_and_imports_nothing(regentra, tmp_path):
    (tmp_path / "ok.md").write_text("# Fine\n\nA short article.\n")
    (tmp_path / "huge.md").write_bytes(b"# Huge\n\n" + b"x" * TEXT_FILE_BYTES)
    result = regentra("kb", "import", str(tmp_path))
    assert result.exit_code != 0
    assert f"{tmp_path / 'huge.md'} is larger than 1,048,576 bytes" in result.stderr
    assert regentra.json("kb", "list") == []


def test_a_body_file_that_is_not_utf8_is_one_line(regentra, tmp_path):
    body = tmp_path / "latin1.md"
    body.write_bytes("café".encode("latin-1"))
    result = regentra("kb", "add", "--title", "Cafe", "--body-file", str(body))
    assert result.exit_code != 0
    assert "is not UTF-8 text" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
