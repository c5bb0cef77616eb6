"""The email adapter's outbound half: one queued message, sent by SMTP.

Transport only: what to send was decided and stored when the reply was queued.
Every message carries our loop header (so a copy that comes back opens nothing)
and is Bcc'd to the support address: that copy coming back through the mailbox is
how a send that may or may not have happened is confirmed (see desk.delivery).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from typing import TYPE_CHECKING

from ..desk.delivery import Outgoing
from ..errors import SendFailed
from . import tls
from .outbound import deliverable
from .route import LOOP_HEADER

if TYPE_CHECKING:
    from ..queries.attachments import OutgoingFile

NO_VALID_ADDRESS = "not sent: no valid address"
"""What a reply to nobody says in its delivery state."""


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _attach(msg: EmailMessage, file: OutgoingFile) -> None:
    """One of the reply's files as a MIME part; a file gone from storage fails the
    send for good (the customer must not get "see attached" without it)."""
    try:
        data = file.location.read_bytes() if file.location else None
    except OSError:
        data = None
    if data is None:
        raise SendFailed(f"attachment {file.filename} is missing from storage", permanent=True)
    main, _, sub = file.content_type.partition("/")
    msg.add_attachment(
        data, maintype=main or "application", subtype=sub or "octet-stream", filename=file.filename
    )


@dataclass(frozen=True, slots=True)
class SmtpTransport:
    host: str
    port: int | None
    security: str
    sender: str
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0
    ca_file: str | None = None
    files: Callable[[int], Sequence[OutgoingFile]] | None = None
    """The files a queued message's reply carries (``queries.attachments.outbound_files``
    bound to the desk), sent as attachments."""
    sender_name: str | None = None
    """``support_name``: From reads ``Acme MSP Support <help@...>`` (RFC 2047 encoded
    when it is not ASCII)."""

    def compose(self, out: Outgoing) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self._from()
        msg["To"] = out.recipient
        if out.cc:
            msg["Cc"] = ", ".join(out.cc)
        msg["Subject"] = out.subject
        msg["Message-ID"] = out.message_id
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        if out.in_reply_to:
            msg["In-Reply-To"] = out.in_reply_to
        if out.references:
            msg["References"] = out.references
        msg[LOOP_HEADER] = self.sender
        if out.kind == "ack":
            msg["Auto-Submitted"] = "auto-replied"
            msg["X-Auto-Response-Suppress"] = "All"
        elif out.kind != "reply":
            msg["Auto-Submitted"] = "auto-generated"  # a sign-in link: no autoreplies
            msg["X-Auto-Response-Suppress"] = "All"
        msg.set_content(out.body)
        for file in self.files(out.id) if self.files else ():
            _attach(msg, file)
        return msg

    def send(self, out: Outgoing) -> None:
        """Send one message or raise :class:`SendFailed` (never anything else).

        Once the server has accepted the message, nothing after it (a dropped
        connection at QUIT) counts as a failure: that would send it twice. A
        recipient that is no address (the placeholder of mail whose sender could
        not be read) is refused for good before any connection: it used to be
        handed to the server and marked sent.
        """
        if not deliverable(out.recipient):
            raise SendFailed(NO_VALID_ADDRESS, permanent=True)
        msg = self.compose(out)
        smtp: smtplib.SMTP | None = None
        try:
            smtp = self._connect()
            if self.user:
                smtp.login(self.user, self.password or "")
            # Our own copy proves an in-doubt send went out; never for a sign-in
            # link, which would let whoever reads the support mailbox use it.
            copy = [] if out.kind == "signin" else [self.sender]
            to_addrs = [out.recipient, *out.cc, *copy]
            refused = smtp.send_message(msg, from_addr=self.sender, to_addrs=to_addrs)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise SendFailed(
                f"recipient refused: {exc.recipients}", permanent=all(c >= 500 for c in codes)
            ) from exc
        except ssl.SSLError as exc:
            raise SendFailed(tls.explain(exc, self.host)) from exc
        except smtplib.SMTPServerDisconnected as exc:
            raise SendFailed(f"{self.host} hung up mid-send: {exc}", in_doubt=True) from exc
        except smtplib.SMTPResponseException as exc:
            raise SendFailed(
                f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}",
                permanent=500 <= exc.smtp_code < 600,
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SendFailed(f"cannot send through {self.host}: {exc}") from exc
        finally:
            if smtp is not None:
                try:
                    smtp.quit()
                except (smtplib.SMTPException, OSError):
                    smtp.close()
        # A Cc the server refused does not fail the reply the customer got; the
        # customer's own address refused does.
        if out.recipient in refused:
            raise SendFailed(f"recipient refused: {refused[out.recipient]}")

    def _from(self) -> Address | str:
        """The support address, with ``support_name`` as its display name when set."""
        if not self.sender_name:
            return self.sender
        local, _, domain = self.sender.rpartition("@")
        return Address(display_name=self.sender_name, username=local, domain=domain)

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(
                self.host,
                self.port or 465,
                timeout=self.timeout,
                context=tls.client_context(self.ca_file),
            )
        smtp = smtplib.SMTP(
            self.host,
            self.port or (587 if self.security == "starttls" else 25),
            timeout=self.timeout,
        )
        if self.security == "starttls":
            smtp.starttls(context=tls.client_context(self.ca_file))
        return smtp
