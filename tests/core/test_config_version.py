"""The change counters' cache key: what a process may keep the SLA book under."""

from __future__ import annotations

import pytest

from regentra_core.sla_book import SlaBook
from regentra_core.store import config_version
from regentra_core.store.models import BusinessCalendarRow, SlaPolicy
from tests.conftest import T0


def _policy(s, name: str) -> None:
    calendar = BusinessCalendarRow(name=name, always_open=True, created_at=T0)
    s.add(calendar)
    s.flush()
    s.add(SlaPolicy(name=name, calendar_id=calendar.id, created_at=T0))


def test_the_key_is_the_desk_and_its_counter_and_moves_with_a_change(db):
    with db.read() as s:
        desk_id, before = config_version.cache_key(s, config_version.SLA_BUMPED)
    with db.write() as s:
        _policy(s, "Gold")
    with db.read() as s:
        after = config_version.cache_key(s, config_version.SLA_BUMPED)
        assert after is not None and after[0] == desk_id and after[1] > before
        assert config_version.cache_key(s, config_version.RULES_BUMPED)[0] == desk_id


def test_a_session_with_an_unflushed_sla_change_gets_no_key(db):
    with pytest.raises(RuntimeError), db.write() as s:
        s.add(BusinessCalendarRow(name="Late", always_open=True, created_at=T0))
        # not flushed yet: the key's own read flushes it, which marks the bump
        assert config_version.cache_key(s, config_version.SLA_BUMPED) is None
        assert config_version.cache_key(s, config_version.RULES_BUMPED) is not None
        raise RuntimeError("the transaction fails")


def test_a_rolled_back_sla_change_leaves_no_cached_book_behind(db):
    with pytest.raises(RuntimeError), db.write() as s:
        _policy(s, "Ghost")
        assert "Ghost" in SlaBook.load(s).policy_ids  # seen inside, not kept
        raise RuntimeError("the transaction fails")
    with db.write() as s:
        _policy(s, "Real")  # the counter reaches the rolled-back value again
    with db.read() as s:
        book = SlaBook.load(s)
    assert "Real" in book.policy_ids
    assert "Ghost" not in book.policy_ids
