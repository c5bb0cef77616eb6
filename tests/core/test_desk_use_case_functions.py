"""The intake, contacts, spikes, delivery, AI and SLA use cases are plain functions
over an explicit transaction (issue #29, "The Desk hides its state").

Their state lives in the ``Tx`` they are given (its typed memos), never in
``Session.info`` under string keys nor in a mixin's methods that depend on each
other's side effects; ``Desk`` lists each one, made a method by ``in_transaction``
(one transaction) or ``at_door`` (it opens its own: a batch retried one message at
a time, the SLA sweep's chunks).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from datetime import UTC, datetime
from types import ModuleType

import pytest

import regentra_core.desk
from regentra_core.channels import Inbound
from regentra_core.desk import Desk, ai, channels, contacts, delivery, intake, sla, spikes
from regentra_core.desk.channels import IntakeMemo
from regentra_core.desk.contacts import ContactMemo
from regentra_core.desk.tx import transaction
from regentra_core.desk.use_case import at_door, in_transaction
from regentra_core.enums import Channel, InboundOutcome

MODULES = tuple(
    importlib.import_module(f"regentra_core.desk.{m.name}")
    for m in pkgutil.iter_modules(regentra_core.desk.__path__)
)
"""Every module of the desk package."""

AT_DOOR = {"receive", "receive_many", "run_sla_sweep"}
"""Use cases that open their own transactions."""

DESK_CASES = {
    channels: ["receive", "receive_many", "accept_skipped", "purge_skipped_mail"],
    intake: ["create_ticket", "add_customer_reply"],
    contacts: ["add_contact", "edit_contact", "merge_contacts"],
    spikes: ["make_spike_master"],
    delivery: ["start_delivery", "finish_delivery"],
    ai: [
        "record_analysis",
        "record_draft",
        "request_ai",
        "fail_ai_request",
        "review_suggestion",
        "discard_draft",
    ],
    sla: [
        "add_calendar",
        "set_calendar_hours",
        "add_holiday",
        "seed_holidays",
        "add_policy",
        "set_policy",
        "set_target",
        "assign_policy",
        "run_sla_sweep",
    ],
}


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_a_desk_module_holds_functions_not_a_mixin_nor_session_info_memos(module: ModuleType):
    tree = ast.parse(inspect.getsource(module))
    mixins = [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and any(
            isinstance(b, ast.Name) and b.id.endswith("Cases") or _is(b, "DeskBase")
            for b in node.bases
        )
    ]
    assert not mixins, f"{module.__name__} still has mixins: {mixins}"
    hidden = sorted(
        {
            f"line {node.lineno}"
            for node in ast.walk(tree)
            if (isinstance(node, ast.Attribute) and node.attr == "info")
            or (isinstance(node, ast.Name) and node.id == "_memo")
        }
    )
    assert not hidden, f"{module.__name__} keeps state in Session.info or _memo: {hidden}"


def test_the_desk_is_one_class_of_its_own_not_a_stack_of_mixins():
    """Its one base is what it shares with a ``Tx``: reading the door (no use case)."""
    from regentra_core.desk.tx import OnDoor, Tx

    assert Desk.__mro__ == (Desk, OnDoor, object)
    assert Tx.__mro__ == (Tx, OnDoor, object)
    assert {n for n in vars(OnDoor) if not n.startswith("__")} == {"db", "clock", "config"}


@pytest.mark.parametrize(
    ("module", "name"),
    [(m, n) for m, names in DESK_CASES.items() for n in names],
    ids=lambda v: v if isinstance(v, str) else v.__name__.rsplit(".", 1)[-1],
)
def test_the_desk_lists_each_use_case_function_by_its_own_name(module: ModuleType, name: str):
    listed = Desk.__dict__.get(name)
    kind = at_door if name in AT_DOOR else in_transaction
    assert isinstance(listed, kind), f"Desk.{name} is not {kind.__name__}({module.__name__}.{name})"
    assert listed.fn is getattr(module, name)


def _is(base: ast.expr, name: str) -> bool:
    return isinstance(base, ast.Name) and base.id == name


def test_the_intake_memo_counts_a_senders_new_tickets_as_the_batch_opens_them(desk):
    """The rate limit's count is read once, then moved by the intake as it opens
    each ticket, in one visible place: a batch from one sender past the limit has
    its later messages held back, and the memo says how many it opened."""
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    batch = [
        (
            Inbound(
                channel=Channel.EMAIL,
                external_id=f"<m{n}@example.net>",
                sender="flood@example.net",
                subject=f"Printer {n} is jammed again today",
                body="It jams.",
                received_at=now,
            ),
            None,
        )
        for n in range(5)
    ]
    with transaction(desk.door) as tx:
        memo = tx.memo(IntakeMemo)
        assert memo.new_tickets(tx, "flood@example.net", now) == 0
        results = [channels._receive(tx, m, 3, frozenset(), False) for m, _ in batch]
        assert memo.new_by_sender["flood@example.net"] == 3
        assert tx.memo(ContactMemo).by_key["flood@example.net"] is not None
    assert [r.outcome for r in results] == [InboundOutcome.CREATED] * 3 + [
        InboundOutcome.SKIPPED
    ] * 2


def test_a_desk_method_shows_the_parameters_its_caller_passes_not_the_transaction(desk):
    params = list(inspect.signature(desk.change_status).parameters)
    assert params[:2] == ["number", "status"]
    assert list(inspect.signature(desk.receive).parameters)[0] != "door"
