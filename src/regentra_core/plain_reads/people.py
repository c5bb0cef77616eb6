"""Who the app acts as and the small lists its first screen offers, in plain SQL,
answering as ``resolve_os_technician``, ``queries.technicians``/``clients`` and
``views.saved_views`` do (the app paints before the ORM is imported)."""

from __future__ import annotations

from ..enums import ActorKind, Role
from ..errors import PlainUnavailable
from ..identity import Actor
from ..views import View, views_of
from .connection import PlainDesk
from .values import json_text


def plain_actor(desk: PlainDesk, username: str) -> Actor:
    """``username`` as the active technician it is (``open_plain`` checked it is one)."""
    found = desk.rows(
        "SELECT id, username, role FROM technician WHERE username = ? AND active = ?",
        (username, True),
    )
    if not found:
        raise PlainUnavailable(f"{username!r} is not an active technician here")
    ((technician_id, name, role),) = found
    return Actor(ActorKind.TECHNICIAN, name, technician_id, Role(role))


def plain_technicians(desk: PlainDesk) -> list[str]:
    """The active technicians' usernames, in order."""
    return [
        name
        for (name,) in desk.rows(
            "SELECT username FROM technician WHERE active = ? ORDER BY username", (True,)
        )
    ]


def plain_clients(desk: PlainDesk) -> list[str]:
    """Every client's name, in order."""
    return [name for (name,) in desk.rows("SELECT name FROM client ORDER BY name")]


def plain_saved_views(desk: PlainDesk, technician_id: int, username: str) -> list[View]:
    """The technician's tabs: the defaults, replaced or extended by saved views."""
    rows = desk.rows(
        "SELECT name, filter_json, active FROM saved_view WHERE technician_id = ? "
        "ORDER BY position, id",
        (technician_id,),
    )
    return views_of(username, [(name, json_text(text), bool(on)) for name, text, on in rows])
