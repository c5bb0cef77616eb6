"""The demo's clients, contacts and KB articles are added through the Desk, so each
has the creation Event real use would leave (they were inserted around it)."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from regentra_core.demo import load_demo
from regentra_core.events import EventKind
from regentra_core.store.models import Client, Contact, Event, KBArticle
from tests.conftest import T0


def test_every_client_contact_and_article_of_the_demo_has_its_creation_event(db):
    load_demo(db, operator="operator", now=T0)
    with db.read() as s:
        clients = s.exec(select(Client)).all()
        contacts = s.exec(select(Contact)).all()
        articles = s.exec(select(KBArticle)).all()
        events = s.exec(select(Event)).all()
    made = Counter((e.kind, e.to_value) for e in events)
    assert clients and contacts and articles
    for client in clients:
        assert made[(EventKind.CLIENT_ADDED.value, client.name)] == 1, client.name
    demo_contacts = [c for c in contacts if c.client_id is not None]
    assert demo_contacts
    for contact in demo_contacts:
        key = contact.email or contact.phone
        assert made[(EventKind.CONTACT_ADDED.value, key)] == 1, key
    for article in articles:
        assert made[(EventKind.KB_ADDED.value, article.slug)] == 1, article.slug


def test_the_demo_clients_keep_their_vip_flag_and_sla_policy(db):
    load_demo(db, now=T0)
    with db.read() as s:
        acme = s.exec(select(Client).where(Client.name == "Acme Logistics")).one()
        globex = s.exec(select(Client).where(Client.name == "Globex Dental")).one()
    assert acme.vip and acme.sla_policy_id is not None
    assert not globex.vip and globex.sla_policy_id is None
