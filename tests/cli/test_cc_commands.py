"""``regentra ticket cc``: who else a ticket's public replies by mail are copied to,
shown and edited from the command line (issue #28); ``ticket show`` names them."""

from __future__ import annotations


def _ticket(regentra) -> int:
    created = regentra.json(
        "ticket",
        "create",
        "--subject",
        "VPN down",
        "--channel",
        "email",
        "--contact",
        "pat@acme.example",
    )
    return int(created["number"])


def test_cc_adds_removes_and_shows_the_list(regentra):
    number = str(_ticket(regentra))
    assert regentra("ticket", "cc", number).output == f"#{number} copies nobody\n"
    added = regentra(
        "ticket", "cc", number, "--add", "Sam@Acme.example", "--add", "kim@partner.example"
    )
    assert added.exit_code == 0, added.output
    assert added.output == f"#{number} copies sam@acme.example, kim@partner.example\n"
    removed = regentra.json("ticket", "cc", number, "--remove", "sam@acme.example")
    assert removed == {"number": int(number), "cc": ["kim@partner.example"]}
    shown = regentra("ticket", "show", number).output
    assert "Cc: kim@partner.example" in shown
    assert regentra.json("ticket", "show", number)["cc"] == ["kim@partner.example"]
    history = regentra.json("ticket", "history", number)
    changes = [e for e in history if e["kind"] == "cc_changed"]
    assert [c["detail"] for c in changes] == [
        "added sam@acme.example, kim@partner.example",
        "removed sam@acme.example",
    ]


def test_a_bad_address_is_one_clear_line_and_nothing_changes(regentra):
    number = str(_ticket(regentra))
    result = regentra("ticket", "cc", number, "--add", "kim@partner.example", "--add", "bob at x")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: not an email address mail can go to: 'bob at x'"
    ]
    assert "Traceback" not in result.output
    assert regentra.json("ticket", "cc", number)["cc"] == []


def test_the_contact_cannot_be_their_own_cc(regentra):
    number = str(_ticket(regentra))
    result = regentra("ticket", "cc", number, "--add", "pat@acme.example")
    assert result.exit_code == 1
    assert "replies go to them already" in result.stderr


def test_a_stale_version_is_refused_as_a_conflict(regentra):
    number = _ticket(regentra)
    version = regentra.json("ticket", "show", str(number))["ticket"]["version"]
    regentra("ticket", "note", str(number), "--body", "meanwhile")
    stale = ["--expect-version", str(version)]
    result = regentra("ticket", "cc", str(number), "--add", "kim@partner.example", *stale)
    assert result.exit_code == 3
    assert regentra.json("ticket", "cc", str(number))["cc"] == []
