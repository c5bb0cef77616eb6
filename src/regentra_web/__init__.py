"""``regentra serve``: the customer-facing web service, an interface beside the TUI.

The customer portal and the chat and SMS webhooks (Starlette under uvicorn). Like
``regentra_tui`` it sits outside the core and reaches it only through the core's
public surface (``from regentra_core import ...``): never the store, never an ORM
row, never the TUI (import contracts in ``pyproject.toml``). Its database reads are
the core's (``regentra_core.queries.public_thread``), its writes the Desk's, and
both run in the thread pool, never on the event loop.
"""

from .app import create_app

__all__ = ["create_app"]
