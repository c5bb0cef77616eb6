"""Master/child rules: one level deep, so there can be no cycles.

A master gathers tickets about one incident ("mail is down for everyone"); its
children stay ordinary tickets everywhere. A master cannot be a child, a child
cannot be a master, and a ticket has at most one master. Cascades skip children
whose work is already done.
"""

from __future__ import annotations

from dataclasses import dataclass

from .enums import Status
from .errors import LinkError


@dataclass(frozen=True, slots=True)
class Node:
    """What the rules need to know of a ticket."""

    number: int
    is_master: bool
    master_number: int | None
    status: Status


def check_promote(ticket: Node) -> None:
    """Refuse to promote a child or an existing master."""
    if ticket.is_master:
        raise LinkError(f"#{ticket.number} is already a master ticket")
    if ticket.master_number is not None:
        raise LinkError(
            f"#{ticket.number} is a child of #{ticket.master_number}; unlink it before "
            "promoting it to master"
        )


def check_link(master: Node, child: Node) -> None:
    """Refuse links that would nest, loop or steal a child from another master."""
    if master.number == child.number:
        raise LinkError(f"#{master.number} cannot be its own child")
    if not master.is_master:
        raise LinkError(f"#{master.number} is not a master ticket; promote it first")
    if child.is_master:
        raise LinkError(f"#{child.number} is a master ticket and cannot become a child")
    if child.master_number == master.number:
        raise LinkError(f"#{child.number} is already a child of #{master.number}")
    if child.master_number is not None:
        raise LinkError(
            f"#{child.number} is already a child of #{child.master_number}; unlink it first"
        )


def check_unlink(child: Node) -> None:
    """Refuse to unlink a ticket that has no master."""
    if child.master_number is None:
        raise LinkError(f"#{child.number} is not linked to a master ticket")


def cascade_skips(child: Status, target: Status | None, *, only_status: bool) -> bool:
    """Whether a cascade leaves this child alone.

    Children already Resolved or Closed keep their own outcome; a cascade of a
    status alone skips the children already in it (nothing to change, nothing to
    audit).
    """
    return child.is_done or (only_status and child == target)


def cascade_targets(
    children: list[Node], target: Status | None = None, *, only_status: bool = False
) -> tuple[list[Node], list[Node]]:
    """Split children into those a cascade changes and those it leaves alone."""
    todo = [c for c in children if not cascade_skips(c.status, target, only_status=only_status)]
    skipped = [c for c in children if cascade_skips(c.status, target, only_status=only_status)]
    return todo, skipped


def cascade_offer(target: Status, children: list[Node]) -> list[Node]:
    """The children a master's move to ``target`` would move if it cascaded.

    The one rule every door asks (the status key, a drag, the move keys, a
    reply-and-resolve, a bulk change, an automation, the command line): only a
    master reaching Resolved or Closed offers a cascade, and only to children whose
    work is not done. An empty list means there is nothing to ask about.
    """
    if not target.is_done:
        return []
    return cascade_targets(children, target, only_status=True)[0]
