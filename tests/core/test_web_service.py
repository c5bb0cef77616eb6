"""The web service as an interface beside the TUI (issue #29): what it reads of the
database (the public thread, never a note), where it reads it (never on the event
loop), how much of a body it reads (its cap, chunked or not), and what it may import.

Through the real app: Starlette's test client, or httpx's ASGI transport where a
request must run beside another in one event loop or send a body made as it is read.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import pkgutil
import subprocess
import sys
import threading
import tomllib
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event, text
from starlette.testclient import TestClient

import regentra_web
from regentra_core.channels.chat import MAX_BODY_BYTES, SIGNATURE_HEADER, sign
from regentra_core.queries import ticket_detail
from regentra_core.store.models import InternalNote
from regentra_web import create_app
from regentra_web.limits import FORM_BODY_BYTES, SMS_BODY_BYTES
from tests.conftest import POSTGRES
from tests.core.test_portal_hostile import _sign_in
from tests.helpers.portal import portal_wiring
from tests.helpers.waiting import wait_for

BASE = "https://testserver"
PUBLIC = "https://help.example.com"
CHAT_SECRET = "chat-hook-secret"
NOTES = str(InternalNote.__tablename__)
"""The internal notes' table, as the SQL names it."""
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def wiring(db, monkeypatch, clock, clients):
    """The portal, the chat webhook and SMS all on (Twilio is never called here)."""
    monkeypatch.setenv("REGENTRA_CHAT_WEBHOOK_SECRET", CHAT_SECRET)
    monkeypatch.setenv("REGENTRA_TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("REGENTRA_TWILIO_AUTH_TOKEN", "twilio-token")
    monkeypatch.setenv("REGENTRA_TWILIO_NUMBER", "+15005550006")
    return portal_wiring(db, monkeypatch, clock, public=PUBLIC)


@pytest.fixture
def web(wiring) -> Iterator[TestClient]:
    with TestClient(create_app(wiring), base_url=BASE) as client:
        yield client


@pytest.fixture
def tickets(new_ticket, desk):
    """Sam's ticket with a technician's reply and an internal note, and Pat's."""
    sams = new_ticket(subject="Sam's printer", contact_email="sam@acme.example")
    pats = new_ticket(subject="Pat's laptop", contact_email="pat@acme.example")
    desk.add_technician_reply(sams.number, "We are looking at it.")
    desk.add_note(sams.number, "internal: the router password is hunter2")
    return {"sam": sams.number, "pat": pats.number}


@contextmanager
def _statements(db) -> Iterator[list[tuple[str, bool]]]:
    """Every SQL statement the desk's engine runs meanwhile, and whether it ran on a
    thread that runs an event loop (a request's own thread, not the thread pool)."""
    seen: list[tuple[str, bool]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        try:
            asyncio.get_running_loop()
            on_loop = True
        except RuntimeError:
            on_loop = False
        seen.append((statement, on_loop))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _csrf(page: str) -> str:
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


# -- the public thread only --------------------------------------------------------------


def test_the_portal_never_selects_a_tickets_internal_notes(web, db, tickets):
    _sign_in(web, db, "sam@acme.example")
    with _statements(db) as seen:
        page = web.get(f"/tickets/{tickets['sam']}")
        listing = web.get("/tickets")
        replied = web.post(
            f"/tickets/{tickets['sam']}/reply",
            data={"csrf": _csrf(page.text), "key": "k1", "body": "Still broken."},
        )
    assert page.status_code == 200 and "We are looking at it." in page.text
    assert listing.status_code == 200 and replied.status_code == 200
    assert "Still broken." in replied.text and "hunter2" not in replied.text
    assert any("reply" in sql for sql, _ in seen)  # the listener saw the page's reads
    assert [sql for sql, _ in seen if NOTES in sql] == []


def test_the_listener_sees_a_read_of_the_notes_where_one_is_made(db, tickets):
    # The technician's detail reads the notes: the test above would see such a read.
    with _statements(db) as seen:
        ticket_detail(db, tickets["sam"])
    assert any(NOTES in sql for sql, _ in seen)


# -- the database is read in the thread pool, never on the event loop --------------------


def test_no_database_statement_runs_on_the_event_loop(web, db, tickets):
    _sign_in(web, db, "sam@acme.example")
    with _statements(db) as seen:
        home = web.get("/", follow_redirects=False)
        page = web.get(f"/tickets/{tickets['sam']}")
        assert web.get("/tickets").status_code == 200
        assert web.get("/tickets/new").status_code == 200
        assert web.get(f"/tickets/{tickets['pat']}").status_code == 404
        assert web.get("/files/999").status_code == 404
        web.post(
            f"/tickets/{tickets['sam']}/reply",
            data={"csrf": _csrf(page.text), "key": "k2", "body": "Any news?"},
        )
        web.post("/signout", data={"csrf": _csrf(page.text)})
    assert home.status_code == 303 and page.status_code == 200
    assert len(seen) > 10
    assert [sql for sql, on_loop in seen if on_loop] == []


def _waiting_on_a_lock(watcher) -> bool:
    with watcher.connect() as conn:
        waiting = conn.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar_one()
    return int(waiting) > 0


@pytest.mark.skipif(
    not POSTGRES, reason="a SQLite reader never waits on a lock (WAL): the PostgreSQL pass"
)
def test_a_read_held_by_another_connections_lock_leaves_the_service_answering(
    web, wiring, db, tickets
):
    from sqlalchemy import create_engine

    _sign_in(web, db, "sam@acme.example")
    cookies = dict(web.cookies.items())
    app = web.app
    watcher = create_engine(db.engine.url.render_as_string(hide_password=False))
    holder = db.engine.connect()
    holder.execute(text("LOCK TABLE portal_login IN ACCESS EXCLUSIVE MODE"))
    pid = holder.execute(text("SELECT pg_backend_pid()")).scalar_one()

    stuck = threading.Event()

    def release_if_stuck() -> None:
        # A loop blocked by the held read cannot run the test's own release: end the
        # lock from outside, so the test fails on its order instead of hanging.
        stuck.set()
        with watcher.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    watchdog = threading.Timer(60, release_if_stuck)
    watchdog.start()

    async def run() -> tuple[bool, int, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE, cookies=cookies) as c:
            held = asyncio.create_task(c.get(f"/tickets/{tickets['sam']}"))
            waited = await asyncio.to_thread(wait_for, lambda: _waiting_on_a_lock(watcher), 30)
            assert waited, "the ticket page never waited on the lock"
            health = await c.get("/healthz")
            in_time = not held.done() and not stuck.is_set()
            if in_time:
                holder.rollback()  # the lock ends; the held page is read and answered
            (page,) = await asyncio.gather(held, return_exceptions=True)
            status = page.status_code if isinstance(page, httpx.Response) else 0
            return in_time, health.status_code, status

    try:
        in_time, health, page = asyncio.run(run())
    finally:
        watchdog.cancel()
        if stuck.is_set():
            holder.invalidate()  # its backend was ended from outside
        holder.close()
        watcher.dispose()
    assert in_time, "/healthz was answered only after the held read's lock was ended"
    assert health == 200 and page == 200


# -- every body capped while it is read, chunked or not ----------------------------------


CASES = {
    "chat": ("/hooks/chat", MAX_BODY_BYTES),
    "sms": ("/hooks/twilio/sms", SMS_BODY_BYTES),
    "portal form": ("/signin", FORM_BODY_BYTES),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_chunked_body_over_its_cap_is_refused_413_before_it_is_read_whole(wiring, case):
    path, cap = CASES[case]
    chunk = b"x" * 16384
    made = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal made
        for _ in range(4 * cap // len(chunk)):
            made += len(chunk)
            yield chunk

    form = {"Content-Type": "application/x-www-form-urlencoded"}
    headers = {
        "chat": {SIGNATURE_HEADER: sign(b"{}", CHAT_SECRET)},
        "sms": {"X-Twilio-Signature": "not checked before the body is read", **form},
        "portal form": form,
    }[case]

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(wiring))
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            return await client.post(path, content=body(), headers=headers)

    answer = asyncio.run(post())
    assert answer.request.headers["transfer-encoding"] == "chunked"
    assert answer.status_code == 413
    assert made <= cap + len(chunk)  # the rest was never asked for


@pytest.fixture
def upload_web(db, monkeypatch, clock, clients) -> Iterator[TestClient]:
    """The portal with a 1 MB attachment limit."""
    monkeypatch.setenv("REGENTRA_MAX_ATTACHMENT_MB", "1")
    with TestClient(create_app(portal_wiring(db, monkeypatch, clock)), base_url=BASE) as client:
        yield client


def test_a_chunked_upload_over_the_attachment_limit_is_refused_in_the_page(upload_web, db, tickets):
    web = upload_web
    _sign_in(web, db, "sam@acme.example")
    page = web.get(f"/tickets/{tickets['sam']}").text
    cap = 1024 * 1024 + FORM_BODY_BYTES  # max_attachment_mb = 1
    made = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal made
        yield (
            b'--b\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n'
            + _csrf(page).encode()
            + b'\r\n--b\r\nContent-Disposition: form-data; name="files"; filename="a.bin"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n"
        )
        for _ in range(3 * cap // 65536):
            made += 65536
            yield b"\0" * 65536

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=web.app)
        cookies = dict(web.cookies.items())
        async with httpx.AsyncClient(transport=transport, base_url=BASE, cookies=cookies) as c:
            return await c.post(
                f"/tickets/{tickets['sam']}/reply",
                content=body(),
                headers={"Content-Type": "multipart/form-data; boundary=b"},
            )

    answer = asyncio.run(post())
    assert answer.request.headers["transfer-encoding"] == "chunked"
    assert answer.status_code == 413 and "Nothing was sent" in answer.text
    assert made <= cap + 65536


# -- an interface beside the TUI ---------------------------------------------------------

WEB_MODULES = sorted(m.name for m in pkgutil.walk_packages(regentra_web.__path__, "regentra_web."))


@pytest.mark.parametrize("module", ["regentra_web", *WEB_MODULES])
def test_a_web_module_imports_neither_the_tui_nor_textual_nor_litellm(module):
    code = (
        f"import json, sys, {module}; "
        "print(json.dumps([m for m in ('textual', 'litellm', 'regentra_tui') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_every_package_under_src_is_in_the_wheel_with_the_templates():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packaged = set(config["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])
    packages = {f"src/{p.parent.name}" for p in (ROOT / "src").glob("*/__init__.py")}
    assert packages == packaged
    assert "regentra_web" in config["tool"]["importlinter"]["root_packages"]
    templates = Path(importlib.import_module("regentra_web.portal").__file__).with_name("templates")
    assert (templates / "ticket.html").is_file()
