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
            from regentra_core.queries import _get_row

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
