"""A burst of keys in the search box rests once, counted from the last key: the load
that follows one the burst superseded rests only what is left of the interval."""

from __future__ import annotations

import pytest

from regentra_tui import session as session_module
from regentra_tui.session import SEARCH_REST_SECONDS, rest_while_typing


class FakeTime:
    def __init__(self, now: float) -> None:
        self.now = now
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> FakeTime:
    fake = FakeTime(100.0)
    monkeypatch.setattr(session_module, "time", fake)
    return fake


def test_a_load_rests_until_the_interval_after_the_last_key(clock):
    assert rest_while_typing(clock.now, lambda: False)
    assert clock.slept == [pytest.approx(SEARCH_REST_SECONDS)]


def test_a_load_after_a_superseded_one_rests_only_what_is_left(clock):
    typed_at = clock.now - SEARCH_REST_SECONDS * 0.75  # the burst's last key, a while ago
    assert rest_while_typing(typed_at, lambda: False)
    assert clock.slept == [pytest.approx(SEARCH_REST_SECONDS * 0.25)]


def test_a_load_long_after_the_last_key_or_not_typed_does_not_rest(clock):
    assert rest_while_typing(clock.now - 5 * SEARCH_REST_SECONDS, lambda: False)
    assert rest_while_typing(None, lambda: False)
    assert clock.slept == []


def test_a_load_a_newer_one_superseded_while_it_rested_gives_up(clock):
    assert not rest_while_typing(clock.now, lambda: True)
