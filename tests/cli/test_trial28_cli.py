"""What a technician met using #28's contact commands from the shell (the trial).

``contact add --email bob@`` made a contact no reply could reach, and a UK mobile
typed on a US desk was refused with nothing to say why (or with the phone library's
own ``(1) The string supplied…`` text tacked on). ``ticket cc --add`` refused an
address pasted with its display name (``Mike Ross <mike@…>``).
"""

from __future__ import annotations


def test_contact_add_refuses_an_address_mail_cannot_go_to(regentra):
    refused = regentra("contact", "add", "Bad Mail", "--email", "bob@")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == "Error: not an email address: 'bob@'"
    assert regentra.json("contact", "list") == []


def test_contact_edit_refuses_an_address_mail_cannot_go_to(regentra):
    assert regentra("contact", "add", "Sam Lee", "--email", "sam@acme.example").exit_code == 0
    refused = regentra("contact", "edit", "sam@acme.example", "--email", "sam@")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == "Error: not an email address: 'sam@'"
    [row] = regentra.json("contact", "list")
    assert row["email"] == "sam@acme.example"


def test_a_local_number_of_another_country_is_refused_naming_the_region(regentra, monkeypatch):
    monkeypatch.setenv("REGENTRA_SMS_DEFAULT_REGION", "US")
    refused = regentra("contact", "add", "Jo", "--phone", "07700 900123")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "Error: not a phone number: '07700 900123' "
        "(read as a US number; another country's starts with +)"
    )
    added = regentra("contact", "add", "Jo", "--phone", "+44 7700 900123")
    assert added.exit_code == 0 and "+447700900123" in added.output


def test_a_phone_that_is_no_number_is_one_line_without_the_librarys_text(regentra):
    refused = regentra("contact", "add", "Kim", "--phone", "abc")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "Error: not a phone number: 'abc' (read as a US number; another country's starts with +)"
    )
    assert "did not seem" not in refused.output and "Traceback" not in refused.output


def test_cc_takes_an_address_pasted_with_its_display_name(regentra):
    created = regentra.json(
        "ticket", "create", "--subject", "VPN down", "--channel", "email",
        "--contact", "pat@acme.example",
    )  # fmt: skip
    number = str(created["number"])
    added = regentra("ticket", "cc", number, "--add", "Mike Ross <Mike@Acme.example>")
    assert added.exit_code == 0, added.output
    assert added.output == f"#{number} copies mike@acme.example\n"
    removed = regentra("ticket", "cc", number, "--remove", '"Ross, Mike" <mike@acme.example>')
    assert removed.output == f"#{number} copies nobody\n"
