"""The ASGI application ``regentra serve`` runs (Starlette under uvicorn).

Starlette because the service is small and server-rendered: routing, forms, signed
cookies and a test client, nothing more, and every Desk call (blocking database
work) runs in its thread pool so one slow transaction never stalls the others.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from ..wiring import Wiring
from . import hooks


async def health(request: Request) -> PlainTextResponse:
    """For a load balancer or ``curl``: the service is up."""
    return PlainTextResponse("ok\n")


def create_app(wiring: Wiring) -> Starlette:
    """The web service of one desk."""
    app = Starlette(
        routes=[
            Route("/healthz", health),
            Route("/hooks/twilio/sms", hooks.twilio_sms, methods=["POST"]),
            Route("/hooks/chat", hooks.chat, methods=["POST"]),
        ]
    )
    app.state.wiring = wiring
    return app
