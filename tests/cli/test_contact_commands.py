"""``regentra contact add|edit|list|merge``: one person, one contact, from a script."""

from __future__ import annotations

from sqlmodel import select

from regentra_core.store import Database
from regentra_core.store.models import Ticket


def _client(regentra, name="Acme"):
    assert regentra("client", "add", name).exit_code == 0


def test_contact_add_stores_the_number_in_e164_and_list_shows_phone_and_client(
    regentra, monkeypatch
):
    monkeypatch.setenv("REGENTRA_SMS_DEFAULT_REGION", "DE")
    _client(regentra)
    added = regentra(
        "contact", "add", "Sam Lee", "--email", "sam@acme.example", "--phone", "030 1234567",
        "--client", "Acme",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "Sam Lee added: sam@acme.example, +49301234567; Acme" in added.output
    listed = regentra("contact", "list")
    assert "+49301234567" in listed.output and "Acme" in listed.output
    [row] = regentra.json("contact", "list", "--client", "Acme")
    assert (row["name"], row["phone"], row["client"], row["merged_into"]) == (
        "Sam Lee",
        "+49301234567",
        "Acme",
        None,
    )


def test_a_number_another_contact_has_is_one_clear_line_naming_them(regentra):
    regentra("contact", "add", "Sam Lee", "--phone", "+15550100199")
    refused = regentra("contact", "add", "Kim", "--phone", "(555) 010-0199")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "Error: +15550100199 is already the number of Sam Lee (#1, +15550100199)"
    )
    bad = regentra("contact", "add", "Kim", "--phone", "call me")
    assert bad.exit_code == 1 and "not a phone number" in bad.stderr
    assert "Traceback" not in bad.output


def test_contact_edit_finds_them_by_address_number_or_id(regentra):
    _client(regentra)
    regentra("contact", "add", "Sam", "--email", "sam@acme.example")
    assert regentra("contact", "edit", "SAM@acme.example", "--phone", "555 010 0199").exit_code == 0
    assert regentra("contact", "edit", "+1 555 010 0199", "--client", "Acme").exit_code == 0
    edited = regentra.json("contact", "edit", "#1", "--name", "Sam Lee")
    assert (edited["name"], edited["phone"], edited["client"]) == (
        "Sam Lee",
        "+15550100199",
        "Acme",
    )
    nothing = regentra("contact", "edit", "#1")
    assert nothing.exit_code == 2 and "say what to change" in nothing.stderr
    unknown = regentra("contact", "edit", "nobody@acme.example", "--name", "X")
    assert unknown.exit_code == 1 and "no contact with 'nobody@acme.example'" in unknown.stderr


def test_contact_merge_moves_the_tickets_and_says_which(regentra, db_path):
    _client(regentra)
    _client(regentra, "Globex")
    regentra("contact", "add", "Sam", "--email", "sam@acme.example", "--client", "Acme")
    opened = regentra(
        "ticket", "create", "--subject", "VPN down", "--description", "since 9",
        "--contact", "sam@globex.example", "--client", "Globex",
    )  # fmt: skip
    assert opened.exit_code == 0, opened.output
    refused = regentra("contact", "merge", "sam@globex.example", "sam@acme.example")
    assert refused.exit_code == 1
    assert "is of another client" in refused.stderr and "would move to Acme" in refused.stderr
    assert "--force" in refused.stderr
    merged = regentra("contact", "merge", "sam@globex.example", "sam@acme.example", "--force")
    assert merged.exit_code == 0, merged.output
    assert "merged into #1 Sam: tickets moved: #1001" in merged.output
    assert "the tickets changed client" in merged.output
    db = Database(db_path)
    try:
        with db.read() as s:
            ticket = s.exec(select(Ticket).where(Ticket.number == 1001)).one()
        assert ticket.contact_id == 1
    finally:
        db.close()
    listed = regentra.json("contact", "list")
    assert [r["email"] for r in listed] == ["sam@acme.example"]
    everyone = regentra.json("contact", "list", "--merged")
    assert {r["merged_into"] for r in everyone} == {None, 1}


def test_contact_list_of_an_unknown_client_says_so(regentra):
    unknown = regentra("contact", "list", "--client", "Nope")
    assert unknown.exit_code == 1 and "no client named 'Nope'" in unknown.stderr
