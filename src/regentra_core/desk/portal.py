"""The customer portal's writes: sign-in links (tickets and replies from the portal go
through the intake seam like every channel's)."""

from __future__ import annotations

import socket
import uuid
from datetime import datetime, timedelta

from sqlmodel import select

from ..enums import Channel, DeliveryState
from ..errors import NoChange, NotFoundError, ValidationError
from ..events import EventKind
from ..records import ContactRecord
from ..store.models import Contact, OutboundMessage, PortalLogin
from ._base import DeskBase

SIGNIN_VALID = timedelta(minutes=30)


class PortalCases(DeskBase):
    """Signing customers in to the portal by a one-time link sent by email."""

    def request_portal_signin(self, email: str, token_hash: str, link: str) -> bool:
        """Queue a sign-in link for the contact with ``email``; False for an address
        that is no contact (the portal shows both the same page: no probing).

        Only the token's hash is stored; the link (with the token) goes out once, by
        the email outbox, so the worker's retries and in-doubt checks apply to it.
        """
        now = self.clock()
        address = email.strip().lower()
        with self._write() as s:
            contact = s.exec(select(Contact).where(Contact.email == address)).first()
            if contact is None or contact.id is None:
                self._event(s, None, EventKind.PORTAL_SIGNIN_UNKNOWN, to=address[:200] or None)
                return False
            s.add(
                PortalLogin(
                    token_hash=token_hash,
                    contact_id=contact.id,
                    expires_at=now + SIGNIN_VALID,
                    created_at=now,
                )
            )
            host = socket.gethostname() or "regentra"
            s.add(
                OutboundMessage(
                    ticket_id=None,
                    channel=Channel.EMAIL,
                    kind="signin",
                    recipient=address,
                    subject="Your sign-in link",
                    body=(
                        f"Hello {contact.name},\n\nsign in to see your tickets:\n\n{link}\n\n"
                        "The link works once, for 30 minutes. If you did not ask for it,\n"
                        "ignore this message.\n"
                    ),
                    message_id=f"<signin.{uuid.uuid4().hex}@{host}>",
                    state=DeliveryState.QUEUED,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            self._event(s, None, EventKind.PORTAL_SIGNIN_SENT, to=address)
            return True

    def set_portal_admin(self, email: str, admin: bool) -> ContactRecord:
        """Let the contact see every ticket of their client in the portal (or only
        their own again). Leads only: it shows customers each other's tickets."""
        self._require_lead("make a contact a client admin")
        address = email.strip().lower()
        with self._write() as s:
            contact = s.exec(select(Contact).where(Contact.email == address)).first()
            if contact is None:
                raise NotFoundError(f"no contact with the address {address!r}")
            if admin and contact.client_id is None:
                raise ValidationError(f"{address} belongs to no client")
            if contact.client_admin == admin:
                raise NoChange(f"{address} is {'already' if admin else 'not'} a client admin")
            contact.client_admin = admin
            self._event(
                s,
                None,
                EventKind.PORTAL_ADMIN,
                to="client admin" if admin else "own tickets",
                detail=address,
            )
        return ContactRecord.of(contact)

    def use_portal_signin(self, token_hash: str) -> int | None:
        """Spend a sign-in link: the contact's id, or None when it is unknown, used or
        expired. Marked used in the same transaction, so it signs in once."""
        now = self.clock()
        with self._write() as s:
            login = s.exec(
                select(PortalLogin).where(PortalLogin.token_hash == token_hash).with_for_update()
            ).first()
            if login is None or login.used_at is not None or _expired(login, now):
                self._event(
                    s, None, EventKind.PORTAL_SIGNIN_REFUSED, detail="unknown, used or expired"
                )
                return None
            login.used_at = now
            contact = s.get(Contact, login.contact_id)
            self._event(s, None, EventKind.PORTAL_SIGNED_IN, to=contact.email if contact else None)
            return login.contact_id


def _expired(login: PortalLogin, now: datetime) -> bool:
    return login.expires_at <= now


__all__ = ["SIGNIN_VALID", "PortalCases"]
