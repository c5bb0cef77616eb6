"""Shared and private desks: file modes come from the desk, never from the umask."""

from __future__ import annotations

import grp
import os
import stat
import subprocess
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from regentra_core.clock import utcnow
from regentra_core.config import load_settings, write_site_config
from regentra_core.doctor import examine
from regentra_core.errors import ValidationError
from regentra_core.sharing import desk_dir, make_shared_dir
from regentra_core.store import Database, upgrade
from regentra_core.worker.lease import acquire_or_renew, holder_id
from tests.cli.conftest import REGENTRA


def _modes(folder: Path) -> dict[str, int]:
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root, name)
            found[str(path.relative_to(folder))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def _regentra(umask: int, *args: str) -> None:
    subprocess.run(
        ["sh", "-c", f'umask {umask:03o} && exec "$0" "$@"', REGENTRA, *args],
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_a_private_desk_is_the_owners_alone_whatever_the_umask(tmp_path, umask):
    folder = tmp_path / "mine"
    db = folder / "desk.db"
    _regentra(umask, "--db", str(db), "init")
    _regentra(umask, "--db", str(db), "ticket", "create", "-s", "x", "--contact", "a@x.example")
    _regentra(umask, "--db", str(db), "worker", "--once")
    modes = _modes(folder)
    assert "desk.db" in modes and any(k.startswith("desk.db.index/") for k in modes)
    leaks = {name: oct(mode) for name, mode in modes.items() if mode & 0o077}
    assert not leaks
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_a_shared_desk_is_group_read_write_and_never_world_readable(tmp_path, umask):
    group = grp.getgrgid(os.getegid()).gr_name
    folder = tmp_path / "shared"
    make_shared_dir(folder, group)
    db = folder / "desk.db"
    _regentra(umask, "--db", str(db), "init")
    _regentra(umask, "--db", str(db), "ticket", "create", "-s", "x", "--contact", "a@x.example")
    _regentra(umask, "--db", str(db), "worker", "--once")
    modes = _modes(folder)
    for name, mode in modes.items():
        path = folder / name
        assert not mode & 0o007, f"{name} {oct(mode)}"
        if path.is_dir():
            assert mode == 0o2770, f"{name} {oct(mode)}"
        else:
            assert mode & 0o660 == 0o660, f"{name} {oct(mode)}"
    assert desk_dir(folder).shared


def test_init_shared_refuses_an_unknown_group(tmp_path):
    with pytest.raises(ValidationError, match="no Unix group named"):
        make_shared_dir(tmp_path / "x", "no-such-group-here")


def test_the_host_config_is_read_first_and_yours_wins(tmp_path, monkeypatch):
    site, mine = tmp_path / "site.toml", tmp_path / "mine.toml"
    site.write_text('database_url = "/srv/regentra/desk.db"\nworker_lease_seconds = 30\n')
    mine.write_text("worker_lease_seconds = 20\n")
    monkeypatch.setenv("REGENTRA_SITE_CONFIG", str(site))
    monkeypatch.setenv("REGENTRA_CONFIG", str(mine))
    settings = load_settings()
    assert settings.database_url == "/srv/regentra/desk.db"
    assert settings.worker_lease_seconds == 20


def test_site_config_keeps_other_keys_and_never_takes_a_secret(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('worker_lease_seconds = 20\ndata_dir = "/old"\n')
    write_site_config(path, {"data_dir": "/srv/regentra", "shared_group": "help desk"})
    written = tomllib.loads(path.read_text())
    assert written == {
        "worker_lease_seconds": 20,
        "data_dir": "/srv/regentra",
        "shared_group": "help desk",
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    with pytest.raises(ValidationError, match="secrets do not belong"):
        write_site_config(path, {"imap_password": "hunter2"})


def test_secrets_come_from_files_and_show_only_as_set(tmp_path, monkeypatch):
    secret = tmp_path / "imap"
    secret.write_text("s3cret\n")
    secret.chmod(0o600)
    monkeypatch.setenv("REGENTRA_IMAP_PASSWORD_FILE", str(secret))
    settings = load_settings()
    assert settings.secret("imap_password") == "s3cret"
    assert settings.secret("smtp_password") is None
    assert "s3cret" not in repr(settings)


# -- doctor, as the owner (root in CI sees every file, so faults are planted by mode) --


@pytest.fixture
def shared_desk(tmp_path, monkeypatch) -> Path:
    group = grp.getgrgid(os.getegid()).gr_name
    folder = tmp_path / "desk"
    make_shared_dir(folder, group)
    db = Database(str(folder / "desk.db"))
    upgrade(db)
    acquire_or_renew(db, holder_id("worker"), 15)  # by the database's clock, as a worker does
    db.close()
    return folder / "desk.db"


def _problems(db: Path) -> list[str]:
    settings = load_settings()
    return [f.problem for f in examine(settings, str(db), utcnow()).findings]


def test_doctor_is_silent_on_a_healthy_shared_desk(shared_desk):
    Path(f"{shared_desk}.index").mkdir(mode=0o770)
    from regentra_core.search import SearchIndex

    db = Database(str(shared_desk))
    SearchIndex(Path(f"{shared_desk}.index"), db).rebuild()
    db.close()
    assert _problems(shared_desk) == []


def test_doctor_finds_a_world_readable_file_and_a_wal_the_group_cannot_write(shared_desk):
    shared_desk.chmod(0o644)
    wal = Path(f"{shared_desk}-wal")
    wal.write_bytes(b"")
    wal.chmod(0o600)
    problems = _problems(shared_desk)
    assert any(f"{shared_desk} can be read by every account" in p for p in problems)
    assert any("the SQLite -wal file" in p and "not writable by the group" in p for p in problems)


def test_doctor_finds_a_stopped_and_a_skewed_worker(shared_desk):
    db = Database(str(shared_desk))
    acquire_or_renew(db, holder_id("worker"), 15, utcnow() - timedelta(hours=1))
    db.close()
    assert any("no worker holds the lease" in p for p in _problems(shared_desk))
    db = Database(str(shared_desk))
    acquire_or_renew(db, holder_id("worker"), 15, utcnow() + timedelta(days=2))
    db.close()
    assert any("clock is ahead" in p for p in _problems(shared_desk))


def test_doctor_finds_a_secret_file_others_can_read(shared_desk, tmp_path, monkeypatch):
    secret = tmp_path / "token"
    secret.write_text("t")
    secret.chmod(0o644)
    monkeypatch.setenv("REGENTRA_TWILIO_AUTH_TOKEN_FILE", str(secret))
    assert any(f"the secret in {secret}" in p for p in _problems(shared_desk))


def test_doctor_says_when_there_is_no_desk(tmp_path):
    assert _problems(tmp_path / "nope.db") == [f"there is no desk at {tmp_path / 'nope.db'}"]


def test_bidi_overrides_and_c1_controls_are_shown_escaped():
    from regentra_core.text import json_safe, literal

    assert literal("a\u202eb\u2066c\x9bd") == "a\\u202eb\\u2066c\\x9bd"
    assert json_safe('"a\u202eb\x85"') == '"a\\u202eb\\u0085"'
