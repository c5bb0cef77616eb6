"""Clients: the organisations the MSP supports, with their VIP flag, SLA policy and
the email domains whose unknown senders become their contacts.

``add_client`` and ``edit_client`` are use cases over the transaction they run in
(``Desk`` lists them).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from ..domains import normalise_domains
from ..errors import NoChange, NotFoundError, ValidationError
from ..events import EventKind
from ..records import ClientRecord
from ..store.models import Client, SlaPolicy
from .moves import clean_text
from .tx import Tx

UNSET = object()
"""``edit_client`` leaves a field alone unless it is given."""


def add_client(
    tx: Tx,
    name: str,
    *,
    vip: bool = False,
    sla_policy: str | None = None,
    domains: list[str] | tuple[str, ...] = (),
) -> ClientRecord:
    """Any technician may add a client; a VIP flag or an own SLA policy (which
    change priorities and deadlines) needs a lead."""
    tx.require_technician()
    if vip or sla_policy:
        tx.require_lead("set a client's VIP flag or SLA policy")
    name = clean_text(name, what="client name", limit=200)
    claimed = normalise_domains(domains)
    s = tx.session
    if s.exec(select(Client).where(Client.name == name)).first() is not None:
        raise ValidationError(f"a client named {name!r} already exists")
    _check_unclaimed(s, claimed, None)
    client = Client(
        name=name,
        vip=vip,
        sla_policy_id=_policy_id(s, sla_policy),
        domains=",".join(claimed),
        created_at=tx.now(),
    )
    s.add(client)
    s.flush()
    tx.event(None, EventKind.CLIENT_ADDED, to=name, detail=_describe(client, sla_policy))
    return ClientRecord.of(client)


def edit_client(
    tx: Tx,
    name: str,
    *,
    new_name: str | None = None,
    vip: bool | None = None,
    sla_policy: str | None | object = UNSET,
    domains: list[str] | tuple[str, ...] | None = None,
) -> ClientRecord:
    """Change what is given; ``sla_policy=None`` falls back to the default policy,
    ``domains`` replaces the list (empty: claims none)."""
    tx.require_technician()
    s = tx.session
    client = _client(s, name)
    before = _describe(client, _policy_name(s, client))
    if vip is not None and vip != client.vip:
        tx.require_lead("set a client's VIP flag")
        client.vip = vip
    if sla_policy is not UNSET:
        assert sla_policy is None or isinstance(sla_policy, str)
        policy_id = _policy_id(s, sla_policy)
        if policy_id != client.sla_policy_id:
            tx.require_lead("change a client's SLA policy")
            client.sla_policy_id = policy_id
    if new_name is not None:
        cleaned = clean_text(new_name, what="client name", limit=200)
        other = s.exec(select(Client).where(Client.name == cleaned)).first()
        if other is not None and other.id != client.id:
            raise ValidationError(f"a client named {cleaned!r} already exists")
        client.name = cleaned
    if domains is not None:
        claimed = normalise_domains(domains)
        _check_unclaimed(s, claimed, client.id)
        client.domains = ",".join(claimed)
    after = _describe(client, _policy_name(s, client))
    if after == before and client.name == name:
        raise NoChange(f"nothing to change on {name!r}")
    tx.event(None, EventKind.CLIENT_UPDATED, to=client.name, detail=f"{before} -> {after}")
    return ClientRecord.of(client)


def _client(s: Session, name: str) -> Client:
    row = s.exec(select(Client).where(Client.name == name)).first()
    if row is None:
        raise NotFoundError(f"no client named {name!r}")
    return row


def _policy_id(s: Session, name: str | None) -> int | None:
    if not name:
        return None
    row = s.exec(select(SlaPolicy).where(SlaPolicy.name == name)).first()
    if row is None:
        raise NotFoundError(f"no SLA policy named {name!r}")
    return row.id


def _policy_name(s: Session, client: Client) -> str | None:
    policy = s.get(SlaPolicy, client.sla_policy_id) if client.sla_policy_id else None
    return policy.name if policy else None


def _check_unclaimed(s: Session, domains: list[str], client_id: int | None) -> None:
    """A domain belongs to one client, or intake could not tell whose a sender is."""
    if not domains:
        return
    others = s.exec(select(Client).where(col(Client.domains) != "")).all()
    for other in others:
        if other.id == client_id:
            continue
        taken = set(other.domains.split(",")) & set(domains)
        if taken:
            raise ValidationError(f"{', '.join(sorted(taken))} already belongs to {other.name}")


def _describe(client: Client, policy: str | None) -> str:
    parts = ["VIP" if client.vip else "not VIP", f"SLA {policy or 'default'}"]
    parts.append(f"domains {client.domains.replace(',', ', ')}" if client.domains else "no domains")
    return "; ".join(parts)
