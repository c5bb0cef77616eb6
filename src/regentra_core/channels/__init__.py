"""Channels: every way a message reaches the desk, and the way replies leave it.

One way in for every channel::

    adapter: parse into an Inbound                                    [channels.<name>]
        email    mail.py (the parser), imap.py (the poll), the MTA pipe (mail import)
        SMS      sms.py (numbers, Twilio's form), twilio.py (the log poll, sending)
        chat     chat.py (the signed webhook's finished session)
        portal   the web service's ticket form builds its Inbound itself
      -> route: pure decision New | ReplyTo(n) | Drop(reason)          [channels.route]
      -> Desk.receive: one transaction: the inbound record (unique per
         channel + external id), the ticket or reply, the lifecycle outcome

and one way out: a technician's public reply queues an OutboundMessage in the same
transaction (what it says: ``channels.outbound``); the worker's job for that channel
sends what is due (``channels.delivery``) through its transport (``channels.smtp``
for mail, ``channels.twilio`` for SMS). Adapters parse and transport only; every
rule lives in ``route`` or the Desk.
"""

from .message import Attachment, Inbound
from .route import Drop, Facts, New, ReplyTo, route

__all__ = ["Attachment", "Drop", "Facts", "Inbound", "New", "ReplyTo", "route"]
