"""``regentra serve``: the customer-facing web service (webhooks now, portal next)."""

from .app import create_app

__all__ = ["create_app"]
