"""``regentra sla ...``: SLA policies, targets, calendars and holidays."""

from __future__ import annotations

from datetime import date

import click
from rich.table import Table
from rich.text import Text

from regentra_core import Priority, check_day, parse_day, parse_duration, sla_config, utcnow

from ..render import minutes, styled
from .context import CliContext, pass_cli
from .output import console, emit_json, json_option, safe


def _business_minutes(text: str) -> int:
    return int(parse_duration(text).total_seconds() // 60)


def _day(text: str) -> date:
    """A day as every date option reads it (``dates.parse_day``), in range."""
    return check_day(parse_day(text, utcnow().date()), what="holiday")


@click.group("sla")
def sla() -> None:
    """SLA policies (targets per priority), business calendars and holidays."""


@sla.command("show")
@json_option
@pass_cli
def show(state: CliContext, as_json: bool) -> None:
    """Show every policy with its targets and clients, and every calendar."""
    config = sla_config(state.db)
    if as_json:
        emit_json(config)
        return
    out = console()
    for p in config.policies:
        title = styled(p.name, "bold")
        if p.default:
            title += styled(" (default)", "cyan")
        out.print(title)
        escalation = "moves to Escalated" if p.escalate_status else "flags only"
        out.print(f"  calendar {p.calendar}; At Risk at {p.at_risk_share:.0%}; {escalation}")
        table = Table(box=None, pad_edge=False, header_style="bold")
        for name in ("  priority", "response", "resolution"):
            table.add_column(name)
        for priority, (response, resolution) in p.targets.items():
            table.add_row(f"  {priority}", minutes(response), minutes(resolution))
        out.print(table)
        if p.clients:
            out.print(Text("  clients: ") + safe(", ".join(p.clients)))
        out.print()
    for c in config.calendars:
        hours = "24x7" if c.always_open else f"{c.hours} ({c.timezone})"
        out.print(styled(c.name, "bold") + Text(f": {hours}"))
        if c.holidays:
            out.print(f"  {len(c.holidays)} holiday(s):")
            for day, name in c.holidays:
                out.print(Text(f"    {day:%Y-%m-%d}  ") + safe(name, flat=True))


@sla.command("target")
@click.argument("policy")
@click.argument("priority", type=click.Choice([p.value for p in Priority], case_sensitive=False))
@click.option("--response", required=True, metavar="DUR", help="First-response target, e.g. 15m.")
@click.option("--resolution", required=True, metavar="DUR", help="Resolution target, e.g. 4h.")
@pass_cli
def target(state: CliContext, policy: str, priority: str, response: str, resolution: str) -> None:
    """Set one priority's targets in business time of the policy's calendar."""
    state.desk().set_target(
        policy,
        Priority.parse(priority),
        response_minutes=_business_minutes(response),
        resolution_minutes=_business_minutes(resolution),
    )
    click.echo(f"{policy}: {priority} now {response} response, {resolution} resolution")


@sla.group("policy")
def policy() -> None:
    """Add or change SLA policies."""


@policy.command("add")
@click.argument("name")
@click.option("--calendar", required=True, help="The business calendar targets count in.")
@click.option("--at-risk", type=float, default=0.75, show_default=True, help="Share of target.")
@click.option("--escalate", is_flag=True, help="Move At Risk/Breached tickets to Escalated.")
@click.option("--default", "make_default", is_flag=True, help="Use for clients without one.")
@pass_cli
def policy_add(
    state: CliContext,
    name: str,
    calendar: str,
    at_risk: float,
    escalate: bool,
    make_default: bool,
) -> None:
    """Add a policy; then set its targets with `regentra sla target`."""
    state.desk().add_policy(
        name,
        calendar=calendar,
        at_risk_share=at_risk,
        escalate_status=escalate,
        default=make_default,
    )
    click.echo(f"Added policy {name}")


@policy.command("set")
@click.argument("name")
@click.option("--calendar", help="Switch to another calendar.")
@click.option("--at-risk", type=float, help="Share of target that turns a clock At Risk.")
@click.option("--escalate/--no-escalate", default=None, help="Move to Escalated, or flag only.")
@click.option("--default", "make_default", is_flag=True, help="Make this the default policy.")
@pass_cli
def policy_set(
    state: CliContext,
    name: str,
    calendar: str | None,
    at_risk: float | None,
    escalate: bool | None,
    make_default: bool,
) -> None:
    """Change a policy's calendar, At Risk share, escalation or defaultness."""
    state.desk().set_policy(
        name,
        calendar=calendar,
        at_risk_share=at_risk,
        escalate_status=escalate,
        default=make_default,
    )
    click.echo(f"Updated policy {name}")


@sla.command("assign")
@click.argument("client")
@click.argument("policy_name", metavar="POLICY")
@pass_cli
def assign(state: CliContext, client: str, policy_name: str) -> None:
    """Give CLIENT its own POLICY ('default' to use the default policy)."""
    chosen = None if policy_name.lower() == "default" else policy_name
    state.desk().assign_policy(client, chosen)
    click.echo(f"{client} now uses {chosen or 'the default policy'}")


@sla.group("calendar")
def calendar() -> None:
    """Add business-hours calendars or change their hours."""


@calendar.command("add")
@click.argument("name")
@click.option("--hours", default="", help="e.g. 'mon-fri 09:00-17:00; sat 10:00-12:00'.")
@click.option("--tz", "timezone", default="UTC", show_default=True, help="IANA time zone.")
@click.option("--24x7", "always_open", is_flag=True, help="Always open.")
@pass_cli
def calendar_add(
    state: CliContext, name: str, hours: str, timezone: str, always_open: bool
) -> None:
    """Add a calendar with weekly hours in a time zone, or a 24x7 one."""
    state.desk().add_calendar(name, timezone=timezone, hours=hours, always_open=always_open)
    click.echo(f"Added calendar {name}")


@calendar.command("hours")
@click.argument("name")
@click.argument("hours")
@click.option("--tz", "timezone", help="Also change the IANA time zone.")
@pass_cli
def calendar_hours(state: CliContext, name: str, hours: str, timezone: str | None) -> None:
    """Replace a calendar's weekly opening hours."""
    state.desk().set_calendar_hours(name, hours, timezone=timezone)
    click.echo(f"{name}: {hours}")


@sla.group("holiday")
def holiday() -> None:
    """Close a calendar on holidays."""


@holiday.command("add")
@click.argument("calendar_name", metavar="CALENDAR")
@click.argument("day", metavar="DATE")
@click.option("--name", default="", help="What the holiday is.")
@pass_cli
def holiday_add(state: CliContext, calendar_name: str, day: str, name: str) -> None:
    """Close CALENDAR on DATE (YYYY-MM-DD)."""
    state.desk().add_holiday(calendar_name, _day(day), name)
    click.echo(f"{calendar_name} closed on {day}")


@holiday.command("seed")
@click.argument("calendar_name", metavar="CALENDAR")
@click.option("--country", required=True, help="ISO country code, e.g. US, DE, GB.")
@click.option(
    "--year",
    "years",
    type=click.IntRange(1970, 2999),
    multiple=True,
    required=True,
    help="Repeatable.",
)
@pass_cli
def holiday_seed(
    state: CliContext, calendar_name: str, country: str, years: tuple[int, ...]
) -> None:
    """Add a country's public holidays for the given years."""
    added = state.desk().seed_holidays(calendar_name, country, list(years))
    click.echo(f"Added {added} holiday(s) to {calendar_name}")
