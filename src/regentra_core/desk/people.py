"""People: registering technicians and mapping the OS account to one.

``add_technician`` is a use case over the transaction it runs in (``Desk`` lists
it); ``resolve_os_technician`` runs before any Desk exists, to say who it acts for.
"""

from __future__ import annotations

from sqlmodel import select

from ..enums import ActorKind, Role
from ..errors import IdentityError
from ..events import EventKind
from ..identity import Actor, os_display_name, os_username
from ..records import TechnicianRecord
from ..store.engine import Database
from ..store.models import Technician
from .moves import clean_text
from .tx import Tx


def add_technician(
    tx: Tx, username: str, display_name: str | None = None, role: Role = Role.TECHNICIAN
) -> TechnicianRecord:
    """Register (or reactivate) a technician; only a lead may do it."""
    username = clean_text(username, what="username", limit=64)
    tx.require_lead("register technicians")
    s = tx.session
    tech = s.exec(select(Technician).where(Technician.username == username)).first()
    if tech is None:
        tech = Technician(
            username=username,
            display_name=display_name or os_display_name(username),
            role=role,
            active=True,
            created_at=tx.now(),
        )
        s.add(tech)
        kind = EventKind.TECHNICIAN_ADDED
    else:
        tech.active = True
        tech.role = role
        if display_name:
            tech.display_name = display_name
        kind = EventKind.TECHNICIAN_UPDATED
    s.flush()
    tx.event(None, kind, to=username, detail=f"role {role.value}")
    return TechnicianRecord.of(tech)


def resolve_os_technician(db: Database, username: str | None = None) -> Actor:
    """Map the OS account (or ``username``, for tests) to an active Technician.

    Unknown or deactivated accounts are refused: on a shared host, an account that
    is not on the team must not be able to touch tickets.
    """
    name = username if username is not None else os_username()
    with db.read() as s:
        tech = s.exec(select(Technician).where(Technician.username == name)).first()
    if tech is None:
        with db.read() as s:
            anyone = s.exec(select(Technician.id).limit(1)).first()
        if anyone is None:
            raise IdentityError(
                "this desk has no technicians yet; run 'regentra init' to become its first lead"
            )
        raise IdentityError(
            f"the account {name!r} is not a Regentra technician; "
            f"ask a lead to run: regentra technician add {name}"
        )
    if not tech.active:
        raise IdentityError(f"the technician account {name!r} is deactivated")
    assert tech.id is not None
    return Actor(ActorKind.TECHNICIAN, tech.username, tech.id, tech.role)
