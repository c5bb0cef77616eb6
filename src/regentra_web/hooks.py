"""Webhooks: Twilio's inbound SMS and a chat system's finished sessions.

Each reads its body under a cap (``limits``: 413 as soon as it is passed, chunked
or not), checks its signature before it parses anything else (Twilio signs the form's
fields, so its form is split into fields first, and nothing more), parses with the
channel's pure module, and hands the message to the intake seam (``Wiring.receive``):
the same exactly-once key, threading and reopen rules as mail. A malformed message
is a 4xx that says what is wrong, never a 500.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from twilio.request_validator import RequestValidator

from regentra_core import (
    CHAT_BODY_BYTES,
    CHAT_SIGNATURE_HEADER,
    Channel,
    InboundOutcome,
    RegentraError,
    ValidationError,
    Wiring,
    chat_inbound,
    chat_signature_ok,
    sms_inbound,
)

from .limits import BodyTooLarge

log = logging.getLogger("regentra.web")

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
"""Twilio's answer to an inbound message: nothing to send back now (a technician
answers through the outbox)."""


def wiring_of(request: Request) -> Wiring:
    """The desk the app serves (``create_app`` keeps it on the app's state)."""
    wiring: Wiring = request.app.state.wiring
    return wiring


def public_url_of(request: Request, wiring: Wiring) -> str:
    """The address the sender signed: ``public_url`` and the path (and query) asked
    for, not the address uvicorn sees behind a proxy."""
    url = wiring.settings.public_url.rstrip("/") + request.url.path
    return f"{url}?{request.url.query}" if request.url.query else url


async def twilio_sms(request: Request) -> Response:
    """``POST /hooks/twilio/sms``: one inbound SMS, signed by Twilio."""
    wiring = wiring_of(request)
    settings = wiring.settings
    if not settings.sms_configured:
        return PlainTextResponse("SMS is not set up on this desk\n", status_code=404)
    try:
        form = await request.form()
    except BodyTooLarge as exc:
        return PlainTextResponse(f"{exc.detail}\n", status_code=413)
    params = {key: str(value) for key, value in form.multi_items()}
    token = settings.secret("twilio_auth_token") or ""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not RequestValidator(token).validate(public_url_of(request, wiring), params, signature):
        return PlainTextResponse("bad or missing X-Twilio-Signature\n", status_code=403)
    try:
        inbound = sms_inbound(params, wiring.clock(), settings.sms_default_region)
    except ValidationError as exc:
        return PlainTextResponse(f"{exc}\n", status_code=400)
    try:
        await run_in_threadpool(wiring.receive, Channel.SMS, [(inbound, None)])
    except ValidationError as exc:
        # A message the desk can never store: a retry would be refused the same way.
        log.error("SMS %s refused: %s", inbound.external_id, exc)
        return PlainTextResponse(f"{exc}\n", status_code=400)
    except RegentraError as exc:
        # Twilio keeps the message in its log: the daemon's poll (if on) or a retry
        # stores it; nothing is half-written (one transaction).
        log.error("SMS %s not stored: %s", inbound.external_id, exc)
        return PlainTextResponse("cannot store the message now\n", status_code=503)
    return Response(EMPTY_TWIML, media_type="text/xml")


async def chat(request: Request) -> Response:
    """``POST /hooks/chat``: one finished chat session, signed with HMAC-SHA256."""
    wiring = wiring_of(request)
    secret = wiring.settings.secret("chat_webhook_secret")
    if not secret:
        return JSONResponse({"error": "live chat is not set up on this desk"}, status_code=404)
    try:
        body = await request.body()
    except BodyTooLarge:
        return JSONResponse(
            {"error": f"the session is over {CHAT_BODY_BYTES:,} bytes"}, status_code=413
        )
    if not chat_signature_ok(body, request.headers.get(CHAT_SIGNATURE_HEADER), secret):
        return JSONResponse({"error": f"bad or missing {CHAT_SIGNATURE_HEADER}"}, status_code=403)
    try:
        inbound = chat_inbound(body, wiring.clock(), wiring.settings.sms_default_region)
    except ValidationError as exc:
        return JSONResponse({"error": str(exc)}, status_code=422)
    try:
        (result,) = await run_in_threadpool(wiring.receive, Channel.CHAT, [(inbound, None)])
    except ValidationError as exc:
        return JSONResponse({"error": str(exc)}, status_code=422)
    except RegentraError as exc:
        log.error("chat %s not stored: %s", inbound.external_id, exc)
        return JSONResponse({"error": "cannot store the session now"}, status_code=503)
    answer = {"ticket": result.ticket, "outcome": result.outcome.value, "reason": result.reason}
    status = 200 if result.outcome == InboundOutcome.DUPLICATE else 201
    return JSONResponse(answer, status_code=status)
