"""The seeded desk the scale benchmarks share: 100,000 tickets, 1,000,000 replies.

Built once straight into SQLite with bulk inserts (this measures reading a big desk,
not creating one) and kept in ``$BENCH_CACHE`` (default ``~/.cache/regentra-bench``)
so each benchmark starts from the same file; a run copies it first, since the app
and the worker write. Shaped like a desk a few years old: most tickets Resolved or
Closed over the past year, about 6% still being worked, 40 clients with contacts,
six technicians (the current Unix account a lead), the SLA policies of ``data/``,
and ticket ``LONG_TICKET`` with ``LONG_REPLIES`` replies, the newest ending in
``LONG_LAST_WORD``.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

TICKETS = int(os.environ.get("BENCH_TICKETS", "100000"))
REPLIES = int(os.environ.get("BENCH_REPLIES", "1000000"))
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
LONG_TICKET = 1000 + TICKETS // 2
LONG_REPLIES = 500
LONG_LAST_WORD = "quokkasignal"
"""A word only the long ticket's newest reply holds (to see it on screen)."""
RARE_WORD = "zanzibarprinter"
"""A word in 20 tickets' descriptions (a rare-word search)."""

_WORDS = (
    "printer toner scanner outlook mailbox password reset vpn gateway tunnel laptop "
    "monitor keyboard mouse dock firmware driver update reboot crash freeze slow disk "
    "backup restore server share folder permission license office teams calendar "
    "invite meeting phone voicemail wifi network switch router firewall certificate "
    "domain dns email bounce spam phishing virus malware ransomware account locked "
    "login mfa token sync onedrive sharepoint excel word pdf invoice payroll quickbooks "
    "the a to and of is it not on for my we our please can you this with since today"
).split()


def cache_dir() -> Path:
    return Path(os.environ.get("BENCH_CACHE", Path.home() / ".cache" / "regentra-bench"))


def seeded_desk() -> Path:
    """The seeded desk's file, built first if it is not there yet (a few minutes)."""
    path = cache_dir() / f"desk-{TICKETS}-{REPLIES}-v1.db"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        start = time.perf_counter()
        _build(partial)
        partial.rename(path)
        took = time.perf_counter() - start
        print(f"seeded {TICKETS:,} tickets, {REPLIES:,} replies in {took:.0f} s")
    from regentra_core.store import Database, upgrade

    db = Database(str(path))
    upgrade(db)  # a desk seeded by older code gets the new migrations once, here
    db.close()
    index = index_of(path)
    if not (index / "REGENTRA_SCHEMA").exists():
        from regentra_core.search import SearchIndex
        from regentra_core.search.engine import available_procs

        start = time.perf_counter()
        db = Database(str(path))
        SearchIndex(index, db, procs=available_procs()).rebuild()
        db.close()
        print(f"indexed the seeded desk in {time.perf_counter() - start:.0f} s")
    return path


def index_of(path: Path) -> Path:
    return path.with_name(path.name + ".index")


def copy_of_desk(where: Path) -> Path:
    """A fresh copy of the seeded desk and its search index at ``where`` (runs write
    to both)."""
    source = seeded_desk()
    shutil.copyfile(source, where)
    shutil.rmtree(index_of(where), ignore_errors=True)
    shutil.copytree(index_of(source), index_of(where))
    return where


def _text(rng: random.Random, n: int) -> str:
    # Zipf-like: common words often, rare ones rarely, as in real mail.
    return " ".join(_WORDS[min(int(rng.paretovariate(1.2)) - 1, len(_WORDS) - 1)] for _ in range(n))


def _build(path: Path) -> None:
    from sqlalchemy import insert

    from regentra_core.desk import Desk
    from regentra_core.enums import Channel, Priority, Role, Status
    from regentra_core.identity import Actor, os_username
    from regentra_core.seed import seed_sla
    from regentra_core.store import Database, upgrade
    from regentra_core.store.models import Client, Contact, Reply, Technician, Ticket

    rng = random.Random(20261125)
    db = Database(str(path))
    upgrade(db)
    system = Desk(db, Actor.system("bench"), source="bench", clock=lambda: NOW)
    seed_sla(system, Path(__file__).parents[1] / "data")
    me = os_username()
    with db.write() as s:
        s.execute(
            insert(Technician.__table__),  # type: ignore[attr-defined]
            [
                {
                    "username": name,
                    "display_name": name.title(),
                    "role": Role.LEAD.value,
                    "active": True,
                    "created_at": NOW,
                }
                for name in dict.fromkeys([me, "alice", "bob", "carol", "dave", "erin"])
            ],
        )
        s.execute(
            insert(Client.__table__),  # type: ignore[attr-defined]
            [
                {
                    "name": f"Client {i:02d}",
                    "vip": i % 10 == 0,
                    "domains": f"client{i:02d}.example",
                    "created_at": NOW,
                }
                for i in range(40)
            ],
        )
        s.execute(
            insert(Contact.__table__),  # type: ignore[attr-defined]
            [
                {
                    "name": f"Person {i}",
                    "email": f"person{i}@client{i % 40:02d}.example",
                    "client_id": i % 40 + 1,
                    "client_admin": False,
                    "created_at": NOW,
                }
                for i in range(2000)
            ],
        )
    working = [Status.OPEN, Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER, Status.ESCALATED]
    tickets = []
    for i in range(TICKETS):
        number = 1001 + i
        age = timedelta(minutes=int((TICKETS - i) / TICKETS * 60 * 24 * 365) + rng.randint(0, 600))
        created = NOW - age
        recent = age < timedelta(days=21)
        if recent and rng.random() < 0.9 or rng.random() < 0.01:
            status = rng.choice(working)
            updated = created + min(age, timedelta(hours=rng.randint(0, 48)))
        else:
            status = Status.CLOSED if rng.random() < 0.95 else Status.RESOLVED
            updated = created + timedelta(hours=rng.randint(1, 72))
        contact = rng.randint(1, 2000)
        description = _text(rng, 40)
        if i % (TICKETS // 20) == 7:
            description += f" {RARE_WORD}"
        tickets.append(
            {
                "number": number,
                "subject": _text(rng, 6).capitalize(),
                "description": description,
                "status": status.value,
                "priority": rng.choices(list(Priority), [30, 50, 15, 5])[0].value,
                "channel": rng.choice(list(Channel)).value,
                "client_id": (contact - 1) % 40 + 1,
                "contact_id": contact,
                "assignee_id": rng.choice([None, 1, 2, 3, 4, 5, 6]),
                "is_master": False,
                "version": 1,
                "created_at": created,
                "updated_at": min(updated, NOW),
                "resolved_at": min(updated, NOW) if status.is_done else None,
                "sla_pauses": "[]",
                "response_breached": False,
                "resolution_breached": False,
            }
        )
    with db.write() as s:
        s.execute(insert(Ticket.__table__), tickets)  # type: ignore[attr-defined]
    long_id = LONG_TICKET - 1000
    batch: list[dict[str, object]] = []

    def flush() -> None:
        with db.write() as s:
            s.execute(insert(Reply.__table__), batch)  # type: ignore[attr-defined]
        batch.clear()

    others = REPLIES - LONG_REPLIES
    for n in range(others):
        ticket_id = rng.randint(1, TICKETS)
        created = tickets[ticket_id - 1]["created_at"]
        assert isinstance(created, datetime)
        batch.append(
            {
                "ticket_id": ticket_id,
                "author_kind": "customer" if n % 2 else "technician",
                "author_name": "bench",
                "body": _text(rng, 25),
                "channel": Channel.EMAIL.value,
                "created_at": created + timedelta(minutes=n % 600),
                "unverified_sender": False,
            }
        )
        if len(batch) == 50_000:
            flush()
    start = NOW - timedelta(days=10)
    for n in range(LONG_REPLIES):
        last = n == LONG_REPLIES - 1
        batch.append(
            {
                "ticket_id": long_id,
                "author_kind": "customer" if n % 2 else "technician",
                "author_name": "bench",
                "body": _text(rng, 40) + (f" {LONG_LAST_WORD}" if last else ""),
                "channel": Channel.EMAIL.value,
                "created_at": start + timedelta(minutes=20 * n),
                "unverified_sender": False,
            }
        )
    flush()
    with db.write() as s:
        s.execute(
            Ticket.__table__.update()  # type: ignore[attr-defined]
            .where(Ticket.__table__.c.id == long_id)  # type: ignore[attr-defined]
            .values(
                status=Status.IN_PROGRESS.value,
                updated_at=NOW - timedelta(minutes=5),
                resolved_at=None,
                created_at=start - timedelta(hours=1),
            )
        )
    db.close()
