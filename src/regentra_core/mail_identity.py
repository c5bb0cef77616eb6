"""Who the desk's mail is from: its address, its name, its Message-ID domain, its portal.

Built once per process from the settings (``Settings.mail_identity``) and kept on the
``Database``, as the spike policy is, so every Desk that queues mail (a technician's
reply in the app or on the command line, intake's acknowledgement, a rule's
notification, a portal sign-in link) names the same domain in its Message-IDs and
the same portal in its acknowledgements, whichever process queued it.
"""

from __future__ import annotations

import functools
import socket
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MailIdentity:
    """The desk as its outgoing mail presents it."""

    address: str | None = None
    """``support_address``: replies go out from it."""
    name: str | None = None
    """``support_name``: the display name in From (``Acme MSP Support``)."""
    portal_url: str | None = None
    """``public_url`` when the customer portal is on (its key is set); else None."""

    @property
    def domain(self) -> str:
        """The right-hand side of our Message-IDs: the support address's domain.

        A Message-ID naming the host (``@vm``) told the world the support host's
        name and looked like nobody's mail; without a support address nothing can
        be sent yet, and the host's own domain name stands in.
        """
        if self.address:
            domain = self.address.rpartition("@")[2].strip().strip(".").lower()
            if domain and not any(c.isspace() or c in "<>@" for c in domain):
                return domain
        return host_domain()

    def ticket_url(self, number: int) -> str | None:
        """Where the customer sees ticket ``number`` in the portal (None: no portal)."""
        if not self.portal_url:
            return None
        return f"{self.portal_url.rstrip('/')}/tickets/{number}"


@functools.cache
def host_domain() -> str:
    """This host's fully qualified name when it has one, else ``localhost.localdomain``
    (asked once: ``getfqdn`` may ask the resolver)."""
    name = socket.getfqdn().strip(".").lower()
    if "." in name and not name.startswith("localhost"):
        return name
    return "localhost.localdomain"
