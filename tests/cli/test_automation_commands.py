"""``regentra automation``, ``regentra report`` and ``regentra ticket spike``."""

from __future__ import annotations

import csv
import io

RULES = """[[rule]]
name = "Outages up"
description = "An outage is never low"
trigger = "ticket_created"
order = 10
enabled = true
stop_after_match = false
conditions = [{ field = "subject", op = "contains", value = "outage" }]
actions = [{ action = "set_priority", value = "high" },
           { action = "add_note", body = "Raised by rule for #{number}" }]

[[rule]]
name = "Printers"
description = ""
trigger = "periodic"
order = 20
enabled = true
stop_after_match = false
conditions = [{ field = "subject", op = "matches", value = "(?i)printer" }]
actions = [{ action = "add_note", body = "printer" }]
"""


def _ticket(regentra, subject: str, contact: str = "sam@x.example") -> int:
    return regentra.json("ticket", "create", "-s", subject, "-d", "", "--contact", contact)[
        "number"
    ]


def test_import_list_export_round_trip(regentra, tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    assert regentra.json("automation", "import", str(path)) == {
        "added": ["Outages up", "Printers"],
        "changed": [],
    }
    listed = regentra.json("automation", "list")
    assert [r["name"] for r in listed] == ["Outages up", "Printers"]
    exported = regentra("automation", "export")
    assert exported.exit_code == 0 and exported.output == RULES
    text = regentra("automation", "list").output
    assert "Outages up" in text and "subject contains outage" in text


def test_a_bad_file_names_the_line_and_changes_nothing(regentra, tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(RULES.replace('op = "matches"', 'op = "looks_like"'), encoding="utf-8")
    result = regentra("automation", "import", str(path))
    assert result.exit_code != 0
    assert "line 19" in result.output and "unknown op 'looks_like'" in result.output
    assert "nothing was imported" in result.output and "Traceback" not in result.output
    assert regentra.json("automation", "list") == []


def test_rules_act_and_log_and_can_be_switched_off(regentra, tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    regentra("automation", "import", str(path))
    n = _ticket(regentra, "Big outage in Leeds")
    assert regentra.json("ticket", "show", str(n))["ticket"]["priority"] == "high"
    log = regentra.json("automation", "log", "--rule", "Outages up")
    assert log[0]["outcome"] == "matched" and log[0]["ticket"] == n
    assert regentra("automation", "disable", "Outages up").exit_code == 0
    m = _ticket(regentra, "Another outage")
    assert regentra.json("ticket", "show", str(m))["ticket"]["priority"] == "medium"
    again = regentra("automation", "disable", "outages up")  # names are not case sensitive
    assert "already off" in again.output
    assert regentra("automation", "enable", "Outages up").exit_code == 0


def test_dry_run_shows_each_condition_and_counts(regentra, tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    regentra("automation", "import", str(path))
    printer = _ticket(regentra, "Printer jammed")
    _ticket(regentra, "Mouse broken")
    one = regentra("automation", "dry-run", "Printers", "--ticket", str(printer)).output
    assert "matched" in one and "Would execute" in one
    other = regentra.json("automation", "dry-run", "Outages up", "--ticket", str(printer))
    assert other["would_execute"] is False and other["conditions"][0]["matched"] is False
    assert (
        "Would NOT execute"
        in regentra("automation", "dry-run", "Outages up", "--ticket", str(printer)).output
    )
    counted = regentra.json("automation", "dry-run", "Printers")
    assert counted["matching"] == [printer] and counted["checked"] == 2


def test_reports_print_json_and_csv(regentra):
    _ticket(regentra, "Printer jammed")
    volume = regentra.json("report", "volume")
    total = [r for r in volume["rows"] if r["by"] == "total"][0]
    assert total["tickets"] == 1
    result = regentra("report", "backlog", "--csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows[-1]["age"] == "(total)" and rows[-1]["total"] == "1"
    assert "Ticket volume" in regentra("report", "volume").output
    bad = regentra("report", "time", "--from", "tomorrowish")
    assert bad.exit_code != 0 and "is not a day" in bad.output


def test_ticket_spike_shows_and_makes_the_master(regentra):
    numbers = [_ticket(regentra, f"VPN down {n}", contact="it@acme.example") for n in range(5)]
    # no client: five near-identical subjects across senders are the spike
    shown = regentra("ticket", "spike", str(numbers[2])).output
    assert "5 open tickets" in shown and f"Suggested master #{numbers[0]}" in shown
    made = regentra.json("ticket", "spike", str(numbers[2]), "--make-master")
    assert made["master"] == numbers[0] and made["linked"] == numbers[1:]
    assert regentra.json("ticket", "show", str(numbers[1]))["ticket"]["priority"] == "high"
