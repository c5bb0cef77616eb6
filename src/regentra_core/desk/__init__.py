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

from pathlib import Path

from ..attachments import MAX_ATTACHMENT_BYTES
from ..clock import Clock, utcnow
from ..store.engine import Database
from . import attachments, work
from ._base import clean_text
from .ai import AiCases
from .attachments import Upload
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
from .use_case import in_transaction
from .views import ViewCases


class Desk(
    AutomationCases,
    AiCases,
    CcCases,
    ChannelCases,
    ClientCases,
    ContactCases,
    DeliveryCases,
    KbCases,
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

    # -- working a ticket (desk/work.py)
    add_technician_reply = attachments.with_shelf(work.reply_with_files)
    add_note = in_transaction(work.add_note)
    log_time = in_transaction(work.log_time)
    change_status = in_transaction(work.change_status)
    reopen = in_transaction(work.reopen)
    change_priority = in_transaction(work.change_priority)
    escalate_priority = in_transaction(work.escalate_priority)
    assign = in_transaction(work.assign)
    # -- the timer jobs' traces (desk/work.py)
    run_auto_close = in_transaction(work.run_auto_close)
    record_worker_once = in_transaction(work.record_worker_once)
    # -- files (desk/attachments.py); the interfaces set the shelf on the Desk
    attach_files = attachments.with_shelf(attachments.attach_files)
    attachments_dir: Path | None = None
    """Where the desk keeps attachments (``Settings.attachments_dir()``); the
    interfaces set it. Unset: a technician's file cannot be kept, and is refused."""
    attachment_limit: int = MAX_ATTACHMENT_BYTES
    """``Settings.max_attachment_mb`` in bytes (``attachments.limit_bytes``)."""

    @classmethod
    def for_os_user(cls, db: Database, *, source: str, clock: Clock = utcnow) -> Desk:
        """A Desk acting as the technician mapped to this process's OS account."""
        return cls(db, resolve_os_technician(db), source=source, clock=clock)


__all__ = [
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
