"""Unsent replies and notes, kept on the technician's own disk until sent or discarded.

A draft hidden with Esc used to live only as long as the ticket screen: leaving the
ticket or quitting lost it. Drafts are the technician's, not the desk's (nobody
else should read a half-written answer, and no migration is needed), so they go
in a file of their own state folder (``$XDG_STATE_HOME/regentra/drafts`` or
``~/.local/state/regentra/drafts``), one file per technician per desk, mode 0600,
replaced atomically so a crash mid-write leaves the previous copy.

A reply draft keeps the ticket version it was started on: sending it checks that
version, so a ticket a colleague changed meanwhile is named before the reply goes.
The ticket screen reads and writes this store; the app asks it what is kept when
quitting.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from platformdirs import user_state_dir

from regentra_core import EventRow, Status

KINDS = ("reply", "note")


@dataclass(frozen=True, slots=True)
class Draft:
    """One unsent reply or note."""

    text: str
    version: int | None = None
    """The ticket's version when the draft began (the one checked when it is sent)."""
    started_at: datetime | None = None
    """When the draft began: what changed since then is what the sender is told."""
    then: Status | None = None
    """What the reply was set to do to the ticket (ctrl+t), for a reply."""

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "version": self.version,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "then": self.then.value if self.then else None,
        }

    @classmethod
    def of(cls, data: dict[str, Any]) -> Draft:
        started, then = data.get("started_at"), data.get("then")
        version = data.get("version")
        return cls(
            text=str(data.get("text", "")),
            version=version if isinstance(version, int) else None,
            started_at=datetime.fromisoformat(started) if isinstance(started, str) else None,
            then=Status(then) if isinstance(then, str) else None,
        )


def drafts_dir() -> Path:
    """The technician's own folder for drafts (never the shared desk's)."""
    return Path(user_state_dir("regentra")) / "drafts"


def desk_key(db_url: str) -> str:
    """A stable, file-name-safe name for a desk: the same desk on the next start maps
    to the same file; a password change in its URL does not move the drafts."""
    if db_url.startswith("sqlite:///") and not any(c in db_url for c in "?%@"):
        shown = db_url  # a file's URL has no password: SQLAlchemy would not change it
    else:
        from sqlalchemy.engine import make_url

        try:
            shown = make_url(db_url).render_as_string(hide_password=True)
        except Exception:  # a plain path, or anything SQLAlchemy will not parse
            shown = db_url
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


class DraftStore:
    """Drafts of one technician on one desk, by ticket number and kind."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_desk(cls, db_url: str, technician: str, folder: Path | None = None) -> DraftStore:
        safe_name = "".join(c if c.isalnum() or c in "-_." else "_" for c in technician)
        return cls((folder or drafts_dir()) / f"{desk_key(db_url)}-{safe_name}.json")

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # none yet, or unreadable: start afresh rather than refuse to work
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".drafts-", suffix=".tmp")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=1)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, number: int) -> dict[str, Draft]:
        """The drafts kept for ticket ``number``, by kind."""
        kept = self._read().get(str(number), {})
        return {
            kind: Draft.of(kept[kind])
            for kind in KINDS
            if isinstance(kept.get(kind), dict) and kept[kind].get("text", "").strip()
        }

    def put(self, number: int, kind: str, draft: Draft | None) -> None:
        """Keep ``draft`` (or forget the kind's draft: ``None`` or blank text)."""
        data = self._read()
        kept = data.get(str(number), {})
        if draft is None or not draft.text.strip():
            if kind not in kept:
                return
            kept.pop(kind)
        else:
            kept[kind] = draft.as_json()
        if kept:
            data[str(number)] = kept
        else:
            data.pop(str(number), None)
        if data or self.path.exists():
            self._write(data)

    def numbers(self) -> list[int]:
        """Tickets with a draft kept, in order."""
        return sorted(int(n) for n, kept in self._read().items() if n.isdigit() and kept)

    def discard_all(self) -> None:
        """Forget every draft (quitting with "discard them")."""
        self.path.unlink(missing_ok=True)


_DONE = {
    "resolved": "resolved",
    "closed": "closed",
    "reopened": "reopened",
    "customer_reply": "answered by the customer",
    "technician_reply": "answered",
    "reply_added": "answered",
    "note_added": "given a note",
    "assigned": "reassigned",
    "priority_changed": "reprioritised",
}


def _what(e: EventRow) -> str:
    if e.kind in _DONE:
        what = _DONE[e.kind]
    elif e.kind == "status_changed" and e.to_value:
        what = f"moved to {e.to_value.replace('_', ' ')}"
    else:
        what = f"changed ({e.kind.replace('_', ' ')})"
    if e.kind == "assigned" and e.to_value:
        what = f"assigned to {e.to_value}"
    return what


def change_line(e: EventRow) -> str:
    """One change made while a draft was written, as the history shows it."""
    return f"{e.at:%H:%M}  {e.actor}: {_what(e)}"


def stale_question(number: int, changes: list[EventRow]) -> str:
    """What the sender is told before a draft goes on a ticket changed meanwhile:
    the weightiest change (a status move above a note), who made it and when."""
    status_kinds = ("resolved", "closed", "reopened", "status_changed")
    moves = [e for e in changes if e.kind in status_kinds]
    e = (moves or changes)[-1]
    more = f" (and {len(changes) - 1} more change(s))" if len(changes) > 1 else ""
    return f"#{number} was {_what(e)} by {e.actor} at {e.at:%H:%M} while you wrote{more}"
