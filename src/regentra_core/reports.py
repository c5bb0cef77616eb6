"""Reports for managers and the billing clerk: SLA, time, volume, backlog.

Each report is a table (``Report``: columns and rows of plain values) so the CLI
prints it, writes it as CSV or JSON, and the app shows it, all from one answer.
Periods are whole UTC days, ``start`` to ``end`` inclusive. Master and child
tickets count like any other ticket.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from .enums import Channel, Priority, Status
from .errors import NotFoundError, ValidationError
from .sla import Badge
from .sla_book import SlaBook, inputs_of
from .store.engine import Database
from .store.models import Client, Technician, Ticket, TimeEntry

KINDS = ("sla", "time", "volume", "backlog")
AGE_BUCKETS = ((1, "< 1 day"), (3, "1-3 days"), (7, "3-7 days"), (30, "1-4 weeks"))
OLDEST = "> 4 weeks"


@dataclass(frozen=True, slots=True)
class Period:
    """Whole UTC days ``start`` to ``end``, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError(f"the period ends ({self.end}) before it starts ({self.start})")

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(), UTC)

    @property
    def until(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time(), UTC)

    @classmethod
    def last(cls, days: int, today: date) -> Period:
        return cls(today - timedelta(days=days - 1), today)


@dataclass
class Report:
    """A titled table; ``series`` holds what a chart draws (label -> per-day values)."""

    kind: str
    title: str
    columns: list[str]
    rows: list[list[object]]
    period: Period | None = None
    days: list[date] = field(default_factory=list)
    series: dict[str, list[int]] = field(default_factory=dict)

    def records(self) -> list[dict[str, object]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def build(
    db: Database,
    kind: str,
    period: Period,
    *,
    client: str | None = None,
    now: datetime | None = None,
) -> Report:
    """The report ``kind`` (one of ``KINDS``) for ``period``, optionally for one client."""
    now = now or datetime.now(UTC)
    with db.read() as s:
        client_id = _client_id(s, client)
        if kind == "sla":
            return _sla(s, period, client_id, now)
        if kind == "time":
            return _time(s, period, client_id)
        if kind == "volume":
            return _volume(s, period, client_id)
        if kind == "backlog":
            return _backlog(s, client_id, now)
    raise ValidationError(f"unknown report {kind!r}; choose one of: {', '.join(KINDS)}")


def _client_id(s: Session, name: str | None) -> int | None:
    if name is None:
        return None
    found = s.exec(select(Client.id).where(Client.name == name)).first()
    if found is None:
        raise NotFoundError(f"no client {name!r}")
    return found


def _tickets(s: Session, period: Period | None, client_id: int | None) -> list[Ticket]:
    query = select(Ticket).order_by(col(Ticket.number))
    if period is not None:
        query = query.where(
            col(Ticket.created_at) >= period.since, col(Ticket.created_at) < period.until
        )
    if client_id is not None:
        query = query.where(Ticket.client_id == client_id)
    return list(s.exec(query).all())


def _client_names(s: Session) -> dict[int | None, str]:
    names: dict[int | None, str] = {None: "(no client)"}
    names.update({cid: name for cid, name in s.exec(select(Client.id, Client.name)).all()})
    return names


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


# -- SLA ----------------------------------------------------------------------------


_OUTCOME = {Badge.MET: "met", Badge.NO_REPLY: "no_reply"}
"""A clock's outcome by badge; a ticket resolved without a reply is not Met."""


def _sla(s: Session, period: Period, client_id: int | None, now: datetime) -> Report:
    """Met and breached first responses and resolutions of the tickets created in the
    period, by priority, by client and by week (still-running clocks are pending;
    tickets resolved without any reply are counted apart, never as met)."""
    book = SlaBook.load(s)
    names = _client_names(s)
    tally: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for t in _tickets(s, period, client_id):
        state = book.state(inputs_of(t), now, with_due=False)
        if state is None:
            continue
        week = t.created_at.date() - timedelta(days=t.created_at.weekday())
        for clock_name, clock in (("response", state.response), ("resolution", state.resolution)):
            breached = clock.badge == Badge.BREACHED or (
                t.response_breached if clock_name == "response" else t.resolution_breached
            )
            outcome = "breached" if breached else _OUTCOME.get(clock.badge, "pending")
            for group in (
                ("priority", t.priority.label),
                ("client", names.get(t.client_id, "?")),
                ("week of", week.isoformat()),
            ):
                tally[group][f"{clock_name}_{outcome}"] += 1
    order = {p.label: p.rank for p in Priority}
    rows: list[list[object]] = []
    for (by, value), counts in sorted(
        tally.items(),
        key=lambda kv: (
            ("priority", "client", "week of").index(kv[0][0]),
            -order.get(kv[0][1], 0) if kv[0][0] == "priority" else 0,
            kv[0][1],
        ),
    ):
        row: list[object] = [by, value]
        for clock_name in ("response", "resolution"):
            met, late = counts[f"{clock_name}_met"], counts[f"{clock_name}_breached"]
            row += [met, late, counts[f"{clock_name}_pending"]]
            if clock_name == "response":
                unanswered = counts["response_no_reply"]
                row += [unanswered, _pct(met, met + late + unanswered)]
            else:
                row += [_pct(met, met + late)]
        rows.append(row)
    columns = ["by", "group"]
    for clock_name in ("response", "resolution"):
        columns += [
            f"{clock_name}_met",
            f"{clock_name}_breached",
            f"{clock_name}_pending",
            *(["response_no_reply"] if clock_name == "response" else []),
            f"{clock_name}_met_pct",
        ]
    return Report("sla", "SLA compliance", columns, rows, period)


# -- time -----------------------------------------------------------------------------


def _time(s: Session, period: Period, client_id: int | None) -> Report:
    """Billable and non-billable minutes by client and technician (the invoice basis),
    by the day the work was done."""
    names = _client_names(s)
    query = (
        sa_select(
            col(Ticket.client_id),
            col(Technician.username),
            col(TimeEntry.billable),
            col(TimeEntry.minutes),
            col(TimeEntry.work_date),
        )
        .join(Ticket, col(Ticket.id) == TimeEntry.ticket_id)
        .join(Technician, col(Technician.id) == TimeEntry.technician_id)
        .where(col(TimeEntry.work_date) >= period.start, col(TimeEntry.work_date) <= period.end)
        .where(col(TimeEntry.removed_at).is_(None))
    )
    if client_id is not None:
        query = query.where(col(Ticket.client_id) == client_id)
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    days = _days(period)
    series = {"billable": [0] * len(days), "non-billable": [0] * len(days)}
    for cid, tech, billable, minutes, day in s.execute(query).all():
        sums[(names.get(cid, "?"), tech)][0 if billable else 1] += minutes
        series["billable" if billable else "non-billable"][(day - period.start).days] += minutes
    rows: list[list[object]] = [
        [client, tech, b, nb, b + nb] for (client, tech), (b, nb) in sorted(sums.items())
    ]
    total_b = sum(int(str(r[2])) for r in rows)
    total_nb = sum(int(str(r[3])) for r in rows)
    if rows:
        rows.append(["(total)", "", total_b, total_nb, total_b + total_nb])
    columns = ["client", "technician", "billable_minutes", "non_billable_minutes", "total_minutes"]
    return Report("time", "Time worked", columns, rows, period, days, series)


# -- volume ---------------------------------------------------------------------------


def _volume(s: Session, period: Period, client_id: int | None) -> Report:
    """Tickets created in the period by channel and by where they are now."""
    days = _days(period)
    series = {c.label: [0] * len(days) for c in Channel}
    by_channel: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    for t in _tickets(s, period, client_id):
        by_channel[t.channel.label] += 1
        by_status[t.status.label] += 1
        series[t.channel.label][(t.created_at.date() - period.start).days] += 1
    total = sum(by_channel.values())
    rows: list[list[object]] = [
        ["channel", c.label, by_channel[c.label], _pct(by_channel[c.label], total)] for c in Channel
    ]
    rows += [
        ["status", st.label, by_status[st.label], _pct(by_status[st.label], total)] for st in Status
    ]
    rows.append(["total", "", total, 100.0 if total else None])
    series = {label: values for label, values in series.items() if any(values)}
    return Report(
        "volume",
        "Ticket volume",
        ["by", "group", "tickets", "share_pct"],
        rows,
        period,
        days,
        series,
    )


# -- backlog --------------------------------------------------------------------------


def _backlog(s: Session, client_id: int | None, now: datetime) -> Report:
    """Tickets not yet Resolved or Closed, by age and priority, as of now."""
    query = select(Ticket).where(col(Ticket.status).not_in([Status.RESOLVED, Status.CLOSED]))
    if client_id is not None:
        query = query.where(Ticket.client_id == client_id)
    buckets = [label for _, label in AGE_BUCKETS] + [OLDEST]
    counts: dict[str, Counter[Priority]] = {b: Counter() for b in buckets}
    for t in s.exec(query).all():
        counts[age_bucket(now - t.created_at)][t.priority] += 1
    priorities = sorted(Priority, key=lambda p: -p.rank)
    rows: list[list[object]] = [
        [b, *(counts[b][p] for p in priorities), sum(counts[b].values())] for b in buckets
    ]
    rows.append(
        [
            "(total)",
            *(sum(counts[b][p] for b in buckets) for p in priorities),
            sum(sum(c.values()) for c in counts.values()),
        ]
    )
    columns = ["age", *(p.value for p in priorities), "total"]
    return Report("backlog", "Backlog by age", columns, rows)


def age_bucket(age: timedelta) -> str:
    for days, label in AGE_BUCKETS:
        if age < timedelta(days=days):
            return label
    return OLDEST


def _days(period: Period) -> list[date]:
    return [period.start + timedelta(days=n) for n in range((period.end - period.start).days + 1)]


def as_csv_rows(report: Report) -> Iterable[Sequence[object]]:
    yield report.columns
    for row in report.rows:
        yield ["" if v is None else v for v in row]
