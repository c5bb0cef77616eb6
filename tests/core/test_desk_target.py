"""The light resolver names the desk ``Settings`` names, or steps aside.

``ticket show`` and ``ticket list`` find their desk without pydantic
(``desk_target``); on a shared host a different answer would open another desk,
so every case here builds ``Settings`` too and holds the two equal: the
environment, the account's file, the host's file, both or neither, relative
paths, SQLite paths and URLs, PostgreSQL URLs. What the resolver is not sure of
raises PlainUnavailable, and the ORM path decides.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest

from regentra_core.config import Settings, load_settings
from regentra_core.desk_target import light_database_target, resolve_target
from regentra_core.errors import PlainUnavailable, ValidationError

ENV_URLS = {
    "no-url": None,
    "empty-url": "",
    "relative-path": "env/desk.db",
    "sqlite-url": "sqlite:////srv/env/desk.db",
    "postgres-url": "postgresql://desk@db.example/regentra",
}
ENV_DIRS = {
    "no-dir": None,
    "empty-dir": "",
    "relative-dir": "env-data",
    "home-dir": "~/env-data",
}
USER_FILES: dict[str, dict[str, object] | None] = {
    "no-user-file": None,
    "user-url": {"database_url": "/srv/user/desk.db"},
    "user-relative-dir": {"data_dir": "user-data"},
    "user-empty-url-and-dir": {"database_url": "", "data_dir": "/srv/user-data"},
    "user-postgres-and-dir": {
        "database_url": "postgresql+psycopg://u@db.example/desk",
        "data_dir": "/srv/user-data",
    },
    "user-other-keys": {"portal_name": "Acme", "spike_count": 7},
}
SITE_FILES: dict[str, dict[str, object] | None] = {
    "no-site-file": None,
    "empty-site-file": {},
    "site-sqlite-url": {"database_url": "sqlite:////srv/regentra/regentra.db"},
    "site-dir": {"data_dir": "/srv/site-data"},
}


def _toml(values: dict[str, object]) -> str:
    return "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items())


@pytest.fixture
def place(tmp_path, monkeypatch):
    """A clean environment in ``tmp_path``: no REGENTRA_ setting but the two config
    paths (files not there yet), platform folders inside it, it the working folder."""
    for name in list(os.environ):
        if name.lower().startswith("regentra_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("REGENTRA_CONFIG", str(tmp_path / "user.toml"))
    monkeypatch.setenv("REGENTRA_SITE_CONFIG", str(tmp_path / "site.toml"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _same_desk() -> str:
    """The light target, checked equal to what Settings names."""
    expected = load_settings().database_target()
    assert light_database_target() == expected
    return expected


@pytest.mark.parametrize(
    ("env_url", "env_dir", "user", "site"),
    list(itertools.product(ENV_URLS, ENV_DIRS, USER_FILES, SITE_FILES)),
)
def test_light_target_is_the_settings_target(place, monkeypatch, env_url, env_dir, user, site):
    if ENV_URLS[env_url] is not None:
        monkeypatch.setenv("REGENTRA_DATABASE_URL", ENV_URLS[env_url])
    if ENV_DIRS[env_dir] is not None:
        monkeypatch.setenv("REGENTRA_DATA_DIR", ENV_DIRS[env_dir])
    if (user_values := USER_FILES[user]) is not None:
        (place / "user.toml").write_text(_toml(user_values))
    if (site_values := SITE_FILES[site]) is not None:
        (place / "site.toml").write_text(_toml(site_values))
    _same_desk()


def test_the_account_file_wins_over_the_host_file_key_by_key(place):
    (place / "site.toml").write_text(_toml({"database_url": "/srv/site.db", "data_dir": "/s"}))
    (place / "user.toml").write_text(_toml({"data_dir": "/u"}))
    assert _same_desk() == "/srv/site.db"
    (place / "user.toml").write_text(_toml({"database_url": "", "data_dir": "/u"}))
    assert _same_desk() == "/u/regentra.db"


def test_an_empty_environment_url_hides_the_files_url(place, monkeypatch):
    (place / "user.toml").write_text(_toml({"database_url": "/srv/user.db"}))
    monkeypatch.setenv("REGENTRA_DATABASE_URL", "")
    assert _same_desk() == str(place / "xdg-data" / "regentra" / "regentra.db")


@pytest.mark.parametrize("where", ["explicit", "relative", "home", "platform"])
def test_the_account_file_is_found_where_settings_finds_it(place, monkeypatch, where):
    files = {
        "explicit": (str(place / "mine.toml"), place / "mine.toml"),
        "relative": ("conf/mine.toml", place / "conf" / "mine.toml"),
        "home": ("~/mine.toml", place / "home" / "mine.toml"),
        "platform": (None, place / "xdg-config" / "regentra" / "config.toml"),
    }
    setting, path = files[where]
    if setting is None:
        monkeypatch.delenv("REGENTRA_CONFIG")
    else:
        monkeypatch.setenv("REGENTRA_CONFIG", setting)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_toml({"database_url": f"sqlite:///{where}.db"}))
    assert _same_desk() == f"sqlite:///{where}.db"


@pytest.mark.parametrize("where", ["explicit", "relative", "home"])
def test_the_host_file_is_found_where_settings_finds_it(place, monkeypatch, where):
    files = {
        "explicit": (str(place / "host.toml"), place / "host.toml"),
        "relative": ("etc/host.toml", place / "etc" / "host.toml"),
        "home": ("~/host.toml", place / "home" / "host.toml"),
    }
    setting, path = files[where]
    monkeypatch.setenv("REGENTRA_SITE_CONFIG", setting)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_toml({"data_dir": f"/srv/{where}"}))
    assert _same_desk() == f"/srv/{where}/regentra.db"


def test_the_hosts_own_config_is_read_as_settings_reads_it(place, monkeypatch):
    # /etc/regentra/config.toml, whatever this host has there: the same desk, or
    # the light resolver steps aside (it never names another one).
    monkeypatch.delenv("REGENTRA_SITE_CONFIG")
    try:
        expected = Settings().database_target()
    except Exception:
        expected = None
    try:
        found = light_database_target()
    except PlainUnavailable:
        return
    assert found == expected


@pytest.mark.parametrize(
    ("file", "text"),
    [
        ("user.toml", "database_url = [unclosed\n"),
        ("site.toml", "database_url = [unclosed\n"),
        ("user.toml", "database_url = 42\n"),
        ("user.toml", "data_dir = 42\n"),
        ("site.toml", 'DATABASE_URL = "/srv/shouted.db"\n'),
        ("user.toml", 'Data_Dir = "/srv/mixed"\n'),
        ("user.toml", b"database_url = '\xff'\n"),
    ],
)
def test_a_config_the_light_resolver_is_not_sure_of_is_left_to_settings(place, file, text):
    path = place / file
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    with pytest.raises(PlainUnavailable):
        light_database_target()


def test_a_config_path_that_is_a_folder_is_left_to_settings(place):
    (place / "user.toml").mkdir()
    with pytest.raises(PlainUnavailable):
        light_database_target()
    with pytest.raises(ValidationError, match="a folder"):
        load_settings()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_config_is_left_to_settings(place):
    (place / "user.toml").write_text(_toml({"database_url": "/srv/user.db"}))
    (place / "user.toml").chmod(0)
    with pytest.raises(PlainUnavailable):
        light_database_target()


@pytest.mark.parametrize("name", ["regentra_database_url", "Regentra_Data_Dir"])
def test_an_environment_name_in_another_case_is_left_to_settings(place, monkeypatch, name):
    monkeypatch.setenv(name, "/srv/lower.db")
    with pytest.raises(PlainUnavailable):
        light_database_target()


def test_resolve_target_takes_each_setting_from_its_first_source():
    def default() -> Path:
        return Path("/default")

    assert resolve_target([], default) == "/default/regentra.db"
    assert resolve_target([{"data_dir": "/a"}, {"database_url": "/b.db"}], default) == "/b.db"
    assert resolve_target([{"database_url": ""}, {"database_url": "/b.db"}], default) == (
        "/default/regentra.db"
    )
    assert resolve_target([{}, {"data_dir": "rel"}], default) == "rel/regentra.db"
