"""A local stand-in for the parts of Twilio's REST API Regentra uses.

The real ``twilio`` client talks to it (``twilio_api_base``), so the tests exercise
the library's own request building, authentication, paging and error mapping.
What it speaks (Twilio API 2010-04-01, JSON):

- ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with form fields ``To``,
  ``From``, ``Body``: 201 and the message resource (``sid`` ``SM...``,
  ``direction`` ``outbound-api``, ``status`` ``queued``, RFC 2822 dates, as Twilio
  returns them); 400 with Twilio's error body (code 21211) for a ``To`` that is
  not ``+`` and digits; ``fail_next`` makes the next create answer 500.
- ``GET /2010-04-01/Accounts/{AccountSid}/Messages.json`` with the filters ``To``,
  ``From``, ``DateSent>`` and ``PageSize``: the newest first, paged by
  ``next_page_uri`` as Twilio pages.
- HTTP Basic authentication with the account SID and auth token; anything else 401.

``inbound(...)`` puts a customer's message into the log (as Twilio does when one
arrives) and returns its SID.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

SID = "AC" + "0" * 31 + "1"
TOKEN = "standin-auth-token"
NUMBER = "+15550100000"


class TwilioStandIn:
    def __init__(self, account_sid: str = SID, auth_token: str = TOKEN) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.messages: list[dict[str, Any]] = []
        self.fail_next = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> TwilioStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def inbound(
        self, sender: str, body: str, *, to: str = NUMBER, at: datetime | None = None
    ) -> str:
        return self._add(sender, to, body, "inbound", "received", at)["sid"]

    def sent(self) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self.messages if m["direction"] == "outbound-api"]

    def _add(
        self, sender: str, to: str, body: str, direction: str, status: str, at: datetime | None
    ) -> dict[str, Any]:
        when = (at or datetime.now(UTC)).astimezone(UTC)
        message = {
            "sid": "SM" + uuid.uuid4().hex,
            "account_sid": self.account_sid,
            "from": sender,
            "to": to,
            "body": body,
            "direction": direction,
            "status": status,
            "num_media": "0",
            "num_segments": "1",
            "date_created": format_datetime(when),
            "date_updated": format_datetime(when),
            "date_sent": format_datetime(when),
            "_at": when,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/x.json",
        }
        with self._lock:
            self.messages.append(message)
        return message

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self
        path = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages\.json$")

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload, default=str).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                expected = base64.b64encode(
                    f"{standin.account_sid}:{standin.auth_token}".encode()
                ).decode()
                if self.headers.get("Authorization") == f"Basic {expected}":
                    return True
                self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
                return False

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                if not path.match(urlsplit(self.path).path) or not self._authorised():
                    return
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if standin.fail_next:
                    standin.fail_next -= 1
                    self._answer(500, {"code": 20500, "message": "Internal error", "status": 500})
                    return
                to = form.get("To", "")
                if not re.fullmatch(r"\+\d{6,15}", to):
                    self._answer(
                        400,
                        {
                            "code": 21211,
                            "message": f"The 'To' number {to} is not valid.",
                            "status": 400,
                        },
                    )
                    return
                message = standin._add(
                    form.get("From", ""), to, form.get("Body", ""), "outbound-api", "queued", None
                )
                self._answer(201, {k: v for k, v in message.items() if not k.startswith("_")})

            def do_GET(self) -> None:  # noqa: N802
                url = urlsplit(self.path)
                if not path.match(url.path) or not self._authorised():
                    return
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                after = query.get("DateSent>")
                since = datetime.fromisoformat(after.replace("Z", "+00:00")) if after else None
                with standin._lock:
                    found = [
                        m
                        for m in standin.messages
                        if ("To" not in query or m["to"] == query["To"])
                        and ("From" not in query or m["from"] == query["From"])
                        and (since is None or m["_at"] >= since)
                    ]
                found.sort(key=lambda m: m["_at"], reverse=True)
                size = int(query.get("PageSize", 50))
                page = int(query.get("Page", 0))
                chunk = found[page * size : (page + 1) * size]
                more = (page + 1) * size < len(found)
                next_uri = None
                if more:
                    rest = {**query, "Page": str(page + 1)}
                    next_uri = url.path + "?" + urlencode(rest)
                self._answer(
                    200,
                    {
                        "messages": [
                            {k: v for k, v in m.items() if not k.startswith("_")} for m in chunk
                        ],
                        "next_page_uri": next_uri,
                        "page": page,
                        "page_size": size,
                        "uri": self.path,
                        "first_page_uri": url.path,
                        "previous_page_uri": None,
                        "start": page * size,
                        "end": page * size + len(chunk),
                    },
                )

        return Handler
