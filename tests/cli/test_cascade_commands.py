"""The command line on a master reaching Resolved or Closed: --cascade, --no-cascade,
and without either the children it left open, named."""

from __future__ import annotations

from regentra_core import queries
from regentra_core.enums import Status
from regentra_core.store import Database


def _create(regentra) -> str:
    out = regentra.json(
        "ticket", "create", "--subject", "VPN down", "--description", "cannot connect",
        "--priority", "medium", "--channel", "manual", "--contact", "sam@acme.example",
    )  # fmt: skip
    return str(out["number"])


def _family(regentra) -> tuple[str, str, str]:
    master, first, second = (_create(regentra) for _ in range(3))
    assert regentra("ticket", "master", master).exit_code == 0
    for child in (first, second):
        assert regentra("ticket", "link", master, child).exit_code == 0
    return master, first, second


def _status(db_path: str, number: str) -> Status:
    db = Database(db_path)
    try:
        return queries.get_ticket(db, int(number)).status
    finally:
        db.close()


def test_reply_then_resolved_names_the_children_it_left_open(regentra, db_path):
    master, first, second = _family(regentra)
    out = regentra("ticket", "reply", master, "--body", "Fixed upstream", "--then", "resolved")
    assert out.exit_code == 0, out.output
    assert f"2 open child ticket(s) left as they are: #{first}, #{second}" in out.output
    assert "--cascade" in out.output
    assert _status(db_path, first) == Status.OPEN


def test_reply_then_resolved_with_cascade_resolves_the_children(regentra, db_path):
    master, first, second = _family(regentra)
    out = regentra(
        "ticket", "reply", master, "--body", "Fixed upstream", "--then", "resolved", "--cascade"
    )
    assert out.exit_code == 0, out.output
    assert f"cascaded to #{first}, #{second}" in out.output
    assert _status(db_path, first) == _status(db_path, second) == Status.RESOLVED


def test_status_with_cascade_closes_the_children(regentra, db_path):
    master, first, second = _family(regentra)
    regentra("ticket", "status", master, "resolved", "--resolution", "Rebooted")
    out = regentra("ticket", "status", master, "closed", "--cascade")
    assert out.exit_code == 0, out.output
    assert f"cascaded to #{first}, #{second}" in out.output
    assert _status(db_path, first) == Status.CLOSED


def test_status_with_no_cascade_leaves_them_and_says_so(regentra, db_path):
    master, first, second = _family(regentra)
    out = regentra("ticket", "status", master, "resolved", "--no-cascade")
    assert out.exit_code == 0, out.output
    assert f"left as they are: #{first}, #{second}" in out.output
    assert "--cascade moves them" not in out.output
    assert _status(db_path, second) == Status.OPEN
