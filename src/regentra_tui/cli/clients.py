"""``regentra client add|list|edit``: the organisations tickets belong to."""

from __future__ import annotations

import click
from rich.table import Table

from regentra_core import UNSET, client_rows

from .context import CliContext, pass_cli
from .output import console, emit_json, json_option, safe


@click.group("client")
def client() -> None:
    """Add, list and edit clients (name, VIP, SLA policy, email domains)."""


_DOMAIN_HELP = (
    "An email domain the client claims (repeat, or comma-separated): unknown senders "
    "from it become the client's contacts."
)


@client.command("add")
@click.argument("name")
@click.option("--vip", is_flag=True, help="VIP: its Low and Medium tickets open as High.")
@click.option("--sla-policy", metavar="POLICY", help="Its own SLA policy (default: the desk's).")
@click.option("--domain", "domains", multiple=True, metavar="DOMAIN", help=_DOMAIN_HELP)
@json_option
@pass_cli
def client_add(
    state: CliContext,
    name: str,
    vip: bool,
    sla_policy: str | None,
    domains: tuple[str, ...],
    as_json: bool,
) -> None:
    """Add the client NAME."""
    added = state.desk().add_client(name, vip=vip, sla_policy=sla_policy, domains=domains)
    _report(state, added.name, as_json, "added")


@client.command("edit")
@click.argument("name")
@click.option("--name", "new_name", metavar="NEW", help="Rename the client.")
@click.option("--vip/--no-vip", default=None, help="Set or clear the VIP flag (leads).")
@click.option("--sla-policy", metavar="POLICY", help="Give it its own SLA policy (leads).")
@click.option("--default-policy", is_flag=True, help="Back to the desk's default policy.")
@click.option(
    "--domain", "domains", multiple=True, metavar="DOMAIN", help="Replaces the domain list."
)
@click.option("--no-domains", is_flag=True, help="Claim no domains.")
@json_option
@pass_cli
def client_edit(
    state: CliContext,
    name: str,
    new_name: str | None,
    vip: bool | None,
    sla_policy: str | None,
    default_policy: bool,
    domains: tuple[str, ...],
    no_domains: bool,
    as_json: bool,
) -> None:
    """Change what the options say about the client NAME; the rest stays."""
    if sla_policy and default_policy:
        raise click.UsageError("give --sla-policy or --default-policy, not both")
    if domains and no_domains:
        raise click.UsageError("give --domain or --no-domains, not both")
    policy: str | None | object = UNSET
    if sla_policy or default_policy:
        policy = sla_policy
    changed = state.desk().edit_client(
        name,
        new_name=new_name,
        vip=vip,
        sla_policy=policy,
        domains=[] if no_domains else (list(domains) if domains else None),
    )
    _report(state, changed.name, as_json, "updated")


@client.command("portal-admin")
@click.argument("email")
@click.option("--off", is_flag=True, help="Back to seeing only their own tickets.")
@json_option
@pass_cli
def client_portal_admin(state: CliContext, email: str, off: bool, as_json: bool) -> None:
    """Let the contact EMAIL see all their client's tickets in the portal (leads)."""
    contact = state.desk().set_portal_admin(email, not off)
    if as_json:
        emit_json({"email": contact.email, "client_admin": contact.client_admin})
        return
    what = "sees every ticket of their client" if contact.client_admin else "sees their own"
    click.echo(f"{contact.email} {what} in the portal")


@client.command("portal-signout")
@click.argument("email")
@json_option
@pass_cli
def client_portal_signout(state: CliContext, email: str, as_json: bool) -> None:
    """Sign the contact EMAIL out of the portal everywhere, at once (leads): every
    session and every unused sign-in link ends."""
    ended = state.desk().end_portal_sessions(email)
    if as_json:
        emit_json({"email": email.strip().lower(), "ended": ended})
        return
    click.echo(
        f"{email.strip().lower()} signed out of the portal: {ended} session(s) or link(s) ended"
    )


@client.command("list")
@json_option
@pass_cli
def client_list(state: CliContext, as_json: bool) -> None:
    """List clients with their VIP flag, SLA policy, domains and open tickets."""
    rows = client_rows(state.db)
    if as_json:
        emit_json(rows)
        return
    out = console()
    if not rows:
        out.print("No clients yet: add one with 'regentra client add NAME'.")
        return

    table = Table(box=None, pad_edge=False, header_style="bold")
    for name in ("Client", "VIP", "SLA policy", "Open", "Domains"):
        table.add_column(
            name, no_wrap=name != "Domains", justify="right" if name == "Open" else "left"
        )
    for row in rows:
        table.add_row(
            safe(row.name, flat=True),
            "VIP" if row.vip else "",
            row.sla_policy or "default",
            str(row.open_tickets),
            ", ".join(row.domains) or "-",
        )
    out.print(table)


def _report(state: CliContext, name: str, as_json: bool, what: str) -> None:
    row = next(r for r in client_rows(state.db) if r.name == name)
    if as_json:
        emit_json(row)
        return
    domains = ", ".join(row.domains) or "no domains"
    vip = "VIP, " if row.vip else ""
    click.echo(f"Client {row.name} {what}: {vip}SLA {row.sla_policy or 'default'}, {domains}")
