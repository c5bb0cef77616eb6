"""Process bodies for the concurrency tests (importable, so 'spawn' can run them)."""

from __future__ import annotations

import traceback
from typing import Any

from regentra_core.desk import Desk, resolve_os_technician
from regentra_core.enums import Status
from regentra_core.errors import ConflictError
from regentra_core.store import Database


def race_same_ticket(path: str, number: int, target: str, barrier: Any, out: Any) -> None:
    """Load the ticket's version, wait for the rival, then write against that version."""
    db = Database(path)
    try:
        desk = Desk(db, resolve_os_technician(db, "alice"), source="test")
        with db.read() as s:
            from regentra_core.queries.tickets import _get_row

            version = _get_row(s, number).version
        barrier.wait(timeout=30)
        try:
            desk.change_status(number, Status.parse(target), expected_version=version)
            out.put(("won", target))
        except ConflictError as exc:
            out.put(("conflict", str(exc)))
    except Exception:
        out.put(("error", traceback.format_exc()))
    finally:
        db.close()


def many_writes(path: str, number: int, count: int, barrier: Any, out: Any) -> None:
    """Read-then-write ``count`` times on one ticket, as fast as possible."""
    db = Database(path)
    done = 0
    try:
        desk = Desk(db, resolve_os_technician(db, "alice"), source="test")
        barrier.wait(timeout=30)
        for i in range(count):
            desk.add_note(number, f"note {i} from process on #{number}")
            done += 1
        out.put(("ok", number, done))
    except Exception:
        out.put(("error", number, traceback.format_exc()))
    finally:
        db.close()


MIXED_ADDRESSES = ("pat@newco.example", "sam@newco.example", "kim@other.example")
"""New customers every process writes as at once: one contact each must come out."""


def mixed_writes(
    path: str, process: int, count: int, shared: list[int], barrier: Any, out: Any
) -> None:
    """``count`` writes of five kinds, round robin: a ticket typed in (for a new
    customer the other processes also write for), an email received (new Message-ID,
    the same customers), a note and a time entry on the tickets every process shares,
    a priority change there. A write that lost a race (``RaceLost``) is done again,
    as a technician would; anything else is an error."""
    from datetime import UTC, datetime

    from regentra_core.channels import Inbound
    from regentra_core.enums import Channel, Priority
    from regentra_core.errors import NoChange, RaceLost

    db = Database(path)
    done: dict[str, int] = {}
    retried = 0
    try:
        desk = Desk(db, resolve_os_technician(db, "alice"), source="test")
        barrier.wait(timeout=60)
        for i in range(count):
            kind = ("typed", "mailed", "note", "time", "priority")[i % 5]
            address = MIXED_ADDRESSES[(process + i) % len(MIXED_ADDRESSES)]
            number = shared[(process + i) % len(shared)]
            for _attempt in range(20):
                try:
                    if kind == "typed":
                        desk.create_ticket(
                            subject=f"typed {process}.{i}",
                            description="",
                            priority=Priority.LOW,
                            channel=Channel.PORTAL,
                            contact_email=address,
                        )
                    elif kind == "mailed":
                        desk.receive(
                            Inbound(
                                Channel.EMAIL,
                                f"<m{process}.{i}@newco.example>",
                                address,
                                datetime.now(UTC),
                                subject=f"mailed {process}.{i}",
                                body="help",
                            ),
                            rate_limit=10**6,  # a flood guard, not what this tests
                        )
                    elif kind == "note":
                        desk.add_note(number, f"note {process}.{i}")
                    elif kind == "time":
                        desk.log_time(number, 1)
                    else:
                        high = (i // 5) % 2 == 0
                        try:
                            desk.change_priority(number, Priority.HIGH if high else Priority.LOW)
                        except NoChange:
                            kind = "unchanged"  # another process set it just before
                    break
                except RaceLost:
                    retried += 1
            else:
                raise RuntimeError(f"{kind} lost 20 races in a row")
            done[kind] = done.get(kind, 0) + 1
        out.put(("ok", process, done, retried))
    except Exception:
        out.put(("error", process, traceback.format_exc(), retried))
    finally:
        db.close()
