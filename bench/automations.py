"""What 50 automation rules add to each ticket creation (issue #13: under 2 ms).

Every ticket creation runs the enabled ``ticket_created`` rules in its own
transaction and logs each evaluation. Measured through ``Desk.create_ticket`` (the
call the app, the CLI and every channel make), one SQLite desk per variant,
interleaved in rounds so the shared host's noise falls on all of them alike:

- baseline: no rules;
- 50 rules: 50 ``ticket_created`` rules of realistic shapes (client, subject text,
  a regex, channel, VIP, priority, contact address, body), none of which matches:
  the cost of evaluating (and logging) them;
- 50 rules, 3 act: 47 of those and 3 that match every ticket and act (a note, an
  assignment, a priority change): evaluation plus the work of three actions;
- spike on: no rules, the ticket-spike policy on. Every variant creates thousands
  of tickets for one client in minutes, a flood the policy treats as one spike
  (each new ticket joins it and is raised to HIGH); the other variants switch the
  policy off so that they measure the rules alone.

``BENCH_CREATIONS`` (default 10,000) tickets per variant; medians and 90th
percentiles per creation, and the median difference.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

CREATIONS = int(os.environ.get("BENCH_CREATIONS", "10000"))
ROUNDS = 10


def _rules(acting: bool = True) -> str:
    shapes = [
        '{ field = "client", op = "is", value = "Client %d" }',
        '{ field = "subject", op = "contains", value = "outage %d" }',
        '{ field = "subject", op = "matches", value = "(?i)\\\\bserver-%d\\\\b" }',
        '{ field = "contact_email", op = "contains", value = "@vendor%d.example" }',
        '{ field = "channel", op = "in", value = ["sms", "chat"] }, '
        '{ field = "body", op = "contains", value = "code %d" }',
        '{ field = "vip", op = "is", value = true }, '
        '{ field = "priority", op = "in", value = ["low"] }, '
        '{ field = "subject", op = "contains", value = "x%d" }',
    ]
    blocks = []
    for n in range(47):
        condition = shapes[n % len(shapes)].replace("%d", str(n))
        blocks.append(
            f'[[rule]]\nname = "Rule {n}"\ntrigger = "ticket_created"\norder = {n}\n'
            f"conditions = [{condition}]\n"
            f'actions = [{{ action = "add_note", body = "rule {n}" }}]\n'
        )
    matching = [
        '[{ action = "add_note", body = "Seen: #{number} {subject}" }]',
        '[{ action = "assign", to = "bob" }]',
        '[{ action = "set_priority", value = "high" }]',
    ]
    if not acting:
        matching = []
    for n in range(3 - len(matching)):
        blocks.append(
            f'[[rule]]\nname = "Quiet {n}"\ntrigger = "ticket_created"\norder = {90 + n}\n'
            'conditions = [{ field = "subject", op = "contains", value = "never-said" }]\n'
            'actions = [{ action = "add_note", body = "x" }]\n'
        )
    for n, actions in enumerate(matching):
        blocks.append(
            f'[[rule]]\nname = "Match {n}"\ntrigger = "ticket_created"\norder = {100 + n}\n'
            'conditions = [{ field = "subject", op = "contains", value = "request" }]\n'
            f"actions = {actions}\n"
        )
    return "\n".join(blocks)


def run() -> None:
    from regentra_core.desk import Desk, resolve_os_technician
    from regentra_core.desk_config import DeskConfig
    from regentra_core.enums import Channel, Priority, Role
    from regentra_core.identity import Actor
    from regentra_core.spike import SpikePolicy
    from regentra_core.store import Database, upgrade

    work = Path(tempfile.mkdtemp(prefix="regentra-bench-rules-"))
    desks = {}
    for variant in ("baseline", "50 rules", "50 rules, 3 act", "spike on"):
        db = Database(str(work / f"{variant.replace(' ', '-').replace(',', '')}.db"))
        upgrade(db)
        spike = SpikePolicy(enabled=variant == "spike on")
        config = DeskConfig(spike=spike)
        system = Desk(db, Actor.system("bench"), source="bench", config=config)
        for name in ("alice", "bob"):
            system.add_technician(name, role=Role.LEAD)
        desk = Desk(db, resolve_os_technician(db, "alice"), source="bench", config=config)
        desk.add_client("Acme", vip=False)
        if variant.startswith("50 rules"):
            added, _ = desk.import_rules(_rules(acting=variant.endswith("act")))
            assert len(added) == 50
        desks[variant] = desk

    times: dict[str, list[float]] = {v: [] for v in desks}
    per_round = CREATIONS // ROUNDS
    counter = 0
    for _ in range(ROUNDS):
        for variant, desk in desks.items():
            for i in range(per_round):
                counter += 1
                start = time.perf_counter()
                desk.create_ticket(
                    subject=f"Service request {counter}: printer on floor {i % 7}",
                    description="The printer shows an error; code 4711. Please help.",
                    priority=Priority.MEDIUM,
                    channel=Channel.EMAIL,
                    contact_email=f"user{i % 40}@acme.example",
                    client_name="Acme",
                )
                times[variant].append(time.perf_counter() - start)

    def ms(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    print(f"Ticket creations through Desk.create_ticket, {CREATIONS} per variant, interleaved:")
    base = statistics.median(times["baseline"])
    for variant, values in times.items():
        median = statistics.median(values)
        print(
            f"  {variant:<15} median {1000 * median:6.2f} ms  p90 {ms(values, 0.9):6.2f} ms  "
            f"({median / base:4.2f}x baseline, {1000 * (median - base):+.2f} ms)"
        )
    with desks["50 rules"].db.read() as s:
        from sqlalchemy import func
        from sqlmodel import select

        from regentra_core.store.models import AutomationRun

        logged = s.exec(select(func.count()).select_from(AutomationRun)).one()
    print(f"  execution log rows written with 50 rules: {logged}")
