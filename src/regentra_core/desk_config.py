"""The domain policies a desk's use cases apply, as the settings name them.

Built by the composition root (``Settings.desk_config``) and handed to every
``Desk`` it makes, which carries it on its ``Door`` (``tx.config`` in a use case):
the ticket-spike policy (when a burst of tickets raises LOW/MEDIUM ones to HIGH),
who the desk's mail is from (Message-ID domain, From name, portal links) and where
a technician's files are kept. Pure values, no I/O: a test builds one by hand. The
store holds none of it: a ``Database`` is only the connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .mail_identity import MailIdentity
from .spike import SpikePolicy

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
"""The size a file may have when the settings name none (``max_attachment_mb``'s
default): the common limit of mail servers, so what the desk keeps it can send."""


@dataclass(frozen=True, slots=True)
class Shelf:
    """Where this desk keeps a technician's files and how big one may be. Without a
    folder a file cannot be kept, and is refused."""

    folder: Path | None = None
    limit: int = MAX_ATTACHMENT_BYTES


@dataclass(frozen=True, slots=True)
class DeskConfig:
    """What a desk's use cases are configured with (the defaults: a desk with no
    settings, as the tests open one: no spike rule changes, mail from nobody in
    particular, no folder for files)."""

    spike: SpikePolicy = field(default_factory=SpikePolicy)
    mail: MailIdentity = field(default_factory=MailIdentity)
    shelf: Shelf = field(default_factory=Shelf)
