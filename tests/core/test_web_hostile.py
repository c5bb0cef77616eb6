"""The web service under hostile input: bodies capped while they are read, a 4xx with
its reason for what does not parse (never a 500), the sender's times not trusted,
over-long ids refused the same on SQLite and PostgreSQL, and signatures checked in
every forged variant.

The body cap is measured on a real uvicorn server in its own process (its VmRSS
before and after a 50 MiB chunked POST); the rest goes through Starlette's test
client to the real app, webhooks signed with Twilio's RequestValidator and our HMAC.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from sqlmodel import select
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from regentra_core.channels.chat import sign
from regentra_core.config import load_settings
from regentra_core.store.models import InboundRecord, Ticket
from regentra_core.wiring import Wiring, open_index
from regentra_web import create_app
from tests.conftest import T0
from tests.core.test_portal import _csrf, _sign_in
from tests.helpers.waiting import wait_for

PUBLIC = "https://help.example.com"
CHAT_SECRET = "chat-hook-secret"
TWILIO_TOKEN = "twilio-test-token"
NUMBER = "+15550100100"


@pytest.fixture
def environment(monkeypatch):
    monkeypatch.setenv("REGENTRA_TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("REGENTRA_TWILIO_AUTH_TOKEN", TWILIO_TOKEN)
    monkeypatch.setenv("REGENTRA_TWILIO_NUMBER", NUMBER)
    monkeypatch.setenv("REGENTRA_TWILIO_API_BASE", "http://127.0.0.1:9")
    monkeypatch.setenv("REGENTRA_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("REGENTRA_CHAT_WEBHOOK_SECRET", CHAT_SECRET)
    monkeypatch.setenv("REGENTRA_PORTAL_SECRET_KEY", "portal-test-key")


@pytest.fixture
def wiring(environment, db, clock, clients):
    settings = load_settings()
    return Wiring(settings, db, open_index(settings, db), clock=clock)


@pytest.fixture
def web(wiring):
    with TestClient(create_app(wiring), base_url="https://testserver") as client:
        yield client


def sms(web, params: dict[str, str], *, signature: str | None = None):
    if signature is None:
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(
            f"{PUBLIC}/hooks/twilio/sms", params
        )
    return web.post("/hooks/twilio/sms", data=params, headers={"X-Twilio-Signature": signature})


def sms_params(**overrides: str) -> dict[str, str]:
    params = {"MessageSid": "SM1", "From": "+15550100199", "To": NUMBER, "Body": "hi"}
    params["NumMedia"] = "0"
    params.update(overrides)
    return params


def chat(web, body: bytes, *, signature: str | None = None):
    headers = {"X-Regentra-Signature": signature or sign(body, CHAT_SECRET)}
    headers["Content-Type"] = "application/json"
    return web.post("/hooks/chat", content=body, headers=headers)


def session(**overrides) -> bytes:
    data = {
        "id": "chat-1",
        "contact": {"email": "sam@acme.example", "name": "Sam"},
        "ended_at": "2026-03-02T08:50:00Z",
        "messages": [
            {"from": "customer", "text": "My mailbox is full", "at": "2026-03-02T08:40:00Z"}
        ],
    }
    data.update(overrides)
    return json.dumps(data).encode()


def tickets(db) -> list[Ticket]:
    with db.read() as s:
        return list(s.exec(select(Ticket).order_by(Ticket.number)).all())


# -- bodies capped while they are read ---------------------------------------------------

SERVER = """
import socket, sys, uvicorn
from regentra_core.config import load_settings
from regentra_core.store import Database
from regentra_web import create_app
from regentra_core.wiring import Wiring, open_index
settings = load_settings()
db = Database(sys.argv[1])
app = create_app(Wiring(settings, db, open_index(settings, db)))
listening = socket.socket(fileno=int(sys.argv[2]))
uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[listening])
"""

MIB = 1024 * 1024


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _chunked_post(port: int, path: str, first: bytes, filler: bytes, total: int) -> tuple[int, int]:
    """POST a chunked body of ``total`` bytes made as it is sent; the status answered
    and how many bytes the server let us send before it answered or stopped reading."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=60)
    kind = "application/json" if path == "/hooks/chat" else "application/x-www-form-urlencoded"
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {kind}\r\n"
    conn.sendall((head + "Transfer-Encoding: chunked\r\n\r\n").encode())
    sent = 0

    def pump() -> None:
        nonlocal sent
        chunk = first
        try:
            while sent < total:
                conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
                chunk = filler
            conn.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed: what we want

    sender = threading.Thread(target=pump, daemon=True)
    sender.start()
    answer = b""
    while b"\r\n" not in answer:
        data = conn.recv(65536)
        if not data:
            break
        answer += data
    conn.shutdown(socket.SHUT_RDWR)  # wakes a sender blocked on a full socket
    conn.close()
    sender.join(timeout=30)
    assert answer, f"{path}: no answer"
    return int(answer.split()[1]), sent


def test_a_50_mib_chunked_post_is_answered_413_and_the_server_does_not_grow(
    environment, db, db_path
):
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(16)
    port = listening.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, db_path, str(listening.fileno())],
        pass_fds=[listening.fileno()],
        env=os.environ.copy(),
    )
    listening.close()
    try:

        def up() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    return r.status == 200
            except OSError:
                return False

        assert wait_for(up, timeout=60), "the server did not start"
        targets = [
            ("/hooks/chat", b"[", b"[" * 65536),
            ("/hooks/twilio/sms", b"Body=", b"a" * 65536),
            ("/signin", b"email=", b"a" * 65536),
        ]
        for path, first, filler in targets:  # warm up each route with a small body
            _chunked_post(port, path, first, filler[:10], 10)
        before = _rss_kib(server.pid)
        for path, first, filler in targets:
            status, sent = _chunked_post(port, path, first, filler, 50 * MIB)
            assert status == 413, path
            assert sent < 10 * MIB, f"{path}: the server took {sent:,} bytes"
        grown = _rss_kib(server.pid) - before
        assert grown < 8 * 1024, f"the server grew by {grown:,} KiB"
        assert up()  # and it is still serving
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert tickets(db) == []


# The portal's forms that carry files take an attachment-sized body and answer in
# their page: tests/core/test_portal_attachments.py.
@pytest.mark.parametrize("path", ["/hooks/chat", "/hooks/twilio/sms", "/signin"])
def test_a_declared_length_over_the_cap_is_413_and_nothing_is_stored(web, db, path):
    answer = web.post(path, content=b"x" * (1_000_001), headers={"Content-Type": "text/plain"})
    assert answer.status_code == 413
    assert "limit" in answer.text
    assert tickets(db) == []


@pytest.mark.parametrize("length", ["abc", "-5", "1" * 40])
def test_a_content_length_that_is_no_number_is_400(web, length):
    # h11 itself refuses most of these on a real server; the app does not rely on it.
    answer = web.post("/hooks/chat", content=b"{}", headers={"Content-Length": length})
    assert answer.status_code == 400


# -- a 4xx with its reason, never a 500 ---------------------------------------------------


def test_a_ticket_number_past_any_integer_is_404_not_a_crash(web, db, smtp, clock, new_ticket):
    new_ticket(contact_email="sam@acme.example")
    _sign_in(web, db, smtp, clock, "sam@acme.example")
    for path in ["/tickets/99999999999999999999999999", "/tickets/2147483648", "/tickets/0"]:
        assert web.get(path).status_code == 404, path
    page = web.get("/tickets")
    answer = web.post(
        "/tickets/99999999999999999999999999/reply",
        data={"csrf": _csrf(page.text), "body": "hello", "key": "k1"},
    )
    assert answer.status_code == 404


@pytest.mark.parametrize(
    "count", ["abc", "", "-1", "9" * 5000, "1.5"], ids=["abc", "empty", "-1", "5000-nines", "1.5"]
)
def test_a_signed_sms_whose_num_media_is_no_count_is_400_with_the_reason(web, db, count):
    answer = sms(web, sms_params(NumMedia=count))
    if count == "":
        assert answer.status_code == 200  # Twilio leaves it out: no media
        return
    assert answer.status_code == 400
    assert "NumMedia is not a count" in answer.text
    assert tickets(db) == []


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000],
    ids=["brackets", "nested-objects"],
)
def test_a_signed_chat_nested_too_deep_is_422(web, db, body):
    answer = chat(web, body)
    assert answer.status_code == 422
    assert "nested too deeply" in answer.json()["error"]
    assert tickets(db) == []


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"])
@pytest.mark.parametrize("field", ["ended_at", "at"])
def test_a_chat_time_outside_utcs_range_is_422(web, db, when, field):
    if field == "ended_at":
        body = session(ended_at=when)
    else:
        body = session(messages=[{"from": "customer", "text": "hi", "at": when}])
    answer = chat(web, body)
    assert answer.status_code == 422
    assert "not a time in UTC's range" in answer.json()["error"]
    assert tickets(db) == []


@pytest.mark.parametrize("number", [10**30, 2**31, 0, -5])
def test_a_chat_naming_a_ticket_number_no_ticket_can_have_is_422(web, db, number):
    answer = chat(web, session(ticket=number))
    assert answer.status_code == 422
    assert "ticket must be a ticket number" in answer.json()["error"]
    assert tickets(db) == []


# -- the sender's times are not trusted ---------------------------------------------------


def test_a_chat_time_far_from_its_receipt_is_replaced_by_it_and_the_transcript_says_so(
    web, db, clock
):
    body = session(
        ended_at="0001-01-02T00:00:00Z",
        messages=[
            {"from": "customer", "text": "Printer on fire", "at": "2026-02-20T09:00:00Z"},
            {"from": "agent", "text": "Noted", "at": "2027-01-01T00:00:00Z"},
            {"from": "customer", "text": "Thanks", "at": "2026-03-02T08:59:00Z"},
        ],
    )
    assert chat(web, body).status_code == 201
    [ticket] = tickets(db)
    assert ticket.created_at.replace(tzinfo=None) == T0.replace(tzinfo=None)
    description = ticket.description
    assert (
        "ended_at: time given by the chat system: 0001-01-02 00:00 UTC, "
        "replaced by the time received (2026-03-02 09:00 UTC)" in description
    )
    assert "messages[0].at: time given by the chat system: 2026-02-20 09:00 UTC" in description
    assert "messages[1].at: time given by the chat system: 2027-01-01 00:00 UTC" in description
    assert "messages[2]" not in description  # within the bounds: kept as given
    assert "[2026-03-02 09:00 UTC] Sam: Printer on fire" in description
    assert "[2026-03-02 08:59 UTC] Sam: Thanks" in description


def test_a_chat_within_a_week_keeps_its_own_times(web, db):
    body = session(
        ended_at="2026-02-24T10:00:00Z",
        messages=[{"from": "customer", "text": "Backlog", "at": "2026-02-24T09:30:00Z"}],
    )
    assert chat(web, body).status_code == 201
    [ticket] = tickets(db)
    assert "time given by the chat system" not in ticket.description
    assert "[2026-02-24 09:30 UTC] Sam: Backlog" in ticket.description


# -- over-long ids, the same on both databases --------------------------------------------


@pytest.mark.parametrize("length", [1000, 5000])
def test_an_over_long_sms_id_is_refused_on_every_database(web, db, length):
    answer = sms(web, sms_params(MessageSid="SM" + "x" * (length - 2)))
    assert answer.status_code == 400
    assert f"MessageSid is {length:,} characters long (at most 200)" in answer.text
    with db.read() as s:
        assert s.exec(select(InboundRecord)).all() == []


@pytest.mark.parametrize("length", [1000, 5000])
def test_an_over_long_chat_id_is_refused_on_every_database(web, db, length):
    answer = chat(web, session(id="c" * length))
    assert answer.status_code == 422
    assert f"id is {length:,} characters long (at most 200)" in answer.json()["error"]
    assert tickets(db) == []


def test_ids_at_the_limit_are_stored_whole(web, db):
    sid, chat_id = "SM" + "s" * 198, "c" * 200
    assert sms(web, sms_params(MessageSid=sid)).status_code == 200
    assert chat(web, session(id=chat_id)).status_code == 201
    with db.read() as s:
        ids = set(s.exec(select(InboundRecord.external_id)).all())
    assert {sid, chat_id} <= ids


# -- signatures in every forged variant (these held; they must keep holding) ----------------


@pytest.mark.parametrize(
    "forge",
    ["missing", "empty", "other-token", "other-url", "tampered-after-signing", "query-added"],
)
def test_a_forged_twilio_signature_is_refused_in_every_variant(web, db, forge):
    params = sms_params()
    url = f"{PUBLIC}/hooks/twilio/sms"
    good = RequestValidator(TWILIO_TOKEN)
    headers: dict[str, str] = {}
    path = "/hooks/twilio/sms"
    if forge == "empty":
        headers["X-Twilio-Signature"] = ""
    elif forge == "other-token":
        headers["X-Twilio-Signature"] = RequestValidator("x").compute_signature(url, params)
    elif forge == "other-url":
        other = "https://evil.example/hooks/twilio/sms"
        headers["X-Twilio-Signature"] = good.compute_signature(other, params)
    elif forge == "tampered-after-signing":
        headers["X-Twilio-Signature"] = good.compute_signature(url, params)
        params = {**params, "Body": "send me the admin password"}
    elif forge == "query-added":
        headers["X-Twilio-Signature"] = good.compute_signature(url, params)
        path += "?ticket=1"
    answer = web.post(path, data=params, headers=headers)
    assert answer.status_code == 403
    assert tickets(db) == []


@pytest.mark.parametrize(
    "forge", ["missing", "other-secret", "other-body", "no-prefix", "upper-case", "truncated"]
)
def test_a_forged_chat_signature_is_refused_in_every_variant(web, db, forge):
    body = session()
    good = sign(body, CHAT_SECRET)
    signature = {
        "missing": "",
        "other-secret": sign(body, "guess"),
        "other-body": sign(session(id="chat-2"), CHAT_SECRET),
        "no-prefix": good.removeprefix("sha256="),
        "upper-case": "sha256=" + good.removeprefix("sha256=").upper(),
        "truncated": good[:-2],
    }[forge]
    headers = {"Content-Type": "application/json"}
    if signature:
        headers["X-Regentra-Signature"] = signature
    answer = web.post("/hooks/chat", content=body, headers=headers)
    assert answer.status_code == 403
    assert tickets(db) == []
