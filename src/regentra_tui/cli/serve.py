"""``regentra serve`` and ``regentra sms``: the customer-facing web service and SMS.

``serve`` runs as the service account, like the worker daemon: it holds the
webhook secrets and writes through the same intake seam.
"""

from __future__ import annotations

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
    click.echo(f"Serving on http://{host}:{port} (public_url {state.settings.public_url})")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)


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
