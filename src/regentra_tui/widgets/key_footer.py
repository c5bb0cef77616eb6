"""The key line at the bottom of every screen, rebuilt only when its keys change.

Textual's ``Footer`` rebuilds all its key widgets (removes and mounts some twenty,
with their CSS and a layout pass) each time the screen's bindings are refreshed,
and they are refreshed on every focus change: applying a filter checklist moved the
focus twice and rebuilt the footer five times, twice the work of the filter change
itself (a profile of ten changes: 51 rebuilds, 1.3 of 17 s). Most focus moves on
the main screen leave the shown keys exactly as they were, so this footer rebuilds
only when what it would show differs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.screen import Screen

Shown = tuple[tuple[str, str, str, bool, str, str | None], ...]


def shown_keys(screen: Screen[object]) -> Shown:
    """What a footer shows for ``screen``'s bindings now: key, label, action, enabled,
    tooltip and group of each binding marked ``show``."""
    return tuple(
        (
            binding.key,
            binding.description,
            binding.action,
            enabled,
            tooltip,
            binding.group.description if binding.group else None,
        )
        for (_, binding, enabled, tooltip) in screen.active_bindings.values()
        if binding.show
    )


class KeyFooter(Footer):
    """A ``Footer`` that skips the rebuild when the shown keys are the same."""

    def __init__(self, *, compact: bool = True) -> None:
        super().__init__(compact=compact)
        self._shown: Shown | None = None
        """The keys of the last rebuild (None before the first)."""

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            super().bindings_changed(screen)  # Textual's own bookkeeping; no rebuild
            return
        shown = shown_keys(screen)
        if shown == self._shown:
            return
        self._shown = shown
        super().bindings_changed(screen)
