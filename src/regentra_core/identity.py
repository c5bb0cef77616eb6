"""Who is acting: the Unix account that runs this process.

On a shared support host the OS account is the identity; ``$USER`` or ``$LOGNAME``
can be set to anything, so they are never consulted. The real uid is looked up in
the password database.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass

from .enums import ActorKind, Role
from .errors import IdentityError


def os_username() -> str:
    """The login name of the process's real uid."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        raise IdentityError(f"uid {uid} has no entry in the password database") from None


def os_display_name(username: str) -> str:
    """The account's full name from the GECOS field, or the username."""
    try:
        gecos = pwd.getpwnam(username).pw_gecos.split(",")[0].strip()
    except KeyError:
        return username
    return gecos or username


@dataclass(frozen=True, slots=True)
class Actor:
    """Whoever makes a change, as the audit trail records it."""

    kind: ActorKind
    name: str
    technician_id: int | None = None
    role: Role | None = None

    @classmethod
    def system(cls, job: str) -> Actor:
        """A background job or intake channel acting on its own."""
        return cls(ActorKind.SYSTEM, f"system:{job}")

    @property
    def is_lead(self) -> bool:
        return self.role == Role.LEAD
