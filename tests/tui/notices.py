"""What the app told the technician in a notification, recorded through a public seam.

Textual keeps its notifications in the private ``App._notifications``, which a
release may rename or empty when a toast times out. Every ``notify`` in the app
(``App.notify``, and ``Widget.notify``/``Screen.notify``, which hand over to it)
goes through the app instance's ``notify``: :class:`Notices` wraps that one
method on the instance, records what was said, and lets Textual show it as usual.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from textual.app import App


@dataclass(frozen=True)
class Notice:
    """One notification, as the app raised it."""

    message: str
    title: str
    severity: str


class Notices:
    """Every notification ``app`` raises from now on, in order.

    Make it before ``app.run_test()``: ``notices = Notices(app)``.
    """

    def __init__(self, app: App[Any]) -> None:
        self.seen: list[Notice] = []
        shown = app.notify

        def notify(message: str, *args: Any, **kwargs: Any) -> None:
            self.seen.append(
                Notice(
                    str(message),
                    str(kwargs.get("title", "")),
                    str(kwargs.get("severity", "information")),
                )
            )
            shown(message, *args, **kwargs)

        app.notify = notify  # type: ignore[method-assign]

    @property
    def messages(self) -> list[str]:
        """The messages said so far, oldest first."""
        return [n.message for n in self.seen]

    def said(self, words: str) -> bool:
        """Whether any message so far contains ``words``."""
        return any(words in m for m in self.messages)

    def __iter__(self) -> Iterator[Notice]:
        return iter(list(self.seen))
