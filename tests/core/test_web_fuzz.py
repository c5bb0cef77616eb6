"""Fuzzing the webhooks and the portal's forms: never a 500, never more body read
than its cap.

Hypothesis makes the requests (1,050 in the default suite; the ``slow``
variants make ten times as many): chat sessions and Twilio forms, signed so they
pass the signature and reach the parsers and the desk; the portal's forms posted
by a signed-in customer with a good CSRF token; and bodies over their cap in every
framing, fed to the app in chunks by a small ASGI driver that counts what the app
took from the stream.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from regentra_core.channels.chat import sign
from regentra_web import create_app
from regentra_web.limits import body_cap
from tests.core import test_web_hostile as hostile
from tests.core.test_portal import _csrf, _sign_in
from tests.core.test_web_hostile import CHAT_SECRET, NUMBER, PUBLIC, TWILIO_TOKEN

environment = hostile.environment
wiring = hostile.wiring
"""The hostile suite's desk: chat, SMS and the portal all set up."""


def fuzz(examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


# -- an ASGI driver that feeds the body in chunks and counts what was taken --------------


def drive(
    app: Any, method: str, path: str, headers: dict[str, str], chunks: Iterator[bytes]
) -> tuple[int, int]:
    """Run one request through ``app``: (status, bytes of body the app took)."""
    taken = 0
    finished = False
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal taken, finished
        if finished:
            return {"type": "http.disconnect"}
        chunk = next(chunks, None)
        if chunk is None:
            finished = True
            return {"type": "http.request", "body": b"", "more_body": False}
        taken += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 443),
    }
    asyncio.run(app(scope, receive, send))
    return status[0], taken


def pieces(total: int, size: int) -> Iterator[bytes]:
    """``total`` bytes in chunks of ``size``, made as they are asked for."""
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        yield b"a" * n
        sent += n


@pytest.fixture
def app(wiring):
    return create_app(wiring)


# -- chat ------------------------------------------------------------------------------

times = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "0001-01-01T00:00:00+05:00",
            "9999-12-31T23:00:00-05:00",
            "2026-03-02T08:59:00Z",
            "2026-03-02T09:05:00Z",
            "",
            "Z",
            "2026-13-40",
        ]
    ),
    st.text(max_size=30),
    st.integers(),
    st.none(),
)
junk = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=50), st.lists(st.none())
)
texts = st.one_of(st.text(max_size=300), st.text(max_size=3).map(lambda t: t * 700), junk)
message = st.fixed_dictionaries(
    {},
    optional={
        "from": st.one_of(st.sampled_from(["customer", "agent"]), junk),
        "text": texts,
        "at": times,
    },
)
contact = st.fixed_dictionaries(
    {},
    optional={
        "email": st.one_of(st.emails(), st.text(max_size=40), junk),
        "phone": st.one_of(st.from_regex(r"\+1555010\d{4}", fullmatch=True), st.text(), junk),
        "name": texts,
    },
)
sessions = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(
            st.text(min_size=1, max_size=20), st.text(max_size=2).map(lambda t: t * 600), junk
        ),
        "contact": st.one_of(contact, junk),
        "agent": texts,
        "ended_at": times,
        "messages": st.one_of(st.lists(st.one_of(message, junk), max_size=5), junk),
        "ticket": st.one_of(st.integers(min_value=-(2**70), max_value=2**70), junk),
        "priority": st.one_of(st.sampled_from(["low", "medium", "high", "critical"]), junk),
    },
)
raw_bodies = st.one_of(
    sessions.map(lambda s: json.dumps(s).encode()),
    st.binary(max_size=300),
    st.sampled_from([b"[" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000, b"", b"null", b"[]"]),
)


def check_chat(app, body: bytes, chunk: int) -> None:
    headers = {"content-type": "application/json", "x-regentra-signature": sign(body, CHAT_SECRET)}
    status, _ = drive(app, "POST", "/hooks/chat", headers, pieces_of(body, chunk))
    assert status in (200, 201, 400, 413, 422), (status, body[:300])


def pieces_of(body: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


@fuzz(300)
@given(body=raw_bodies, chunk=st.integers(1, 4096))
def test_fuzzed_chat_sessions_are_answered_without_a_500(app, body, chunk):
    check_chat(app, body, chunk)


@pytest.mark.slow
@fuzz(4000)
@given(body=raw_bodies, chunk=st.integers(1, 4096))
def test_fuzzed_chat_sessions_are_answered_without_a_500_at_length(app, body, chunk):
    check_chat(app, body, chunk)


# -- SMS --------------------------------------------------------------------------------

field = st.one_of(st.text(max_size=80), st.text(max_size=2).map(lambda t: t * 800))
forms = st.fixed_dictionaries(
    {"MessageSid": st.one_of(st.from_regex(r"SM[0-9a-f]{32}", fullmatch=True), field)},
    optional={
        "From": st.one_of(st.from_regex(r"\+1555010\d{4}", fullmatch=True), field),
        "To": st.just(NUMBER),
        "Body": field,
        "NumMedia": st.one_of(st.integers(-5, 20).map(str), field),
        "SmsSid": field,
    },
)


def check_sms(app, form: dict[str, str]) -> None:
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(f"{PUBLIC}/hooks/twilio/sms", form)
    body = urlencode(form).encode()
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": signature,
    }
    status, _ = drive(app, "POST", "/hooks/twilio/sms", headers, pieces_of(body, 512))
    assert status in (200, 400, 413), (status, form)


@fuzz(300)
@given(form=forms)
def test_fuzzed_sms_forms_are_answered_without_a_500(app, form):
    check_sms(app, form)


@pytest.mark.slow
@fuzz(3000)
@given(form=forms)
def test_fuzzed_sms_forms_are_answered_without_a_500_at_length(app, form):
    check_sms(app, form)


# -- the portal's forms, signed in ----------------------------------------------------------

numbers = st.one_of(
    st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**26]),
    st.integers(-(2**70), 2**70),
)
portal_posts = st.one_of(
    st.tuples(
        st.just("/tickets/new"),
        st.fixed_dictionaries(
            {},
            optional={
                "subject": field,
                "description": st.one_of(field, st.just("x" * 25_010)),
                "priority": st.one_of(st.sampled_from(["low", "critical"]), field),
                "key": st.one_of(st.text(alphabet="abc123", max_size=70), field),
            },
        ),
    ),
    st.tuples(
        st.one_of(
            st.just("/tickets/{mine}/reply"),
            numbers.map(lambda n: f"/tickets/{n}/reply"),
        ),
        st.fixed_dictionaries({}, optional={"body": field, "key": field}),
    ),
    st.tuples(st.just("/signin"), st.fixed_dictionaries({}, optional={"email": field})),
)
portal_gets = st.one_of(
    numbers.map(lambda n: f"/tickets/{n}"),
    st.text(alphabet="0123456789abc%/.-", max_size=40).map(lambda t: f"/tickets/{t}"),
)


@pytest.fixture
def signed_in(wiring, db, smtp, clock, new_ticket):
    mine = new_ticket(contact_email="sam@acme.example").number
    with TestClient(create_app(wiring), base_url="https://testserver") as web:
        _sign_in(web, db, smtp, clock, "sam@acme.example")
        yield web, mine, _csrf(web.get("/tickets/new").text)


def check_portal(signed_in, post, get: str, csrf_ok: bool) -> None:
    web, mine, csrf = signed_in
    path, form = post
    form = {**form, "csrf": csrf if csrf_ok else "forged"}
    answer = web.post(path.format(mine=mine), data=form, follow_redirects=False)
    assert answer.status_code < 500, (path, form)
    if not csrf_ok:
        assert answer.status_code in (403, 404)
    assert web.get(get, follow_redirects=False).status_code < 500, get


@fuzz(200)
@given(post=portal_posts, get=portal_gets, csrf_ok=st.booleans())
def test_fuzzed_portal_forms_are_answered_without_a_500(signed_in, post, get, csrf_ok):
    check_portal(signed_in, post, get, csrf_ok)


@pytest.mark.slow
@fuzz(3000)
@given(post=portal_posts, get=portal_gets, csrf_ok=st.booleans())
def test_fuzzed_portal_forms_are_answered_without_a_500_at_length(signed_in, post, get, csrf_ok):
    check_portal(signed_in, post, get, csrf_ok)


# -- bodies over their cap ----------------------------------------------------------------

POST_PATHS = ["/hooks/chat", "/hooks/twilio/sms", "/signin", "/tickets/new", "/tickets/1/reply"]


@fuzz(250)
@given(
    path=st.sampled_from(POST_PATHS),
    over=st.floats(1.0, 4.0),
    chunk=st.integers(1024, 256 * 1024),
    declared=st.booleans(),
)
def test_a_body_over_its_cap_is_413_and_never_read_past_it(app, path, over, chunk, declared):
    cap = body_cap(path)
    total = int(cap * over) + 1
    headers = {"content-type": "application/x-www-form-urlencoded"}
    if declared:
        headers["content-length"] = str(total)
    status, taken = drive(app, "POST", path, headers, pieces(total, chunk))
    if path.startswith("/tickets/"):
        # Signed out: sent to sign in before a byte is read, or refused for its size.
        assert status in (303, 413)
    else:
        assert status == 413
    assert taken <= (0 if declared else cap + chunk)
