"""The ASGI application ``regentra serve`` runs (Starlette under uvicorn).

Starlette because the service is small and server-rendered: routing, forms, signed
cookies and a test client, nothing more. Every database call, a Desk write or a
read (blocking work), runs in its thread pool, never on the event loop, so one
transaction waiting on a lock never stalls the other requests; the handlers stay
``async`` only to read the body under its cap (``limits``).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from regentra_core import Wiring, limit_bytes

from . import hooks, portal
from .limits import BodyLimit, upload_cap


async def health(request: Request) -> PlainTextResponse:
    """For a load balancer or ``curl``: the service is up."""
    return PlainTextResponse("ok\n")


def create_app(wiring: Wiring) -> Starlette:
    """The web service of one desk: the webhooks, and the portal when it has a key."""
    key = wiring.settings.secret("portal_secret_key")
    routes = [
        Route("/healthz", health),
        Route("/hooks/twilio/sms", hooks.twilio_sms, methods=["POST"]),
        Route("/hooks/chat", hooks.chat, methods=["POST"]),
    ]
    # Outermost: no route, the portal's session middleware included, sees more body
    # than its cap (the portal's forms that carry files: the attachment limit).
    uploads = upload_cap(limit_bytes(wiring.settings.max_attachment_mb))
    middleware = [Middleware(BodyLimit, uploads=uploads)]
    if key:
        routes += portal.routes()
        middleware.append(
            Middleware(
                SessionMiddleware,
                secret_key=key,
                session_cookie=portal.SESSION_COOKIE,
                max_age=portal.SESSION_SECONDS,
                same_site="lax",
                https_only=wiring.settings.public_url.startswith("https://"),
            )
        )
    else:
        routes.append(Route("/", no_portal))
    app = Starlette(routes=routes, middleware=middleware)
    app.state.wiring = wiring
    app.state.portal_key = key
    return app


async def no_portal(request: Request) -> PlainTextResponse:
    return PlainTextResponse(
        "The customer portal is not set up: set portal_secret_key_file.\n", status_code=404
    )
