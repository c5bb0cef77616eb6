"""``regentra serve`` and ``regentra sms``: the customer-facing web service and SMS.

``serve`` runs as the service account, like the worker daemon: it holds the
webhook secrets and writes through the same intake seam.
"""

from __future__ import annotations

import socket

import click

from .context import CliContext, pass_cli
from .output import emit_json, json_option

DEFAULT_PORT = 8025


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535))
@pass_cli
def serve(state: CliContext, host: str, port: int) -> None:
    """Serve the SMS and chat webhooks (behind a TLS proxy at public_url).

    Listens on 127.0.0.1 unless told otherwise: put a reverse proxy with TLS in
    front of it and set public_url to the address customers and Twilio see.
    """
    state.identity_required = False  # the service account runs it
    import uvicorn

    from regentra_web import create_app

    app = create_app(state.wiring())
    listening = _listen(host, port)
    click.echo(f"Serving on http://{host}:{port} (public_url {state.settings.public_url})")
    config = uvicorn.Config(app, host=host, port=port, log_level="info", proxy_headers=False)
    uvicorn.Server(config).run(sockets=[listening])


def _listen(host: str, port: int) -> socket.socket:
    """The socket ``serve`` listens on, bound before anything is said: an address in
    use or a host that does not resolve is one line (uvicorn said "Serving on" first,
    then logged its error among six lines of start and shutdown, and exited 3)."""
    listening: socket.socket | None = None
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        listening = socket.socket(family, kind, proto)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(address)
    except OSError as exc:
        if listening is not None:
            listening.close()
        reason = exc.strerror or str(exc)
        raise click.ClickException(f"cannot listen on {host}:{port}: {reason}") from None
    return listening


@click.group("sms")
def sms() -> None:
    """SMS through Twilio: read the inbound log (for desks Twilio cannot reach)."""


@sms.command("poll")
@json_option
@pass_cli
def poll_(state: CliContext, as_json: bool) -> None:
    """Read Twilio's inbound messages past the cursor once (the daemon does it on a
    schedule when sms_poll_interval_seconds is set)."""
    state.identity_required = False
    report = state.wiring().poll_sms()
    if as_json:
        emit_json({"fetched": report.fetched, "outcomes": report.outcomes})
        return
    click.echo(report.summary())
