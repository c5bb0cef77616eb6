"""Clients: added and edited through the Desk, with domains intake can rely on."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from regentra_core import queries
from regentra_core.desk import Desk
from regentra_core.domains import normalise_domains
from regentra_core.errors import NotFoundError, PermissionDenied, ValidationError
from regentra_core.store.models import Event


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (["Acme.Example"], ["acme.example"]),
        (["it@acme.example, acme.co.uk"], ["acme.example", "acme.co.uk"]),
        (["@acme.example.", "acme.example"], ["acme.example"]),
        (["bücher.example"], ["xn--bcher-kva.example"]),
    ],
)
def test_domains_are_written_one_way_whatever_was_pasted(typed, stored):
    assert normalise_domains(typed) == stored


@pytest.mark.parametrize(
    "bad", ["localhost", "acme..example", "-acme.example", "a b", "acme_x.example"]
)
def test_what_is_not_a_domain_is_refused_by_name(bad):
    with pytest.raises(ValidationError, match="is not an email domain"):
        normalise_domains([bad])


def test_a_client_is_added_with_its_domains_and_an_event(desk, db):
    desk.add_client("Bosch Ltd", domains=["bosch.example"], vip=True)
    [row] = queries.client_rows(db)
    assert (row.name, row.vip, row.sla_policy, row.domains) == (
        "Bosch Ltd",
        True,
        None,
        ["bosch.example"],
    )
    with db.read() as s:
        event = s.exec(select(Event).order_by(col(Event.id).desc())).first()
    assert event.kind == "client_added" and event.to_value == "Bosch Ltd"


def test_a_domain_belongs_to_one_client(desk):
    desk.add_client("Bosch Ltd", domains=["bosch.example"])
    with pytest.raises(ValidationError, match="bosch.example already belongs to Bosch Ltd"):
        desk.add_client("Bosch GmbH", domains=["Bosch.Example"])
    other = desk.add_client("Bosch GmbH", domains=["bosch.example.de"])
    with pytest.raises(ValidationError, match="already belongs to Bosch Ltd"):
        desk.edit_client(other.name, domains=["bosch.example"])


def test_edit_changes_only_what_is_given(desk, db):
    desk.add_client("Acme", domains=["acme.example"])
    desk.edit_client("Acme", new_name="Acme Logistics")
    [row] = queries.client_rows(db)
    assert row.name == "Acme Logistics" and row.domains == ["acme.example"]
    desk.edit_client("Acme Logistics", domains=[])
    assert queries.client_rows(db)[0].domains == []
    with pytest.raises(ValidationError, match="nothing to change"):
        desk.edit_client("Acme Logistics", vip=False)
    with pytest.raises(NotFoundError, match="no client named 'Nope'"):
        desk.edit_client("Nope", vip=True)


def test_vip_and_sla_policy_are_a_leads_call(db, desk, bob, clock):
    desk.add_client("Acme")
    as_bob = Desk(db, bob, source="test", clock=clock)
    as_bob.add_client("Globex", domains=["globex.example"])  # any technician may add
    with pytest.raises(PermissionDenied, match="only a lead"):
        as_bob.edit_client("Acme", vip=True)
    with pytest.raises(PermissionDenied, match="only a lead"):
        as_bob.add_client("Initech", vip=True)


def test_unknown_senders_from_a_new_clients_domain_become_its_contacts(desk, db):
    from regentra_core.channels.mail import parse_mail
    from tests.conftest import T0
    from tests.core.test_channels import mail

    desk.add_client("Bosch Ltd", domains=["bosch.example"])
    raw = mail("Printer offline", sender="Kim <kim@bosch.example>")
    result = desk.receive(parse_mail(raw, received_at=T0))
    assert queries.get_ticket(db, result.ticket).client == "Bosch Ltd"
