"""What the SLA sweep records about one ticket at an instant, from its clocks.

The one rule both of the sweep's paths follow: the per-ticket path over ORM rows
(``desk.sla``: a ticket to escalate, or one automation rules fire on) and the
set-based one over plain rows (``desk.sla_sweep_rows``: every other ticket, written
with bulk UPDATEs). A clock that reads Breached is flagged for good; a badge other
than the recorded one (a ticket is born On Track) is recorded with an audit Event,
and At Risk or Breached on a ticket still being worked is flagged for escalation.
"""

from __future__ import annotations

from dataclasses import dataclass

from .sla import Badge, SlaState

BORN = Badge.ON_TRACK.value
"""A ticket starts On Track: recording that for every new ticket would be a write, an
event and a reindex each, for nothing a technician needs to see."""

FLAGGED = frozenset({Badge.AT_RISK, Badge.BREACHED})
"""The badges that flag a ticket still being worked (and fire the SLA triggers)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the sweep records for one ticket (``new`` None: its badge is unchanged)."""

    response_breached: bool
    resolution_breached: bool
    old: str
    new: Badge | None
    detail: str
    flag: bool
    """The new badge flags the ticket for escalation (it is still being worked)."""

    def changes(self, response_breached: bool, resolution_breached: bool) -> bool:
        """Whether the ticket's record changes (its badge or a breach flag)."""
        return (
            self.new is not None
            or self.response_breached != response_breached
            or self.resolution_breached != resolution_breached
        )


def verdict(
    state: SlaState,
    *,
    recorded: str | None,
    response_breached: bool,
    resolution_breached: bool,
    done: bool,
) -> Verdict:
    """The sweep's record for a ticket whose clocks read ``state`` now, which has
    ``recorded`` as its badge and these breach flags."""
    old = recorded or BORN
    new = state.badge
    changed = old != new.value
    return Verdict(
        response_breached=response_breached or state.response.badge == Badge.BREACHED,
        resolution_breached=resolution_breached or state.resolution.badge == Badge.BREACHED,
        old=old,
        new=new if changed else None,
        detail=(
            f"response {state.response.badge.label}, resolution {state.resolution.badge.label}"
        ),
        flag=changed and new in FLAGGED and not done,
    )
