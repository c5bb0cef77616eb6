"""The live refresh's feed: every change seen once, whatever order commits come in."""

from __future__ import annotations

from sqlmodel import select

from regentra_core.change_feed import GAP_PATIENCE, ChangeFeed
from regentra_core.store.models import Event


class Ticking:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _last_event(db) -> int:
    with db.read() as s:
        return max(e.id for e in s.exec(select(Event)).all())


def test_changes_after_the_last_seen_event_name_their_tickets(db, desk, new_ticket):
    first = new_ticket()
    feed = ChangeFeed(_last_event(db))
    assert feed.poll(db) is None
    second = new_ticket()
    desk.add_note(first.number, "looked at it")
    assert feed.poll(db) == {first.number, second.number}
    assert feed.poll(db) is None


def test_an_event_committed_after_a_newer_one_is_not_missed(db, desk, new_ticket):
    """On PostgreSQL a transaction holding id N may commit after one holding N+1;
    here the later commit is made by hand: the newer event first, then the older."""
    a, b = new_ticket(), new_ticket()
    clock = Ticking()
    feed = ChangeFeed(_last_event(db), clock=clock)
    desk.add_note(a.number, "older")
    desk.add_note(b.number, "newer")
    older = _last_event(db) - 1
    with db.write() as s:  # the older one is not committed yet: take it away
        row = s.get(Event, older)
        kept = row.model_dump()
        s.delete(row)
    assert feed.poll(db) == {b.number}
    assert older in feed.gaps
    with db.write() as s:  # now it commits
        s.add(Event(**kept))
    clock.now += 5
    assert feed.poll(db) == {a.number}
    assert not feed.gaps


def test_an_id_that_never_commits_is_let_go_after_a_while(db, desk, new_ticket):
    a = new_ticket()
    clock = Ticking()
    feed = ChangeFeed(_last_event(db), clock=clock)
    desk.add_note(a.number, "one")
    desk.add_note(a.number, "two")
    with db.write() as s:  # a rolled-back transaction's id: never seen
        s.delete(s.get(Event, _last_event(db) - 1))
    assert feed.poll(db) == {a.number} and len(feed.gaps) == 1
    clock.now += GAP_PATIENCE + 1
    assert feed.poll(db) is None and not feed.gaps
