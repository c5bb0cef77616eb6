"""Master/child: promote, link, unlink, and cascades to open children."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from .. import hierarchy, lifecycle
from ..enums import (
    Status,
)
from ..errors import (
    RegentraError,
    ValidationError,
)
from ..events import EventKind
from ..records import TicketRecord
from ..store.models import (
    Technician,
    Ticket,
)
from ._base import (
    DeskBase,
    _numbers,
    clean_text,
)


@dataclass(slots=True)
class CascadeResult:
    """What a cascade did to each child of a master."""

    master: int
    changed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


class LinkCases(DeskBase):
    """Master/child links and cascades."""

    # -- master / child ---------------------------------------------------------

    def promote(self, number: int) -> TicketRecord:
        """Make a ticket a master that children can be linked to."""
        with self._write() as s:
            ticket = self._load(s, number)
            hierarchy.check_promote(self._node(s, ticket))
            ticket.is_master = True
            self._touch(ticket, self.clock())
            self._event(s, ticket, EventKind.PROMOTED_TO_MASTER)
        return TicketRecord.of(ticket)

    def link(self, master_number: int, child_number: int) -> TicketRecord:
        """Link ``child`` under ``master``; returns the child."""
        with self._write() as s:
            master = self._load(s, master_number)
            child = self._load(s, child_number)
            self._link(s, master, child, self.clock())
        return TicketRecord.of(child)

    def unlink(self, child_number: int) -> TicketRecord:
        """Detach a child from its master; both stay as they are otherwise."""
        with self._write() as s:
            child = self._load(s, child_number)
            hierarchy.check_unlink(self._node(s, child))
            master = s.get(Ticket, child.master_id)
            assert master is not None
            child.master_id = None
            now = self.clock()
            self._touch(child, now)
            self._touch(master, now)
            self._event(s, child, EventKind.UNLINKED_FROM_MASTER, from_=str(master.number))
            self._event(s, master, EventKind.CHILD_UNLINKED, from_=str(child.number))
        return TicketRecord.of(child)

    def cascade(
        self,
        master_number: int,
        *,
        status: Status | None = None,
        assignee: str | None = None,
        resolution: bool = False,
        reply: str | None = None,
    ) -> CascadeResult:
        """Apply the master's status, assignee, resolution and/or a reply to its children.

        Children already Resolved or Closed are skipped (as are children already at
        the cascaded status, when that is all there is to do). A child that cannot make the
        move is listed as refused, and the rest still go ahead. Closing a child that is
        not yet resolved resolves it first, as a technician would by hand.
        """
        if status is None and assignee is None and not resolution and reply is None:
            raise ValidationError(
                "say what to cascade: a status, an assignee, the resolution or a reply"
            )
        reply_body = clean_text(reply, what="reply") if reply is not None else None
        with self._write() as s:
            master = self._load(s, master_number)
            if not master.is_master:
                raise ValidationError(f"#{master_number} is not a master ticket")
            children = list(
                s.exec(
                    select(Ticket)
                    .where(Ticket.master_id == master.id)
                    .order_by(col(Ticket.number))
                    .with_for_update()
                ).all()
            )
            if resolution and not master.resolution:
                raise ValidationError(f"#{master_number} has no resolution note to cascade")
            tech = self._technician(s, assignee) if assignee else None
            result = CascadeResult(master.number)
            only_status = assignee is None and not resolution and reply_body is None
            for child in children:
                if hierarchy.cascade_skips(child.status, status, only_status=only_status):
                    result.skipped.append(child.number)
                    continue
                try:
                    with s.begin_nested():
                        self._cascade_one(s, master, child, status, tech, resolution, reply_body)
                except RegentraError as exc:  # a rule refusal for this child only
                    result.refused.append((child.number, str(exc)))
                else:
                    result.changed.append(child.number)
            what = ", ".join(
                part
                for part, on in (
                    (f"status {status.value}" if status else "", status is not None),
                    (f"assignee {assignee}", assignee is not None),
                    ("resolution", resolution),
                    ("reply", reply_body is not None),
                )
                if on
            )
            self._event(
                s,
                master,
                EventKind.CASCADED,
                to=what,
                detail=f"changed {_numbers(result.changed)}; skipped {_numbers(result.skipped)}; "
                f"refused {_numbers(n for n, _ in result.refused)}",
            )
            return result

    def _cascade_one(
        self,
        s: Session,
        master: Ticket,
        child: Ticket,
        status: Status | None,
        tech: Technician | None,
        resolution: bool,
        reply: str | None,
    ) -> None:
        now = self.clock()
        if tech is not None and child.assignee_id != tech.id:
            self._assign(s, child, tech)
        if resolution or (status == Status.RESOLVED and master.resolution):
            child.resolution = master.resolution
        if reply is not None:
            self._technician_reply(s, child, reply)
        if status is not None and status != child.status:
            cascade_actor = self.actor
            if status == Status.CLOSED and not lifecycle.may_move(child.status, status):
                self._transition(s, child, Status.RESOLVED, actor=cascade_actor, at=now)
            self._transition(s, child, status, actor=cascade_actor, at=now)
        self._event(s, child, EventKind.CASCADE_APPLIED, to=str(master.number))
