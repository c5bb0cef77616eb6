"""The IMAP poll: read new mail from a folder, store each message, then mark it.

The order is the whole point (FreeScout lost most of a mailbox by marking mail
read before its tickets existed, their issue #4888):

1. fetch with ``BODY.PEEK[]``, which leaves ``\\Seen`` alone;
2. ``Desk.receive`` stores the message *and* moves the folder's cursor (UIDVALIDITY,
   last UID) in one transaction;
3. only then flag it ``\\Seen`` (or move it to the processed folder).

A crash before 2 leaves the cursor behind: the message is fetched again and stored
once. A crash between 2 and 3 leaves it unflagged but behind the cursor: it is not
fetched again, and nothing is lost. A new UIDVALIDITY (the folder was rebuilt)
rescans the folder; every message already stored is a duplicate by Message-ID.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from sqlmodel import select

from ..desk import CursorStep, Desk, ReceiveResult, Step
from ..errors import MailboxError, RegentraError
from ..store.models import MailCursor
from . import tls
from .mail import parse_mail
from .message import Inbound
from .report import PollReport

SEEN = b"\\Seen"
FETCH_BATCH = 100
FIRST_BATCH = 20
"""The first batch of a poll is small, so the first tickets (and the indexer behind
them) start a third of a second sooner after a burst arrives."""
IDLE_RENEW_SECONDS = 600.0
"""RFC 2177: a server may drop an IDLE after 30 minutes; renew well before."""
WATCH_RETRY_SECONDS = 30.0

log = logging.getLogger("regentra.mail")


@dataclass(frozen=True, slots=True)
class ImapMailbox:
    host: str
    port: int | None
    security: str
    user: str
    password: str
    folder: str = "INBOX"
    processed_folder: str | None = None
    timeout: float = 30.0
    ca_file: str | None = None

    def connect(self) -> IMAPClient:
        """A logged-in client; TLS (implicit or STARTTLS) is verified, a login is never
        sent in the clear unless the settings say ``none`` (loopback)."""
        try:
            if self.security == "ssl":
                client = IMAPClient(
                    self.host,
                    port=self.port or 993,
                    ssl=True,
                    ssl_context=tls.client_context(self.ca_file),
                    timeout=self.timeout,
                )
            else:
                client = IMAPClient(
                    self.host, port=self.port or 143, ssl=False, timeout=self.timeout
                )
                if self.security == "starttls":
                    client.starttls(tls.client_context(self.ca_file))
        except ssl.SSLError as exc:
            raise MailboxError(tls.explain(exc, self.host)) from exc
        client.login(self.user, self.password)
        return client


def poll(
    desk: Desk,
    mailbox: ImapMailbox,
    receive: Callable[[list[tuple[Inbound, Step | None]]], list[ReceiveResult]],
    parse: Callable[[bytes], Inbound] | None = None,
    *,
    limit: int | None = None,
) -> PollReport:
    """One pass over the folder: every message past the cursor, in UID order.

    Each fetched batch is stored in one transaction with the cursor at its last
    message, then flagged: a crash loses no message and stores none twice.
    """
    parse = parse or (lambda raw: parse_mail(raw, received_at=desk.clock()))
    report = PollReport(nothing="no new mail")
    try:
        with mailbox.connect() as client:
            info = client.select_folder(mailbox.folder)
            uidvalidity = int(info[b"UIDVALIDITY"])
            last = _last_uid(desk, mailbox.folder, uidvalidity)
            uids = sorted(u for u in client.search(["UID", f"{last + 1}:*"]) if u > last)
            if limit is not None:
                uids = uids[:limit]
            start, size = 0, FIRST_BATCH
            while start < len(uids):
                batch = uids[start : start + size]
                start, size = start + size, FETCH_BATCH
                fetched: dict[int, Any] = client.fetch(batch, ["BODY.PEEK[]"])
                items: list[tuple[Inbound, Step | None]] = []
                stored: list[int] = []
                for uid in batch:
                    raw = fetched.get(uid, {}).get(b"BODY[]")
                    if raw is None:
                        continue  # expunged between search and fetch
                    items.append((parse(bytes(raw)), CursorStep(mailbox.folder, uidvalidity, uid)))
                    stored.append(uid)
                for result in receive(items):
                    report.add(result)
                if stored:
                    _mark(client, mailbox, stored)
    except (IMAPClientError, OSError) as exc:
        raise MailboxError(f"cannot read {mailbox.folder} on {mailbox.host}: {exc}") from exc
    return report


def _last_uid(desk: Desk, folder: str, uidvalidity: int) -> int:
    with desk.db.read() as s:
        row = s.exec(select(MailCursor).where(MailCursor.folder == folder)).first()
    if row is None or row.uidvalidity != uidvalidity:
        return 0
    return int(row.last_uid)


def _mark(client: IMAPClient, mailbox: ImapMailbox, uids: list[int]) -> None:
    """After the messages are committed: move them out of the way, or flag them read."""
    target = mailbox.processed_folder
    if not target:
        client.add_flags(uids, [SEEN])
        return
    if not client.folder_exists(target):
        client.create_folder(target)
    if client.has_capability("MOVE"):
        client.move(uids, target)
        return
    client.copy(uids, target)
    client.delete_messages(uids)
    if client.has_capability("UIDPLUS"):
        client.uid_expunge(uids)
    else:
        client.expunge()


def watch(
    mailbox: ImapMailbox,
    wake: Callable[[], None],
    stop: threading.Event,
    *,
    retry_seconds: float = WATCH_RETRY_SECONDS,
) -> None:
    """Call ``wake`` whenever mail arrives in the folder, until ``stop`` is set.

    IMAP IDLE (RFC 2177) on a connection of its own: new mail becomes a ticket in
    about a second instead of at the next scheduled poll. It only ever wakes the
    poll, which stays the one path that reads and stores mail (with its cursor
    and ordering); the timer stays as the fallback for a server without IDLE or a
    watch that lost its connection.
    """
    while not stop.is_set():
        try:
            with mailbox.connect() as client:
                if not client.has_capability("IDLE"):
                    log.info("%s has no IMAP IDLE: mail is polled on the timer", mailbox.host)
                    return
                client.select_folder(mailbox.folder, readonly=True)
                wake()  # whatever came while nobody was watching
                while not stop.is_set():
                    if _idle_until_change(client, stop):
                        wake()
        except (IMAPClientError, OSError, RegentraError) as exc:
            log.warning(
                "watching %s on %s: %s; trying again in %.0f s",
                mailbox.folder,
                mailbox.host,
                exc,
                retry_seconds,
            )
            stop.wait(retry_seconds)


def _idle_until_change(client: IMAPClient, stop: threading.Event) -> bool:
    """One IDLE, ended by new mail, ``stop`` or the renewal time; True on new mail."""
    client.idle()
    deadline = time.monotonic() + IDLE_RENEW_SECONDS
    changed = False
    try:
        while not changed and not stop.is_set() and time.monotonic() < deadline:
            # A second at a time, so stopping the daemon is never kept waiting.
            responses = client.idle_check(timeout=1)
            changed = any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)
    finally:
        client.idle_done()
    return changed
