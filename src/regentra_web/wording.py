"""What the portal tells a customer about their ticket's priority and SLA, in their
words (pure: no I/O, no clock; the portal's read hands in what it found).

A technician reads "High" and "At Risk" against the audit trail and the SLA policy;
a customer who chose Low and now sees "Priority: High" reads a mistake, and "SLA:
On Track" promises nothing they can hold us to. So a priority that policy raised
says why (the Event ``_escalate`` recorded: ``source policy, reason vip``), and the
SLA says by when we aim to reply and to resolve, in the desk's time zone, named
(the server cannot know the customer's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from regentra_core import Badge, ClockState, EscalationReason, Priority, SlaState

RAISED_BECAUSE: dict[EscalationReason, str] = {
    EscalationReason.VIP: "by our support policy for your account",
    EscalationReason.TICKET_SPIKE: "because many customers reported the same problem",
    EscalationReason.AI_SECURITY: "because it may concern the security of your systems",
    EscalationReason.AI_FRUSTRATION: "so that we get to it sooner",
}
"""Why policy raised a priority, as the sentence's end a customer reads."""

_SOURCE = re.compile(r"^source (?P<source>\w+)(?:, reason (?P<reason>\w+))?")


@dataclass(frozen=True, slots=True)
class PriorityChange:
    """The ticket's latest priority change, as its Event recorded it."""

    before: Priority
    after: Priority
    reason: EscalationReason | None
    """Set when policy escalation made the change (VIP, spike, AI flag)."""
    by_support: bool
    """A technician or one of their automation rules made it."""

    @classmethod
    def of_event(
        cls, from_value: str | None, to_value: str | None, detail: str | None
    ) -> PriorityChange | None:
        """Read a ``priority_changed`` Event (``source policy, reason vip; ...``);
        None when it does not say what it changed."""
        try:
            before, after = Priority(from_value or ""), Priority(to_value or "")
        except ValueError:
            return None
        found = _SOURCE.match(detail or "")
        source = found.group("source") if found else ""
        reason: EscalationReason | None = None
        if found and source == "policy" and found.group("reason"):
            try:
                reason = EscalationReason(found.group("reason"))
            except ValueError:
                reason = None
        return cls(before, after, reason, by_support=source in ("operator", "automation"))


def priority_words(priority: Priority, change: PriorityChange | None) -> str:
    """``High``, or with why it is not what the customer chose: ``High: raised from
    Low by our support policy for your account``."""
    if change is None or change.after != priority or change.before == priority:
        return priority.label
    if change.reason is not None:
        return (
            f"{priority.label}: raised from {change.before.label} {RAISED_BECAUSE[change.reason]}"
        )
    if change.by_support:
        return f"{priority.label}: changed from {change.before.label} by our support team"
    return priority.label


def when(at: datetime, zone: str, *, year: bool = False) -> str:
    """``Mon 7 Dec, 14:00 (Europe/Berlin time)``: in the desk's time zone, named
    (``year``: ``7 Dec 2026, 14:00 ...``, for when something happened rather than
    when it is due)."""
    local = at.astimezone(ZoneInfo(zone))
    name = "UTC" if zone in ("UTC", "Etc/UTC") else f"{zone} time"
    day = f"{local.day} {local:%b} {local.year}" if year else f"{local:%a} {local.day} {local:%b}"
    return f"{day}, {local:%H:%M} ({name})"


def sla_lines(
    state: SlaState | None,
    *,
    first_response_at: datetime | None,
    resolved_at: datetime | None,
    zone: str,
) -> list[str]:
    """What we promised and where we are: a line for the reply, one for the fix.

    Nothing when no policy applies (no promise was made). Times are the clocks'
    own due times (business hours and pauses already counted).
    """
    if state is None:
        return []
    lines = []
    reply = _reply_line(state.response, first_response_at, zone)
    if reply:
        lines.append(reply)
    fix = _resolution_line(state.resolution, resolved_at, zone)
    if fix:
        lines.append(fix)
    return lines


def _reply_line(clock: ClockState, first_response_at: datetime | None, zone: str) -> str:
    if first_response_at is not None:
        late = " (later than we aimed)" if clock.badge == Badge.BREACHED else ""
        return f"Replied {when(first_response_at, zone)}{late}."
    if clock.unanswered or clock.stopped:
        return ""
    if clock.due_at is None:
        return "Our reply target is on hold."
    if clock.badge == Badge.BREACHED:
        return f"Our reply is late: we aimed to reply by {when(clock.due_at, zone)}."
    return f"We aim to reply by {when(clock.due_at, zone)}."


def _resolution_line(clock: ClockState, resolved_at: datetime | None, zone: str) -> str:
    if clock.stopped:
        return f"Resolved {when(resolved_at, zone)}." if resolved_at is not None else ""
    if clock.paused or clock.due_at is None:
        return "Resolution target: on hold while we wait for your answer."
    if clock.badge == Badge.BREACHED:
        return (
            f"Resolution target: {when(clock.due_at, zone)} has passed; we are still working on it."
        )
    return f"Resolution target: {when(clock.due_at, zone)}."


__all__ = ["RAISED_BECAUSE", "PriorityChange", "priority_words", "sla_lines", "when"]
