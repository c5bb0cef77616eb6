"""One ticket's full picture: its thread, notes, time, links, deliveries, history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from ..detail_records import EventRow as EventRow
from ..detail_records import ThreadItem as ThreadItem
from ..detail_records import TicketDetail as TicketDetail
from ..detail_records import TimeRow as TimeRow
from ..detail_records import cc_list, omitted
from ..detail_records import delivery_text as delivery_text
from ..enums import AuthorKind
from ..errors import NotFoundError
from ..sla_book import SlaBook
from ..store.engine import Database
from ..store.models import (
    Event,
    InboundRecord,
    InternalNote,
    OutboundMessage,
    Reply,
    Technician,
    Ticket,
    TimeEntry,
)
from .tickets import _base_query, _get_row, _row


def ticket_detail(
    db: Database, number: int, *, now: datetime | None = None, body_limit: int | None = None
) -> TicketDetail:
    """A ticket with its thread, notes, time, links and SLA, read consistently.

    ``body_limit`` reads at most that many characters of each message (in SQL, so a
    10 MB email costs nothing to show) and counts the rest in ``omitted``.
    """
    with db.read() as s:
        book = SlaBook.load(s)
        row = _get_row(s, number, now, book)
        tid, resolution, cc = s.execute(
            sa_select(col(Ticket.id), col(Ticket.resolution), col(Ticket.cc)).where(
                col(Ticket.number) == number
            )
        ).one()
        names = {t.id: t.username for t in s.exec(select(Technician)).all()}

        def text(column: Any) -> tuple[Any, Any]:
            if body_limit is None:
                return column, func.length(column) * 0
            return func.substr(column, 1, body_limit), func.length(column)

        description, description_length = s.execute(
            sa_select(*text(Ticket.description)).where(col(Ticket.id) == tid)
        ).one()
        replies = s.execute(
            sa_select(
                col(Reply.id),
                col(Reply.author_name),
                col(Reply.author_kind),
                *text(Reply.body),
                col(Reply.created_at),
                col(Reply.channel),
                col(Reply.unverified_sender),
            ).where(col(Reply.ticket_id) == tid)
        ).all()
        deliveries = {
            out.reply_id: delivery_text(out)
            for out in s.exec(
                select(OutboundMessage).where(
                    OutboundMessage.ticket_id == tid, col(OutboundMessage.reply_id).is_not(None)
                )
            ).all()
        }
        joined = s.execute(
            sa_select(col(InboundRecord.reply_id), col(InboundRecord.reason)).where(
                col(InboundRecord.ticket_id) == tid,
                col(InboundRecord.reply_id).is_not(None),
                col(InboundRecord.reason).like("joined #%"),
            )
        ).all()
        deliveries.update({reply_id: reason for reply_id, reason in joined if reason})
        thread: list[ThreadItem] = [
            ThreadItem(
                "reply",
                author,
                kind,
                body,
                at,
                channel,
                omitted=omitted(body, length),
                delivery=deliveries.get(reply_id),
                unverified=bool(unverified),
                reply_id=reply_id,
            )
            for reply_id, author, kind, body, length, at, channel, unverified in replies
        ]
        notes = s.execute(
            sa_select(
                col(InternalNote.technician_id),
                col(InternalNote.author_name),
                *text(InternalNote.body),
                col(InternalNote.created_at),
            ).where(col(InternalNote.ticket_id) == tid)
        ).all()
        thread += [
            ThreadItem(
                "note",
                author_name or names.get(technician_id or 0, "?"),
                AuthorKind.TECHNICIAN,
                body,
                at,
                private=True,
                omitted=omitted(body, length),
            )
            for technician_id, author_name, body, length, at in notes
        ]
        thread.sort(key=lambda item: item.at)
        time_rows = [
            TimeRow(
                names.get(e.technician_id, "?"),
                e.minutes,
                e.billable,
                e.note,
                e.work_date,
                e.id or 0,
            )
            for e in s.exec(
                select(TimeEntry)
                .where(TimeEntry.ticket_id == tid, col(TimeEntry.removed_at).is_(None))
                .order_by(col(TimeEntry.id))
            ).all()
        ]
        children = [
            _row(r, book, now)
            for r in s.execute(
                _base_query().where(col(Ticket.master_id) == tid).order_by(col(Ticket.number))
            ).all()
        ]
        follow_ups = list(
            s.exec(
                select(Ticket.number)
                .where(Ticket.follow_up_of_id == tid)
                .order_by(col(Ticket.number))
            ).all()
        )
        agent = s.exec(
            select(InboundRecord.agent)
            .where(InboundRecord.ticket_id == tid, col(InboundRecord.agent).is_not(None))
            .order_by(col(InboundRecord.id).desc())
        ).first()
        return TicketDetail(
            row,
            description,
            resolution,
            thread,
            time_rows,
            children,
            follow_ups,
            description_omitted=omitted(description, description_length),
            chat_agent=agent,
            cc=cc_list(cc),
        )


def ticket_history(db: Database, number: int) -> list[EventRow]:
    """A ticket's audit trail, oldest first."""
    with db.read() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == number)).first()
        if ticket is None:
            raise NotFoundError(f"no ticket #{number}")
        events = s.exec(
            select(Event).where(Event.ticket_id == ticket.id).order_by(col(Event.at), col(Event.id))
        ).all()
        return [
            EventRow(e.at, e.actor, e.source, e.kind, e.from_value, e.to_value, e.detail)
            for e in events
        ]
