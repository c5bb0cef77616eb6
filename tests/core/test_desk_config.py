"""The desk's policies (DeskConfig) are built once from the settings by the
composition root and carried by each Desk it makes (on its Door), not set on the
store: a ``Database`` is only the connection."""

from __future__ import annotations

import pytest
from sqlmodel import select

from regentra_core.config import Settings
from regentra_core.desk import Desk, Upload
from regentra_core.desk_config import MAX_ATTACHMENT_BYTES, DeskConfig, Shelf
from regentra_core.enums import Channel, Priority
from regentra_core.errors import ValidationError
from regentra_core.mail_identity import MailIdentity
from regentra_core.spike import SpikePolicy
from regentra_core.store.models import OutboundMessage
from regentra_core.wiring import Wiring


def test_the_settings_name_one_desk_config(tmp_path):
    settings = Settings(
        spike_count=7,
        spike_minutes=10,
        support_address="help@msp.example",
        data_dir=tmp_path,
        max_attachment_mb=2,
    )
    config = settings.desk_config()
    assert config.spike == SpikePolicy(True, 7, 10)
    assert config.mail == MailIdentity("help@msp.example")
    assert config.shelf == Shelf(tmp_path / "attachments", 2 * 1024 * 1024)


def test_a_desk_made_without_settings_has_the_default_policies(db, alice):
    desk = Desk(db, alice, source="test")
    assert desk.config == DeskConfig()
    assert desk.config.shelf == Shelf(None, MAX_ATTACHMENT_BYTES)  # no folder: no files kept
    assert not hasattr(db, "config") and not hasattr(db, "spike") and not hasattr(db, "mail")


def test_the_composition_root_hands_its_desks_the_config_whole(db, tmp_path):
    settings = Settings(spike_enabled=False, support_address="help@msp.example", data_dir=tmp_path)
    desk = Wiring(settings, db, None).system_desk("email", source="email")
    assert desk.config == settings.desk_config()


def test_two_desks_on_one_database_keep_their_own_policies(db, alice, clock):
    """Two doors of one process on the same database (a test, or a daemon that
    reloads): each queues mail in its own name."""
    ours = Desk(
        db, alice, source="a", clock=clock, config=DeskConfig(mail=MailIdentity("a@one.example"))
    )
    theirs = Desk(
        db, alice, source="b", clock=clock, config=DeskConfig(mail=MailIdentity("b@two.example"))
    )
    for desk in (ours, theirs):
        number = desk.create_ticket(
            subject="VPN down",
            description="",
            priority=Priority.MEDIUM,
            channel=Channel.EMAIL,
            contact_email="sam@acme.example",
        ).number
        desk.add_technician_reply(number, "Looking now.")
    with db.read() as s:
        ids = list(s.exec(select(OutboundMessage.message_id).order_by(OutboundMessage.id)))
    assert ids[0].endswith("@one.example>") and ids[1].endswith("@two.example>")


def test_a_shelf_without_a_folder_refuses_a_file_and_one_with_keeps_it(db, alice, clock, tmp_path):
    desk = Desk(db, alice, source="test", clock=clock)
    number = desk.create_ticket(
        subject="Printer",
        description="",
        priority=Priority.LOW,
        channel=Channel.MANUAL,
        contact_email="sam@acme.example",
    ).number
    with pytest.raises(ValidationError, match="attachment"):
        desk.attach_files(number, [Upload("a.txt", b"a")])
    kept = Desk(db, alice, source="test", clock=clock, config=DeskConfig(shelf=Shelf(tmp_path)))
    assert len(kept.attach_files(number, [Upload("a.txt", b"a")])) == 1
