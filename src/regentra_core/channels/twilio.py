"""Twilio, the I/O: send a reply with ``messages.create``, read the inbound log with
``messages.list``, both through the real ``twilio`` client.

``api_base`` points the client at another host (a local stand-in in the tests);
everything else is Twilio's own request signing, paging and error handling.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from ..desk import Desk, Outgoing
from ..desk.channels import ChannelStep, ReceiveResult, Step
from ..errors import RegentraError, SmsSendFailed, TwilioError
from ..queries import channel_position
from .message import Inbound
from .report import PollReport
from .sms import sms_inbound

log = logging.getLogger("regentra.sms")

TIMEOUT_SECONDS = 20.0
FIRST_POLL_WINDOW = timedelta(days=1)
"""How far back the first poll of a desk reads (later polls start at the cursor)."""
POLL_OVERLAP = timedelta(minutes=10)
"""Read again this far before the cursor: Twilio's log may list a message late.
What was stored already is a duplicate by its SID and stores nothing."""
POLL_BATCH = 100


@dataclass(frozen=True, slots=True)
class TwilioSms:
    """The desk's Twilio number."""

    account_sid: str
    auth_token: str
    number: str
    api_base: str = "https://api.twilio.com"
    region: str = "US"

    def client(self) -> Client:
        client = Client(
            self.account_sid,
            self.auth_token,
            http_client=TwilioHttpClient(timeout=TIMEOUT_SECONDS),
        )
        client.api.base_url = self.api_base.rstrip("/")
        return client

    @property
    def cursor_name(self) -> str:
        return f"twilio:{self.number}"

    def send(self, out: Outgoing) -> None:
        """Send one reply or raise :class:`SmsSendFailed` (never anything else)."""
        client = self.client()
        try:
            if out.in_doubt and self._already_sent(client, out):
                return
            client.messages.create(to=out.recipient, from_=self.number, body=out.body)
        except TwilioRestException as exc:
            # 4xx other than 429 (a bad number, an opted-out customer) will not get better.
            permanent = 400 <= exc.status < 500 and exc.status != 429
            raise SmsSendFailed(f"Twilio refused it: {exc.msg}", permanent=permanent) from exc
        except requests.exceptions.ConnectionError as exc:
            raise SmsSendFailed(f"cannot reach Twilio: {exc}") from exc
        except requests.exceptions.Timeout as exc:
            raise SmsSendFailed(f"Twilio did not answer: {exc}", in_doubt=True) from exc
        except (TwilioException, requests.exceptions.RequestException) as exc:
            raise SmsSendFailed(f"Twilio: {exc}") from exc

    def _already_sent(self, client: Client, out: Outgoing) -> bool:
        """Whether an earlier attempt's message is in Twilio's log (to, from, text)."""
        sent = client.messages.list(to=out.recipient, from_=self.number, limit=200)
        return any((m.body or "").strip() == out.body.strip() for m in sent)

    def inbound_since(self, since: datetime) -> list[tuple[datetime, dict[str, str]]]:
        """Inbound messages to our number sent after ``since``, oldest first."""
        try:
            found = self.client().messages.list(
                to=self.number, date_sent_after=since, page_size=1000
            )
        except TwilioRestException as exc:
            raise TwilioError(f"Twilio refused the message list: {exc.msg}") from exc
        except (TwilioException, requests.exceptions.RequestException) as exc:
            raise TwilioError(f"cannot read Twilio's message log: {exc}") from exc
        out = []
        for m in found:
            if m.direction != "inbound" or m.date_sent is None:
                continue
            form = {"MessageSid": m.sid, "From": m.from_, "Body": m.body or ""}
            form["NumMedia"] = str(m.num_media or "0")
            out.append((m.date_sent, form))
        out.sort(key=lambda pair: (pair[0], pair[1]["MessageSid"]))
        return out


def poll(
    desk: Desk,
    twilio: TwilioSms,
    receive: Callable[[list[tuple[Inbound, Step | None]]], list[ReceiveResult]],
) -> PollReport:
    """Read Twilio's log past the cursor into the intake seam, a batch a transaction,
    the cursor moved in the same transaction (a crash stores both or neither)."""
    now = desk.clock()
    position = channel_position(desk.db, twilio.cursor_name)
    since = now - FIRST_POLL_WINDOW if position is None else position - POLL_OVERLAP
    messages = twilio.inbound_since(since)
    report = PollReport(unit="SMS")
    for start in range(0, len(messages), POLL_BATCH):
        items: list[tuple[Inbound, Step | None]] = []
        for sent_at, form in messages[start : start + POLL_BATCH]:
            try:
                inbound = sms_inbound(form, sent_at, twilio.region)
            except RegentraError as exc:
                log.warning("SMS %s skipped: %s", form.get("MessageSid"), exc)
                continue
            items.append((inbound, ChannelStep(twilio.cursor_name, sent_at)))
        for result in receive(items):
            report.add(result)
    return report
