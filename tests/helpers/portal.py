"""The portal's desk as a test opens it: the composition root with a portal key."""

from __future__ import annotations

from regentra_core.config import load_settings
from regentra_core.wiring import Wiring, open_index

PORTAL_KEY = "portal-test-key"


def portal_wiring(db, monkeypatch, clock, *, public: str = "https://help.example.com") -> Wiring:
    """Wiring for ``db`` with the portal on (its key and public address set)."""
    monkeypatch.setenv("REGENTRA_PORTAL_SECRET_KEY", PORTAL_KEY)
    monkeypatch.setenv("REGENTRA_PUBLIC_URL", public)
    settings = load_settings()
    return Wiring(settings, db, open_index(settings, db), clock=clock)
