"""``regentra contact add|edit|list|merge``: the people who raise tickets.

A contact is named by ``#id``, its email address or its phone number (typed in
any spelling: numbers are normalised to E.164 with the desk's
``sms_default_region``, as SMS senders are). The writes are the Desk's
(``desk/contacts.py``); the list is ``queries.contacts``.
"""

from __future__ import annotations

import click
from rich.table import Table

from regentra_core import ContactRow, client_known, contact_rows

from .context import CliContext, pass_cli
from .output import console, emit_json, json_option, safe

_KEY = "#ID, EMAIL or PHONE"


@click.group("contact")
def contact() -> None:
    """Add, edit, list and merge contacts (name, email, phone in E.164, client)."""


@contact.command("add")
@click.argument("name")
@click.option("--email", metavar="EMAIL", help="Their email address.")
@click.option("--phone", metavar="PHONE", help="Their number, any spelling (stored in E.164).")
@click.option("--client", metavar="CLIENT", help="The client they work for.")
@json_option
@pass_cli
def contact_add(
    state: CliContext,
    name: str,
    email: str | None,
    phone: str | None,
    client: str | None,
    as_json: bool,
) -> None:
    """Add the contact NAME, with an --email or a --phone (or both): an address or
    a number another contact has is refused, naming that contact."""
    added = state.desk().add_contact(
        name, email=email, phone=phone, client=client, region=_region(state)
    )
    _report(state, added.id, as_json, "added")


@contact.command("edit")
@click.argument("key", metavar="CONTACT")
@click.option("--name", metavar="NAME", help="Their name.")
@click.option("--email", metavar="EMAIL", help='Their email address ("" clears it).')
@click.option("--phone", metavar="PHONE", help='Their number, any spelling ("" clears it).')
@click.option("--client", metavar="CLIENT", help='The client they work for ("" for none).')
@json_option
@pass_cli
def contact_edit(
    state: CliContext,
    key: str,
    name: str | None,
    email: str | None,
    phone: str | None,
    client: str | None,
    as_json: bool,
) -> None:
    """Change what the options say about CONTACT (#ID, EMAIL or PHONE); the rest
    stays. Their tickets keep their client (merge moves tickets)."""
    if name is None and email is None and phone is None and client is None:
        raise click.UsageError("say what to change: --name, --email, --phone or --client")
    changed = state.desk().edit_contact(
        key, name=name, email=email, phone=phone, client=client, region=_region(state)
    )
    _report(state, changed.id, as_json, "updated")


@contact.command("list")
@click.option("--client", metavar="CLIENT", help='Only this client\'s contacts ("" for none).')
@click.option("--merged", is_flag=True, help="Also the contacts merged into others.")
@json_option
@pass_cli
def contact_list(state: CliContext, client: str | None, merged: bool, as_json: bool) -> None:
    """List contacts with their email, phone, client and tickets."""
    if client and not client_known(state.db, client):
        raise click.ClickException(f"no client named {client.strip()!r}")
    rows = contact_rows(state.db, client=client, merged=merged)
    if as_json:
        emit_json([_json(r) for r in rows])
        return
    out = console()
    if not rows:
        out.print("No contacts: add one with 'regentra contact add NAME --email E --phone P'.")
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for heading in ("Id", "Name", "Email", "Phone", "Client", "Tickets"):
        table.add_column(heading, justify="right" if heading in ("Id", "Tickets") else "left")
    for row in rows:
        table.add_row(
            row.key,
            safe(row.name, flat=True)
            + (f" (merged into #{row.merged_into})" if row.merged_into else ""),
            safe(row.email or "-", flat=True),
            row.phone or "-",
            safe(row.client or "-", flat=True),
            str(row.tickets),
        )
    out.print(table)


@contact.command("merge")
@click.argument("merged", metavar="FROM")
@click.argument("into", metavar="INTO")
@click.option(
    "--force", is_flag=True, help="Merge a contact of another client: its tickets change client."
)
@json_option
@pass_cli
def contact_merge(state: CliContext, merged: str, into: str, force: bool, as_json: bool) -> None:
    """Merge contact FROM into INTO (each #ID, EMAIL or PHONE): one person, one
    contact. FROM's tickets and replies move to INTO, its portal sessions end, and
    its address and number lead to INTO from now on."""
    result = state.desk().merge_contacts(merged, into, force=force, region=_region(state))
    if as_json:
        emit_json(
            {
                "merged": result.merged.id,
                "into": result.into.id,
                "tickets": list(result.tickets),
                "replies": result.replies,
                "portal_sessions_ended": result.sessions_ended,
                "client_changed": result.client_changed,
            }
        )
        return
    tickets = ", ".join(f"#{n}" for n in result.tickets) or "none"
    click.echo(
        f"Contact #{result.merged.id} merged into #{result.into.id} "
        f"{_plain(result.into.name)}: tickets moved: {tickets}; {result.replies} reply(ies); "
        f"{result.sessions_ended} portal session(s) ended"
        + ("; the tickets changed client" if result.client_changed else "")
    )


def _region(state: CliContext) -> str:
    return state.settings.sms_default_region


def _plain(text: str) -> str:
    return safe(text, flat=True).plain


def _json(row: ContactRow) -> dict[str, object]:
    return {
        "id": row.id,
        "name": row.name,
        "email": row.email,
        "phone": row.phone,
        "client": row.client,
        "client_admin": row.client_admin,
        "tickets": row.tickets,
        "merged_into": row.merged_into,
    }


def _report(state: CliContext, contact_id: int, as_json: bool, what: str) -> None:
    row = next(r for r in contact_rows(state.db, merged=True) if r.id == contact_id)
    if as_json:
        emit_json(_json(row))
        return
    reach = ", ".join(p for p in (row.email, row.phone) if p)
    click.echo(f"Contact {row.key} {_plain(row.name)} {what}: {reach}; {row.client or 'no client'}")
