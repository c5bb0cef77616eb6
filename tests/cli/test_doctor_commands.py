"""``regentra doctor`` after ``regentra worker --once``: a warning, not "never"."""

from __future__ import annotations

import json


def _doctor(regentra) -> tuple[int, dict]:
    result = regentra("doctor", "--json")
    return result.exit_code, json.loads(result.stdout)


def test_doctor_after_worker_once_warns_of_no_daemon_instead_of_never(regentra):
    code, before = _doctor(regentra)
    assert any("no worker has ever run" in p["problem"] for p in before["problems"])
    assert regentra("worker", "--once").exit_code == 0
    code, report = _doctor(regentra)
    assert not any("ever run" in p["problem"] for p in report["problems"]), report
    [warning] = [w for w in report["warnings"] if "worker --once" in w["warning"]]
    assert warning["warning"].startswith("no daemon holds the jobs; the last")
    assert "regentra worker" in warning["fix"]
    assert "last `regentra worker --once` at" in report["facts"]["worker"]
    assert code == 0, report
