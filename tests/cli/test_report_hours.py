"""``regentra report``: a person reads hours and minutes; scripts keep whole minutes."""

from __future__ import annotations

from click.testing import CliRunner

from regentra_tui.cli import cli


def test_the_command_lines_time_report_shows_hours_and_minutes(tmp_path):
    db = str(tmp_path / "demo.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "demo", "--no-tui"]).exit_code == 0
    shown = runner.invoke(cli, ["--db", db, "report", "time", "--from", "2000-01-01"])
    assert shown.exit_code == 0, shown.output
    assert "billable" in shown.output and "h " in shown.output
    assert " 165 " not in shown.output
    lines = [line for line in shown.output.splitlines() if line.strip().startswith("(total)")]
    assert len(lines) == 1 and lines[0].split()[1:] == ["4h", "20m", "0m", "4h", "20m"]
    as_json = runner.invoke(cli, ["--db", db, "report", "time", "--from", "2000-01-01", "--json"])
    assert '"total_minutes": 260' in as_json.output  # scripts keep whole minutes


def test_the_sla_table_fits_120_columns(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    db = str(tmp_path / "demo.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "demo", "--no-tui"]).exit_code == 0
    shown = runner.invoke(cli, ["--db", db, "report", "sla"])
    assert shown.exit_code == 0, shown.output
    assert "no reply" in shown.output and "%" in shown.output
    assert max(len(line) for line in shown.output.splitlines()) <= 120
    # each row whole on its line: no figure wrapped under its column
    assert all(
        line.split()[0] in ("by", "priority", "client", "week", "resp.", "SLA")
        for line in shown.output.splitlines()
        if line.strip()
    )
