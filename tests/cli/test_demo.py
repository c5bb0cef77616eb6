"""The demo desk shows a living helpdesk: every status, channel and link kind."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from regentra_core.enums import Channel, Status
from tests.cli.conftest import REGENTRA


def _json(db: str, *args: str):
    out = subprocess.run(
        [REGENTRA, "--db", db, *args, "--json"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return json.loads(out.stdout)


def test_demo_has_every_status_channel_a_master_family_and_a_follow_up(demo_db):
    rows = _json(demo_db, "ticket", "list")
    assert {r["status"] for r in rows} == {s.value for s in Status}
    assert {r["channel"] for r in rows} == {c.value for c in Channel}
    masters = [r for r in rows if r["is_master"]]
    assert len(masters) == 1
    children = [r for r in rows if r["master"] == masters[0]["number"]]
    assert len(children) == 3
    assert sum(r["status"] == "resolved" for r in children) == 1
    follow_ups = [r for r in rows if r["follow_up_of"]]
    assert follow_ups
    original = next(r for r in rows if r["number"] == follow_ups[0]["follow_up_of"])
    assert original["status"] == "closed"
    assert any(r["client_vip"] for r in rows)


def test_the_readme_counts_the_demo_tickets_it_shows(demo_db):
    rows = _json(demo_db, "ticket", "list")
    active = [r for r in rows if r["status"] not in ("resolved", "closed")]
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"{len(rows)} tickets ({len(active)} of them open)" in readme


def test_demo_rebuilds_a_fresh_database_every_time(tmp_path):
    counts = []
    for _ in range(2):
        out = subprocess.run(
            [REGENTRA, "demo", "--json"], check=True, capture_output=True, text=True, timeout=120
        )
        counts.append(json.loads(out.stdout)["statuses"])
    assert counts[0] == counts[1] and sum(counts[0].values()) > 10


def test_demo_refuses_an_explicit_database_that_has_tickets(demo_db):
    again = subprocess.run(
        [REGENTRA, "--db", demo_db, "demo", "--no-tui"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 1 and "already has tickets" in again.stderr
