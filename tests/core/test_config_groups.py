"""Settings by subject (config_groups): typed views over the flat keys admins write,
handed down by the composition root instead of the whole Settings."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import SecretStr

from regentra_core.config import Settings, load_settings
from regentra_core.config_groups import AiSettings, ImapSettings, SmtpSettings
from regentra_core.errors import ValidationError
from regentra_core.wiring import Wiring, open_index

CONFIG = """
imap_host = "imap.msp.example"
imap_user = "help"
imap_folder = "Support"
mail_poll_interval_seconds = 30
imap_password_file = "{secret}"
support_address = "help@msp.example"
ai_model = "openai/gpt-4o-mini"
portal_name = "Acme help"
"""


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    secret = tmp_path / "imap-password"
    secret.write_text("hunter2\n")
    config = tmp_path / "regentra.toml"
    config.write_text(CONFIG.format(secret=secret))
    monkeypatch.setenv("REGENTRA_CONFIG", str(config))
    monkeypatch.setenv("REGENTRA_SMTP_HOST", "smtp.msp.example")
    monkeypatch.setenv("REGENTRA_SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("REGENTRA_TWILIO_ACCOUNT_SID", "AC1")
    return load_settings()


def test_the_flat_keys_of_the_file_and_the_environment_fill_the_groups(settings):
    imap = settings.imap
    assert (imap.host, imap.user, imap.folder, imap.poll_interval_seconds) == (
        "imap.msp.example",
        "help",
        "Support",
        30.0,
    )
    assert imap.password.read() == "hunter2"
    assert settings.smtp.host == "smtp.msp.example"  # from REGENTRA_SMTP_HOST
    assert settings.smtp.sender == "help@msp.example"
    assert settings.smtp.password.read() == "s3cret"
    assert settings.ai.model == "openai/gpt-4o-mini"
    assert settings.portal.name == "Acme help"


def test_each_group_says_whether_it_is_configured(settings):
    assert settings.imap.configured and settings.smtp.configured and settings.ai.configured
    assert not settings.twilio.configured  # an account but no number nor token
    assert not settings.portal.configured  # no key signs sessions


def test_a_desk_with_nothing_set_up_has_no_group_configured():
    bare = Settings()
    groups = (bare.imap, bare.smtp, bare.twilio, bare.ai, bare.portal)
    assert not any(group.configured for group in groups)


def test_the_old_flat_questions_answer_as_the_groups_do(settings):
    assert settings.imap_configured == settings.imap.configured
    assert settings.smtp_configured == settings.smtp.configured
    assert settings.sms_configured == settings.twilio.configured
    assert settings.secret("imap_password") == "hunter2"
    assert settings.secret_source("smtp_password") == "value"


def test_a_group_is_frozen_and_never_shows_a_secret(settings):
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.smtp.host = "elsewhere"  # type: ignore[misc]
    assert isinstance(settings.smtp.password.value, SecretStr)
    assert "s3cret" not in repr(settings.smtp) and "s3cret" not in str(settings.smtp)


def test_an_unreadable_secret_file_is_one_clear_line(tmp_path):
    missing = tmp_path / "nope"
    imap = Settings(imap_password_file=missing).imap
    with pytest.raises(ValidationError, match=f"cannot read imap_password_file {missing}"):
        imap.password.read()


def test_the_composition_root_hands_each_part_its_group_only(settings, db, tmp_path):
    wiring = Wiring(settings, db, open_index(settings, db))
    assert isinstance(wiring.assistant().settings, AiSettings)
    assert isinstance(settings.imap, ImapSettings) and isinstance(settings.smtp, SmtpSettings)
    mailbox = wiring.mailbox()
    assert (mailbox.host, mailbox.folder, mailbox.password) == (
        "imap.msp.example",
        "Support",
        "hunter2",
    )
