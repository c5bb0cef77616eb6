"""Shared fixtures: a fresh migrated database per test, a settable clock, desks.

Every database a test opens is closed afterwards (as sqlite-utils' conftest does),
so no test leaks connections or file handles into the next.

The PostgreSQL pass: with ``REGENTRA_TEST_POSTGRES`` set to a server's URL (``./dev
test`` starts a throwaway cluster, ``tests/helpers/postgres.py``), every test that
opens its desk through ``db_path`` gets a fresh PostgreSQL database instead of a
SQLite file, copied from a migrated template (a ``CREATE DATABASE ... TEMPLATE``
takes milliseconds; migrating takes a second). Only those tests run in that pass,
less the ones marked ``sqlite_only`` (they are about SQLite itself: its file, its
locks, its WAL); ``empty_database`` gives a test an unmigrated database.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from regentra_core.desk import Desk
from regentra_core.desk_config import DeskConfig
from regentra_core.enums import ActorKind, Channel, Priority, Role
from regentra_core.identity import Actor
from regentra_core.records import TicketRecord
from regentra_core.spike import SpikePolicy
from regentra_core.store import Database, upgrade
from regentra_core.store.models import Client, Technician

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""A Monday morning, so tests read like a working week."""

NO_SPIKE = DeskConfig(spike=SpikePolicy(enabled=False))
"""A desk whose spike rule is off: for a test that opens many tickets at once about
something else (``@pytest.mark.parametrize("desk_config", [NO_SPIKE])``, or a
module's own ``desk_config`` fixture)."""


def with_config(desk: Desk, **changes: object) -> Desk:
    """``desk`` (same database, actor, door and clock) with some policies changed:
    ``with_config(desk, shelf=Shelf(folder))``."""
    from dataclasses import replace

    return Desk(
        desk.db,
        desk.actor,
        source=desk.source,
        clock=desk.clock,
        config=replace(desk.config, **changes),  # type: ignore[arg-type]
    )


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """Never let a test read the developer's config or data folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("REGENTRA_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))  # the app's reply drafts
    monkeypatch.setenv("REGENTRA_CONFIG", str(home / "no-config.toml"))
    monkeypatch.setenv("REGENTRA_SITE_CONFIG", str(home / "no-site-config.toml"))
    monkeypatch.delenv("REGENTRA_DATABASE_URL", raising=False)


@pytest.fixture(autouse=True)
def _restore_umask() -> Iterator[None]:
    """Opening a desk sets the process umask (077 for a private desk); in-process CLI
    tests would leak it into the next test, e.g. a Dovecot whose passwd-file its
    own auth process then cannot read."""
    before = os.umask(0o022)
    os.umask(before)
    yield
    os.umask(before)


POSTGRES = os.environ.get("REGENTRA_TEST_POSTGRES")
"""A PostgreSQL server's URL (its ``postgres`` database) for the PostgreSQL pass."""

SEARCH_ENGINES = ["whoosh", "postgresql"] if POSTGRES else ["whoosh"]
"""The ``search_engine`` settings a desk of this pass can use (PostgreSQL's own
search only on a PostgreSQL desk)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not POSTGRES:
        return
    keep, drop = [], []
    for item in items:
        on_postgres = "db_path" in getattr(item, "fixturenames", ())
        (keep if on_postgres and not item.get_closest_marker("sqlite_only") else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The run's last words (after pytest's own summary): which suites it left out
    and why, so a green local run is never mistaken for CI's (tests/helpers/skips.py)."""
    result = yield
    from tests.helpers.skips import report_run

    report_run(terminalreporter, config, postgres=bool(POSTGRES))
    return result


@pytest.fixture(scope="session")
def _postgres_template(worker_id: str) -> Iterator[str]:
    """A migrated database the PostgreSQL pass copies for each test (one per xdist
    worker, so two workers never copy one template at once)."""
    from sqlalchemy import create_engine, text

    name = f"regentra_template_{worker_id}"
    server = create_engine(POSTGRES or "", isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    template = Database(_database_url(name))
    upgrade(template)
    template.close()
    yield name
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def _database_url(name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(POSTGRES or "").set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def db_path(tmp_path, request) -> Iterator[str]:
    """Where the test's desk lives: a SQLite file, or in the PostgreSQL pass a fresh
    PostgreSQL database (dropped afterwards)."""
    if not POSTGRES or request.node.get_closest_marker("sqlite_only"):
        yield str(tmp_path / "desk.db")
        return
    from sqlalchemy import create_engine, text

    empty = request.node.get_closest_marker("empty_database") is not None
    template = "template0" if empty else request.getfixturevalue("_postgres_template")
    name = f"t_{os.getpid()}_{next(_DATABASES)}"
    server = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        if not empty:
            # A copy is another desk: its own id, as a fresh migration gives it (the
            # processes' caches of rules and SLA set-up are keyed by it).
            copy = create_engine(_database_url(name))
            with copy.begin() as conn:
                conn.execute(text("UPDATE desk_state SET desk_id = :id"), {"id": uuid.uuid4().hex})
            copy.dispose()
        yield _database_url(name)
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()


_DATABASES = itertools.count(1)


@pytest.fixture
def db(db_path) -> Iterator[Database]:
    database = Database(db_path)
    upgrade(database)
    yield database
    database.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _register(db: Database, username: str, role: Role) -> Actor:
    with db.write() as s:
        tech = Technician(
            username=username, display_name=username.title(), role=role, active=True, created_at=T0
        )
        s.add(tech)
        s.flush()
        assert tech.id is not None
        return Actor(ActorKind.TECHNICIAN, username, tech.id, role)


@pytest.fixture
def alice(db) -> Actor:
    """A lead technician."""
    return _register(db, "alice", Role.LEAD)


@pytest.fixture
def bob(db) -> Actor:
    """An ordinary technician."""
    return _register(db, "bob", Role.TECHNICIAN)


@pytest.fixture
def desk_config() -> DeskConfig:
    """The policies of the test's ``desk``: a desk's with no settings (a test or a
    module overrides this fixture for others)."""
    return DeskConfig()


@pytest.fixture
def desk(db, alice, clock, desk_config) -> Desk:
    """Alice's desk, on the test clock."""
    return Desk(db, alice, source="test", clock=clock, config=desk_config)


@pytest.fixture
def clients(db) -> dict[str, int]:
    with db.write() as s:
        acme = Client(name="Acme", vip=False, created_at=T0)
        vip = Client(name="Bigwig", vip=True, created_at=T0)
        s.add_all([acme, vip])
        s.flush()
        assert acme.id and vip.id
        return {"Acme": acme.id, "Bigwig": vip.id}


@pytest.fixture
def new_ticket(desk, clients) -> Callable[..., TicketRecord]:
    """Create a ticket through the Desk with sensible defaults."""

    def make(**overrides) -> TicketRecord:
        args = dict(
            subject="Printer offline",
            description="The printer on floor 2 is offline.",
            priority=Priority.MEDIUM,
            channel=Channel.EMAIL,
            contact_email="sam@acme.example",
            client_name="Acme",
        )
        args.update(overrides)
        return desk.create_ticket(**args)

    return make


@pytest.fixture
def smtp():
    """A real SMTP server on a loopback port (tests.helpers.smtp)."""
    from tests.helpers.smtp import Smtp

    server = Smtp()
    server.start()
    yield server
    server.stop()
