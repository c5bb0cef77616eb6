"""A reloaded daemon names its mail with the settings it reloaded.

The worker reloads its settings on a config change or SIGHUP; the desk it holds kept
the mail identity of its start, so a changed ``support_address`` went on naming the
old domain in every Message-ID the daemon queued until someone restarted it.
"""

from __future__ import annotations

from sqlmodel import Session, select

from regentra_core.config import load_settings
from regentra_core.desk import Desk
from regentra_core.enums import Channel, Priority
from regentra_core.store.models import OutboundMessage
from regentra_core.wiring import apply_settings, open_database


def _queued_ids(db) -> list[str]:
    with Session(db.engine) as s:
        return list(s.exec(select(OutboundMessage.message_id).order_by(OutboundMessage.id)))


def test_settings_applied_again_name_the_new_support_domain(db_path, alice, monkeypatch, clock):
    monkeypatch.setenv("REGENTRA_SUPPORT_ADDRESS", "help@old.example")
    opened = open_database(load_settings(), db_path)
    try:
        desk = Desk(opened, alice, source="test", clock=clock)
        t = desk.create_ticket(
            subject="VPN down",
            description="",
            priority=Priority.MEDIUM,
            channel=Channel.EMAIL,
            contact_email="sam@acme.example",
        )
        desk.add_technician_reply(t.number, "Looking now.")
        monkeypatch.setenv("REGENTRA_SUPPORT_ADDRESS", "help@new.example")
        apply_settings(opened, load_settings())
        desk.add_technician_reply(t.number, "Fixed.")
        first, second = _queued_ids(opened)[-2:]
    finally:
        opened.close()
    assert first.endswith("@old.example>")
    assert second.endswith("@new.example>")
