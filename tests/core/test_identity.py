"""Identity comes from the OS account of the process, never from the environment."""

from __future__ import annotations

import os
import pwd

import pytest

from regentra_core.desk import Desk, resolve_os_technician
from regentra_core.errors import IdentityError
from regentra_core.identity import os_username

NOBODY = pwd.getpwnam("nobody").pw_uid


def test_username_comes_from_the_real_uid_not_from_USER(monkeypatch):
    monkeypatch.setenv("USER", "alice")
    monkeypatch.setenv("LOGNAME", "alice")
    monkeypatch.setattr(os, "getuid", lambda: NOBODY)
    assert os_username() == "nobody"


def test_unknown_os_account_is_refused_with_a_clear_message(db, alice, monkeypatch):
    monkeypatch.setenv("USER", "alice")  # pretending must not help
    monkeypatch.setattr(os, "getuid", lambda: NOBODY)
    with pytest.raises(IdentityError) as info:
        Desk.for_os_user(db, source="test")
    assert "'nobody' is not a Regentra technician" in str(info.value)
    assert "regentra technician add nobody" in str(info.value)


def test_uid_without_a_password_entry_is_refused(monkeypatch):
    monkeypatch.setattr(os, "getuid", lambda: 4_000_000)
    with pytest.raises(IdentityError, match="no entry"):
        os_username()


def test_registered_account_maps_to_its_technician(db, alice):
    actor = resolve_os_technician(db, "alice")
    assert actor.technician_id == alice.technician_id and actor.is_lead


def test_deactivated_technician_is_refused(db, bob):
    from sqlmodel import select

    from regentra_core.store.models import Technician

    with db.write() as s:
        s.exec(select(Technician).where(Technician.username == "bob")).one().active = False
    with pytest.raises(IdentityError, match="deactivated"):
        resolve_os_technician(db, "bob")
