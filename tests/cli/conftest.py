from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from regentra_tui.cli import cli

REGENTRA = str(Path(sys.executable).with_name("regentra"))


class Regentra:
    """Runs ``regentra --db DB ...`` in-process and returns (exit code, output)."""

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self.runner = CliRunner()

    def __call__(self, *args: str):
        result = self.runner.invoke(cli, ["--db", self.db_path, *args], catch_exceptions=False)
        return result

    def json(self, *args: str):
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def regentra(db_path) -> Regentra:
    run = Regentra(db_path)
    assert run("init").exit_code == 0
    return run


@pytest.fixture
def demo_db(tmp_path) -> str:
    path = str(tmp_path / "demo.db")
    result = subprocess.run(
        [REGENTRA, "--db", path, "demo", "--no-tui"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return path
