"""What a bulk status change can offer: the statuses the marked tickets can reach.

A pure rule over the lifecycle table (``lifecycle.may_move``), so the app offers
only moves the Desk will make: a status none of the marked tickets can reach is
not offered ("changed on 0 of 3" was the old answer to picking one), and each
offered status says how many of them it would move ("Resolved (2 of 3)").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .enums import ActorKind, Status
from .lifecycle import may_move


@dataclass(frozen=True, slots=True)
class BulkMove:
    """A status the marked tickets can be moved to, and how many of them would move."""

    target: Status
    moves: int
    of: int

    @property
    def label(self) -> str:
        """``Resolved (2 of 3)``, or ``Resolved (all 3)`` when every one would move."""
        count = f"all {self.of}" if self.moves == self.of else f"{self.moves} of {self.of}"
        return f"{self.target.label} ({count})"


def bulk_moves(
    statuses: Iterable[Status], actor: ActorKind = ActorKind.TECHNICIAN
) -> list[BulkMove]:
    """The statuses, in board order, that at least one ticket now in ``statuses`` may
    move to, each with how many would (a ticket already there does not move)."""
    current = list(statuses)
    offers = []
    for target in Status:
        moves = sum(1 for s in current if s != target and may_move(s, target, actor))
        if moves:
            offers.append(BulkMove(target, moves, len(current)))
    return offers
