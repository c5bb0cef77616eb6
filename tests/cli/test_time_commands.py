"""``ticket time``, ``time-edit`` and ``time-remove``: minutes over 59 after hours are
refused as the app refuses them, and a mistyped entry is corrected, audited."""

from __future__ import annotations

import pytest

from tests.cli.test_bad_input import one_clear_line, run


def _ticket(regentra) -> str:
    created = regentra.json(
        "ticket",
        "create",
        "--subject",
        "Printer jams",
        "--channel",
        "email",
        "--contact",
        "a@x.example",
    )
    return str(created["number"])


@pytest.mark.parametrize("typed", ["1h75", "1h 90m", "1:75"])
def test_minutes_over_59_after_hours_are_refused_in_one_line(regentra, typed):
    n = _ticket(regentra)
    result = run("ticket", "time", n, "--duration", typed, db=regentra.db_path)
    line = one_clear_line(result)
    assert "minutes after hours go up to 59" in line
    assert regentra.json("ticket", "show", n)["time_entries"] == []


def test_show_numbers_the_entries_and_time_edit_corrects_one(regentra):
    n = _ticket(regentra)
    assert regentra("ticket", "time", n, "--duration", "2h15").exit_code == 0
    [entry] = regentra.json("ticket", "show", n)["time_entries"]
    shown = regentra("ticket", "show", n).output
    assert f"[{entry['entry_id']}]" in shown and "2h 15m billable" in shown

    result = regentra("ticket", "time-edit", str(entry["entry_id"]), "-d", "1h15", "--non-billable")

    assert result.exit_code == 0, result.output
    assert "1h 15m non-billable" in result.output
    [after] = regentra.json("ticket", "show", n)["time_entries"]
    assert (after["minutes"], after["billable"]) == (75, False)
    [event] = [e for e in regentra.json("ticket", "history", n) if e["kind"] == "time_edited"]
    assert "2h 15m billable" in event["from_value"]
    assert "1h 15m non-billable" in event["to_value"]


def test_time_remove_takes_the_entry_off_and_the_history_keeps_it(regentra):
    n = _ticket(regentra)
    regentra("ticket", "time", n, "-m", "30", "--note", "wrong ticket")
    [entry] = regentra.json("ticket", "show", n)["time_entries"]

    result = regentra("ticket", "time-remove", str(entry["entry_id"]))

    assert result.exit_code == 0, result.output
    assert regentra.json("ticket", "show", n)["time_entries"] == []
    [event] = [e for e in regentra.json("ticket", "history", n) if e["kind"] == "time_removed"]
    assert "30m billable" in event["from_value"] and "wrong ticket" in event["from_value"]


def test_time_edit_without_a_change_or_of_no_entry_is_one_line(regentra):
    n = _ticket(regentra)
    regentra("ticket", "time", n, "-m", "30")
    [entry] = regentra.json("ticket", "show", n)["time_entries"]
    nothing = run("ticket", "time-edit", str(entry["entry_id"]), db=regentra.db_path)
    assert "say what to change" in one_clear_line(nothing, code=2)
    missing = run("ticket", "time-remove", "999", db=regentra.db_path)
    assert "no time entry 999" in one_clear_line(missing)
    bad = run("ticket", "time-edit", str(entry["entry_id"]), "-d", "1h75", db=regentra.db_path)
    assert "minutes after hours" in one_clear_line(bad)
