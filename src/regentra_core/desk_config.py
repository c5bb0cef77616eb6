"""The domain policies a desk's use cases apply, as the settings name them.

Built once by the composition root (``wiring.apply_settings`` from
``Settings.desk_config``) and handed to the desk: the ticket-spike policy (when a
burst of tickets raises LOW/MEDIUM ones to HIGH) and who the desk's mail is from
(Message-ID domain, From name, portal links). Pure values, no I/O: a test builds
one by hand.

Transition: the use cases still read these as ``db.spike`` and ``db.mail``, which
``Database`` answers from the ``DeskConfig`` the composition root gave it. Once
the Desk's ``Door`` carries a ``DeskConfig`` itself, the store holds no policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .mail_identity import MailIdentity
from .spike import SpikePolicy


@dataclass(frozen=True, slots=True)
class DeskConfig:
    """What a desk's use cases are configured with (the defaults: a desk with no
    settings, as the tests open one)."""

    spike: SpikePolicy = field(default_factory=SpikePolicy)
    mail: MailIdentity = field(default_factory=MailIdentity)
