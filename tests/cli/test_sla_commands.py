"""``regentra sla ...`` and the SLA parts of ``ticket list`` / ``ticket show``."""

from __future__ import annotations

import pytest


def test_init_seeds_the_policies_and_show_lists_them(regentra):
    config = regentra.json("sla", "show")
    names = {p["name"]: p for p in config["policies"]}
    assert set(names) == {"Standard", "Premium", "Business hours"}
    assert names["Standard"]["default"] is True
    assert names["Premium"]["targets"]["critical"] == [15, 120]
    office = next(c for c in config["calendars"] if c["timezone"] == "America/New_York")
    assert office["holidays"]


def test_new_ticket_shows_both_clocks_with_due_times(regentra):
    t = regentra.json(
        "ticket", "create", "-s", "Server down", "-p", "critical", "--contact", "a@x.example"
    )
    assert t["sla"]["policy"] == "Standard" and t["sla"]["badge"] == "on_track"
    out = regentra("ticket", "show", str(t["number"])).output
    assert "SLA: On Track (policy Standard)" in out
    assert "response   On Track  target 30m" in out and "due " in out
    assert "resolution On Track  target 4h 00m" in out


def test_list_filters_by_sla_state(regentra):
    regentra.json("ticket", "create", "-s", "a", "--contact", "a@x.example")
    assert len(regentra.json("ticket", "list", "--sla", "on-track")) == 1
    assert regentra.json("ticket", "list", "--sla", "breached") == []


def test_policy_target_calendar_and_assignment_round_trip(regentra, tmp_path):
    assert (
        regentra(
            "sla",
            "calendar",
            "add",
            "Berlin",
            "--hours",
            "mon-fri 09:00-17:00",
            "--tz",
            "Europe/Berlin",
        ).exit_code
        == 0
    )
    assert regentra("sla", "holiday", "add", "Berlin", "2026-12-24", "--name", "Eve").exit_code == 0
    assert (
        regentra("sla", "holiday", "seed", "Berlin", "--country", "DE", "--year", "2027").exit_code
        == 0
    )
    assert (
        regentra("sla", "policy", "add", "Gold", "--calendar", "Berlin", "--escalate").exit_code
        == 0
    )
    assert (
        regentra(
            "sla", "target", "Gold", "high", "--response", "20m", "--resolution", "6h"
        ).exit_code
        == 0
    )
    assert regentra("sla", "calendar", "hours", "Berlin", "mon-sat 08:00-18:00").exit_code == 0
    assert regentra("sla", "policy", "set", "Gold", "--at-risk", "0.5").exit_code == 0
    config = regentra.json("sla", "show")
    gold = next(p for p in config["policies"] if p["name"] == "Gold")
    assert gold["targets"] == {"high": [20, 360]} and gold["escalate_status"] is True
    assert gold["at_risk_share"] == 0.5
    berlin = next(c for c in config["calendars"] if c["name"] == "Berlin")
    assert berlin["hours"] == "mon-sat 08:00-18:00" and len(berlin["holidays"]) > 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sla", "calendar", "add", "X", "--hours", "mon-fri 9-5"], "cannot read opening hours"),
        (
            ["sla", "calendar", "add", "X", "--hours", "mon 09:00-10:00", "--tz", "Nowhere/City"],
            "unknown time zone",
        ),
        (
            ["sla", "target", "Nope", "high", "--response", "1h", "--resolution", "2h"],
            "no SLA policy named 'Nope'",
        ),
        (
            ["sla", "target", "Standard", "high", "--response", "soon", "--resolution", "2h"],
            "not a duration",
        ),
        (["sla", "policy", "set", "Standard", "--at-risk", "2"], "between 0 and 1"),
        (["sla", "assign", "Nobody Inc", "Premium"], "no client named"),
        (["sla", "holiday", "add", "Around the clock", "24/12/2026"], "not a day"),
        (
            ["sla", "holiday", "seed", "Around the clock", "--country", "XX", "--year", "2026"],
            "no public holiday data",
        ),
    ],
)
def test_bad_sla_input_is_one_clear_line(regentra, args, message):
    result = regentra(*args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
