"""A real SMTP server on loopback (aiosmtpd) that keeps what it accepted."""

from __future__ import annotations

import socket
import ssl
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

SUPPORT = "help@desk.example"
"""The desk's own address in the mail tests."""


class Inbox(Message):
    """Keeps every message the server accepted, with its envelope recipients."""

    def __init__(self) -> None:
        super().__init__(message_class=EmailMessage)
        self.received: list[tuple[EmailMessage, list[str]]] = []

    def handle_message(self, message) -> None:
        rcpt = list(message["X-RcptTo"].split(", "))
        del message["X-RcptTo"], message["X-MailFrom"], message["X-Peer"]
        parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
        self.received.append((parsed, rcpt))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Smtp:
    """A real SMTP server on a loopback port that can be stopped and started."""

    def __init__(
        self, *, starttls: ssl.SSLContext | None = None, implicit_tls: ssl.SSLContext | None = None
    ) -> None:
        self.port = _free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None
        self.starttls = starttls
        """Offer STARTTLS with this context, and refuse mail without it."""
        self.implicit_tls = implicit_tls
        """Speak TLS from the first byte (port 465 style) with this context."""

    def start(self) -> None:
        options: dict[str, object] = {}
        if self.starttls is not None:
            options = {"tls_context": self.starttls, "require_starttls": True}
        if self.implicit_tls is not None:
            options = {"ssl_context": self.implicit_tls}
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
