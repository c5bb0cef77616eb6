"""One ticket's detail in plain SQL, answering as ``queries.ticket_detail`` does."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from ..clock import utcnow
from ..detail_records import (
    ThreadItem,
    TicketDetail,
    TimeRow,
    cc_list,
    delivery_text,
    omitted,
)
from ..enums import AuthorKind, Channel, DeliveryState
from ..errors import NotFoundError
from .connection import PlainDesk
from .sla import plain_sla_book
from .tickets import plain_ticket_row
from .values import day, json_text, utc, utc_or_none


class _Delivery(NamedTuple):
    """An outbound message's delivery columns, what ``delivery_text`` words."""

    state: DeliveryState
    sent_at: datetime | None
    attempt_started_at: datetime | None
    last_error: str | None
    next_attempt_at: datetime | None
    note: str | None


def plain_ticket_detail(
    desk: PlainDesk, number: int, *, now: datetime | None = None, body_limit: int | None = None
) -> TicketDetail:
    """A ticket with its thread, notes, time, links and SLA, in one read transaction.

    ``body_limit`` reads at most that many characters of each message (in SQL) and
    counts the rest in ``omitted``, as the ORM reader does.
    """
    now = now or utcnow()
    book = plain_sla_book(desk)
    rows = plain_ticket_row(desk, "t.number = ?", (number,), book, now)
    if not rows:
        raise NotFoundError(f"no ticket #{number}")
    text, text_params = _text(body_limit)
    ((tid, resolution, cc, description, description_length),) = desk.rows(
        f"SELECT id, resolution, cc, {text.format('description')} FROM ticket WHERE number = ?",
        [*text_params, number],
    )
    names = dict(desk.rows("SELECT id, username FROM technician"))
    deliveries: dict[int, str] = {
        reply_id: delivery_text(
            _Delivery(
                DeliveryState(state),
                utc_or_none(sent),
                utc_or_none(started),
                error,
                utc_or_none(retry),
                note,
            )
        )
        for reply_id, state, sent, started, error, retry, note in desk.rows(
            "SELECT reply_id, state, sent_at, attempt_started_at, last_error, next_attempt_at, "
            "note FROM outbound_message WHERE ticket_id = ? AND reply_id IS NOT NULL "
            "ORDER BY id",
            (tid,),
        )
    }
    joined = desk.rows(
        "SELECT reply_id, reason FROM inbound_message WHERE ticket_id = ? "
        "AND reply_id IS NOT NULL AND reason LIKE ? ORDER BY id",
        (tid, "joined #%"),
    )
    deliveries.update({reply_id: reason for reply_id, reason in joined if reason})
    thread = [
        ThreadItem(
            "reply",
            author,
            AuthorKind(kind),
            body,
            utc(at),
            Channel(channel),
            omitted=omitted(body, length),
            delivery=deliveries.get(reply_id),
            unverified=bool(unverified),
            reply_id=reply_id,
        )
        for reply_id, author, kind, body, length, at, channel, unverified in desk.rows(
            f"SELECT id, author_name, author_kind, {text.format('body')}, created_at, channel, "
            "unverified_sender FROM reply WHERE ticket_id = ? ORDER BY id",
            [*text_params, tid],
        )
    ]
    thread += [
        ThreadItem(
            "note",
            author_name or names.get(technician_id or 0, "?"),
            AuthorKind.TECHNICIAN,
            body,
            utc(at),
            private=True,
            omitted=omitted(body, length),
        )
        for technician_id, author_name, body, length, at in desk.rows(
            f"SELECT technician_id, author_name, {text.format('body')}, created_at "
            "FROM internalnote WHERE ticket_id = ? ORDER BY id",
            [*text_params, tid],
        )
    ]
    thread.sort(key=lambda item: item.at)
    time_rows = [
        TimeRow(names.get(technician, "?"), minutes, bool(billable), note, day(worked), entry)
        for technician, minutes, billable, note, worked, entry in desk.rows(
            "SELECT technician_id, minutes, billable, note, work_date, id FROM timeentry "
            "WHERE ticket_id = ? AND removed_at IS NULL ORDER BY id",
            (tid,),
        )
    ]
    children = plain_ticket_row(desk, "t.master_id = ? ORDER BY t.number", (tid,), book, now)
    follow_ups = [
        n
        for (n,) in desk.rows(
            "SELECT number FROM ticket WHERE follow_up_of_id = ? ORDER BY number", (tid,)
        )
    ]
    agent = desk.rows(
        "SELECT agent FROM inbound_message WHERE ticket_id = ? AND agent IS NOT NULL "
        "ORDER BY id DESC LIMIT 1",
        (tid,),
    )
    return TicketDetail(
        rows[0],
        description,
        resolution,
        thread,
        time_rows,
        children,
        follow_ups,
        description_omitted=omitted(description, description_length),
        chat_agent=agent[0][0] if agent else None,
        cc=cc_list(json_text(cc)),
    )


def _text(body_limit: int | None) -> tuple[str, list[Any]]:
    """A text column (``{}``) and its stored length, the text cut at ``body_limit``
    (the length then 0: nothing is omitted), with the parameters it binds."""
    if body_limit is None:
        return "{0}, 0", []
    return "substr({0}, 1, CAST(? AS INTEGER)), length({0})", [body_limit]
