"""The one write path: every use case as one ``Desk`` method.

Each method runs in one write transaction (``BEGIN IMMEDIATE`` on SQLite), consults
the pure rules (``lifecycle``, ``priority``, ``hierarchy``, ``sla``) before it
changes anything, and appends at least one Event. The TUI, the CLI, the channels
and the worker all call these methods, so the same action behaves the same from
every door. Methods take ticket *numbers* (what people see), never row ids.

The use cases are grouped by subject into mixins (intake and channels, work,
links, people, clients, SLA, views, KB, AI); ``Desk`` is all of them.
"""

from __future__ import annotations

from ..clock import Clock, utcnow
from ..store.engine import Database
from ._base import clean_text
from .ai import AiCases
from .attachments import AttachmentCases, Upload
from .automations import AutomationCases, PeriodicReport
from .cc import CcCases
from .channels import ChannelCases, ChannelStep, CursorStep, ReceiveResult, Step
from .clients import ClientCases
from .contacts import ContactCases, MergeResult
from .delivery import DeliveryCases, Outgoing
from .intake import CustomerReplyResult
from .kb import KbCases
from .links import CascadeResult, LinkCases
from .people import PeopleCases, resolve_os_technician
from .portal import PortalCases
from .sla import SlaCases, SweepReport
from .spikes import SpikeMasterResult
from .time_entries import TimeEntryCases
from .views import ViewCases
from .work import WorkCases


class Desk(
    AutomationCases,
    AiCases,
    CcCases,
    AttachmentCases,
    ChannelCases,
    ClientCases,
    ContactCases,
    DeliveryCases,
    KbCases,
    WorkCases,
    LinkCases,
    PeopleCases,
    PortalCases,
    SlaCases,
    TimeEntryCases,
    ViewCases,
):
    """Use cases, each in one transaction with its audit Events.

    ``actor`` is whoever the interface acts for (usually the OS account's
    technician); ``source`` names the door (``cli``, ``tui``, ``email``,
    ``worker``...) and is stored on every Event.
    """

    @classmethod
    def for_os_user(cls, db: Database, *, source: str, clock: Clock = utcnow) -> Desk:
        """A Desk acting as the technician mapped to this process's OS account."""
        return cls(db, resolve_os_technician(db), source=source, clock=clock)


__all__ = [
    "AttachmentCases",
    "CascadeResult",
    "ContactCases",
    "MergeResult",
    "ChannelStep",
    "CursorStep",
    "Step",
    "CustomerReplyResult",
    "PeriodicReport",
    "SpikeMasterResult",
    "Desk",
    "Outgoing",
    "Upload",
    "ReceiveResult",
    "clean_text",
    "SweepReport",
    "resolve_os_technician",
]
