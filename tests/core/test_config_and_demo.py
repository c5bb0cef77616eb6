"""Settings come from TOML plus environment; the demo loads through the Desk."""

from __future__ import annotations

import pytest

from regentra_core import queries
from regentra_core.config import load_settings
from regentra_core.demo import load_demo
from regentra_core.durations import parse_duration
from regentra_core.enums import Status
from regentra_core.errors import ValidationError
from tests.conftest import T0


def test_toml_config_names_the_database(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text('database_url = "/srv/regentra/desk.db"\n')
    monkeypatch.setenv("REGENTRA_CONFIG", str(cfg))
    assert load_settings().database_target() == "/srv/regentra/desk.db"


def test_environment_overrides_the_config_file(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text('database_url = "/srv/regentra/desk.db"\n')
    monkeypatch.setenv("REGENTRA_CONFIG", str(cfg))
    monkeypatch.setenv("REGENTRA_DATABASE_URL", "postgresql://desk@localhost/regentra")
    assert load_settings().database_target() == "postgresql://desk@localhost/regentra"


def test_default_database_lives_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("REGENTRA_DATA_DIR", str(tmp_path))
    assert load_settings().database_target() == str(tmp_path / "regentra.db")


def test_broken_config_file_is_one_clear_error(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text("database_url = [unclosed\n")
    monkeypatch.setenv("REGENTRA_CONFIG", str(cfg))
    with pytest.raises(ValidationError, match="cannot read configuration"):
        load_settings()


@pytest.mark.parametrize(
    ("text", "minutes"), [("45m", 45), ("3h", 180), ("1d2h", 1560), ("2d", 2880)]
)
def test_demo_durations(text, minutes):
    assert parse_duration(text).total_seconds() == minutes * 60


@pytest.mark.parametrize("text", ["", "3x", "h", "-1h"])
def test_bad_demo_duration_is_refused(text):
    with pytest.raises(ValidationError):
        parse_duration(text)


def test_demo_replays_every_story_through_the_desk(db):
    counts = load_demo(db, operator="operator", now=T0)
    assert counts["tickets"] >= 15
    by_status = queries.status_counts(db)
    assert all(by_status[s] > 0 for s in Status)
    assert "operator" in [t.username for t in queries.technicians(db)]
    assert queries.kb_articles(db)
    with pytest.raises(ValidationError, match="empty one"):
        load_demo(db, now=T0)
