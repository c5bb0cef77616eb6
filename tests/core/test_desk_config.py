"""The desk's policies (DeskConfig) are built once from the settings by the
composition root and handed to the desk, not set piece by piece on the store."""

from __future__ import annotations

from regentra_core.config import Settings
from regentra_core.desk_config import DeskConfig
from regentra_core.mail_identity import MailIdentity
from regentra_core.spike import SpikePolicy
from regentra_core.wiring import apply_settings


def test_the_settings_name_one_desk_config():
    settings = Settings(spike_count=7, spike_minutes=10, support_address="help@msp.example")
    config = settings.desk_config()
    assert config.spike == SpikePolicy(True, 7, 10)
    assert config.mail == MailIdentity("help@msp.example")


def test_the_composition_root_hands_the_desk_its_config_whole(db):
    settings = Settings(spike_enabled=False, support_address="help@msp.example")
    apply_settings(db, settings)
    assert db.config == settings.desk_config()
    assert not db.spike.enabled and db.mail.domain == "msp.example"  # what the desk reads


def test_a_desk_opened_without_settings_has_the_default_policies(db_path):
    from regentra_core.store import Database

    bare = Database(db_path)
    try:
        assert bare.config == DeskConfig()
    finally:
        bare.close()


def test_setting_one_policy_keeps_the_other(db):
    db.mail = MailIdentity("help@msp.example")
    db.spike = SpikePolicy(enabled=False)
    assert db.config == DeskConfig(SpikePolicy(enabled=False), MailIdentity("help@msp.example"))
