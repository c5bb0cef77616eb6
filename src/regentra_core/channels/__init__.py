"""Channels: every way a message reaches the desk, and the way replies leave it.

One way in for every channel::

    adapter (email, later SMS, portal, chat): parse into an Inbound   [channels.<name>]
      -> route: pure decision New | ReplyTo(n) | Drop(reason)          [channels.route]
      -> Desk.receive: one transaction: the inbound record (unique per
         channel + external id), the ticket or reply, the lifecycle outcome

and one way out: a technician's public reply queues an OutboundMessage in the same
transaction; the worker's job for that channel sends it (``channels.outbox``).
Adapters parse and transport only; every rule lives in ``route`` or the Desk.
"""

from .message import Attachment, Inbound
from .route import Drop, Facts, New, ReplyTo, route

__all__ = ["Attachment", "Drop", "Facts", "Inbound", "New", "ReplyTo", "route"]
