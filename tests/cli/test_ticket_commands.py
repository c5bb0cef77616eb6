"""The scriptable CLI: every command works, prints JSON, and fails in one clear line."""

from __future__ import annotations

import csv
import io
import json
import os
import pwd
import subprocess

import pytest

from regentra_core.store import Database, upgrade
from tests.cli.conftest import REGENTRA


def _create(regentra, **kw):
    args = [
        "ticket",
        "create",
        "--subject",
        kw.get("subject", "VPN down"),
        "--description",
        "cannot connect",
        "--priority",
        kw.get("priority", "medium"),
        "--channel",
        kw.get("channel", "email"),
        "--contact",
        kw.get("contact", "a@x.example"),
    ]
    return regentra.json(*args)


def test_init_registers_the_running_account_as_lead(regentra):
    me = pwd.getpwuid(os.getuid()).pw_name
    techs = regentra.json("technician", "list")
    assert techs == [{"username": me, "display_name": techs[0]["display_name"], "role": "lead"}]


def test_create_show_and_list_round_trip(regentra):
    created = _create(regentra, subject="Scanner broken", priority="high", channel="sms")
    assert created["status"] == "open" and created["priority"] == "high"
    assert created["channel"] == "sms"
    shown = regentra.json("ticket", "show", str(created["number"]))
    assert shown["ticket"]["subject"] == "Scanner broken"
    listed = regentra.json("ticket", "list")
    assert [t["number"] for t in listed] == [created["number"]]


def test_list_filters_by_channel(regentra):
    made = _create(regentra, channel="manual")
    _create(regentra, channel="email")
    assert [r["number"] for r in regentra.json("ticket", "list", "--channel", "manual")] == [
        made["number"]
    ]
    assert regentra.json("ticket", "list", "--channel", "sms", "--channel", "chat") == []


def test_list_filters_combine(regentra):
    a = _create(regentra, priority="high")
    b = _create(regentra, priority="low")
    _create(regentra, priority="high")
    regentra("ticket", "status", str(a["number"]), "in-progress")
    regentra("ticket", "status", str(b["number"]), "in-progress")
    rows = regentra.json("ticket", "list", "--status", "in-progress", "--priority", "high")
    assert [r["number"] for r in rows] == [a["number"]]
    me = pwd.getpwuid(os.getuid()).pw_name
    regentra("ticket", "assign", str(b["number"]), me)
    assert [r["number"] for r in regentra.json("ticket", "list", "--assignee", me)] == [b["number"]]
    assert len(regentra.json("ticket", "list", "--assignee", "none")) == 2
    assert regentra.json("ticket", "list", "--since", "2999-01-01") == []
    assert len(regentra.json("ticket", "list", "--until", "2999-01-01")) == 3


def test_work_a_ticket_end_to_end(regentra):
    n = str(_create(regentra)["number"])
    assert regentra("ticket", "status", n, "in-progress").exit_code == 0
    assert regentra("ticket", "reply", n, "--body", "Try the SSL profile").exit_code == 0
    assert regentra("ticket", "note", n, "--body", "ISP blocks UDP").exit_code == 0
    assert regentra("ticket", "time", n, "--minutes", "25").exit_code == 0
    assert regentra("ticket", "time", n, "-m", "10", "--non-billable").exit_code == 0
    assert regentra("ticket", "time", n, "--duration", "1h30").exit_code == 0
    assert regentra("ticket", "priority", n, "high").exit_code == 0
    assert regentra("ticket", "status", n, "resolved", "--resolution", "SSL profile").exit_code == 0
    detail = regentra.json("ticket", "show", n)
    assert [i["kind"] for i in detail["thread"]] == ["reply", "note"]
    assert detail["thread"][0]["delivery"] == "queued"
    assert detail["thread"][1]["private"] is True and detail["thread"][1]["delivery"] is None
    assert [e["minutes"] for e in detail["time_entries"]] == [25, 10, 90]
    kinds = [e["kind"] for e in regentra.json("ticket", "history", n)]
    assert kinds == [
        "created",
        "status_changed",
        "technician_reply",
        "outbound_queued",  # an email ticket: the reply goes out through the outbox
        "note_added",
        "time_logged",
        "time_logged",
        "time_logged",
        "priority_changed",
        "resolved",
    ]


def test_customer_reply_on_closed_ticket_reports_the_follow_up(regentra):
    n = str(_create(regentra)["number"])
    regentra("ticket", "status", n, "resolved")
    regentra("ticket", "status", n, "closed")
    out = regentra("ticket", "reply", n, "--body", "again!", "--from-customer")
    assert out.exit_code == 0
    assert f"#{n} is closed: opened follow-up ticket" in out.output


def test_master_link_cascade(regentra):
    m, c1, c2 = (str(_create(regentra)["number"]) for _ in range(3))
    assert regentra("ticket", "master", m).exit_code == 0
    assert regentra("ticket", "link", m, c1).exit_code == 0
    assert regentra("ticket", "link", m, c2).exit_code == 0
    regentra("ticket", "status", c2, "resolved")
    out = regentra("ticket", "status", m, "resolved")
    assert "1 open child ticket(s) left as they are" in out.output
    result = regentra.json("ticket", "cascade", m, "--status", "resolved", "--reply", "Fixed")
    assert result["changed"] == [int(c1)] and result["skipped"] == [int(c2)]
    assert regentra("ticket", "unlink", c1).exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ticket", "show", "4242"], "no ticket #4242"),
        (["ticket", "status", "1001", "closed"], "cannot move a ticket from Open to Closed"),
        (["ticket", "priority", "1001", "urgent"], "invalid PRIORITY 'urgent'"),
        (["ticket", "time", "1001", "--minutes", "0"], "minutes must be between"),
        (["ticket", "time", "1001", "--duration", "1h3x"], "not a duration: '1h3x'"),
        (["ticket", "time", "1001"], "give the time worked once"),
        (["ticket", "time", "1001", "-m", "5", "-d", "5m"], "give the time worked once"),
        (["ticket", "assign", "1001", "ghost"], "no active technician"),
        (["ticket", "link", "1001", "1001"], "cannot be its own child"),
        (["ticket", "list", "--since", "someday"], "not a day or time"),
        (
            ["ticket", "create", "--subject", " ", "--contact", "a@b.example"],
            "subject cannot be empty",
        ),
    ],
)
def test_bad_input_is_one_clear_line_and_non_zero_exit(regentra, args, message):
    _create(regentra)
    result = regentra(*args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_stale_version_exits_3_with_a_conflict_message(regentra):
    t = _create(regentra)
    n, v = str(t["number"]), str(t["version"])
    assert regentra("ticket", "status", n, "in-progress", "--expect-version", v).exit_code == 0
    late = regentra("ticket", "status", n, "waiting", "--expect-version", v)
    assert late.exit_code == 3
    assert "changed by someone else" in late.output


def test_worker_once_closes_resolved_tickets_as_of_the_given_time(regentra):
    n = str(_create(regentra)["number"])
    regentra("ticket", "status", n, "resolved")
    resolved_at = regentra.json("ticket", "show", n)["ticket"]["resolved_at"]
    from datetime import datetime, timedelta

    at = datetime.fromisoformat(resolved_at)
    future = (at + timedelta(hours=23, minutes=59)).isoformat()
    refused = regentra("worker", "--once", "--at", future)
    assert refused.exit_code != 0 and "is in the future" in refused.output
    assert "--force" in refused.output
    early = regentra.json("worker", "--once", "--at", future, "--force")
    assert early["auto_closed"] == []
    due = regentra.json(
        "worker", "--once", "--at", (at + timedelta(hours=24)).isoformat(), "--force"
    )
    assert due["auto_closed"] == [int(n)]


def test_technician_add_refuses_an_account_this_host_does_not_have(regentra):
    result = regentra("technician", "add", "nosuchuser")
    assert result.exit_code != 0
    assert "no account 'nosuchuser' on this host" in result.output


def test_real_command_on_a_desk_without_technicians_says_to_init(tmp_path):
    """The installed ``regentra`` script, end to end: a fresh database has no technicians."""
    db = str(tmp_path / "x.db")
    empty = Database(db)
    upgrade(empty)
    empty.close()
    result = subprocess.run(
        [REGENTRA, "--db", db, "ticket", "list"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "run 'regentra init' to become its first lead" in result.stderr
    assert "Traceback" not in result.stderr


def test_real_command_json_output(tmp_path):
    db = str(tmp_path / "x.db")
    subprocess.run([REGENTRA, "--db", db, "init"], check=True, capture_output=True, timeout=60)
    out = subprocess.run(
        [
            REGENTRA,
            "--db",
            db,
            "ticket",
            "create",
            "-s",
            "Hi",
            "--contact",
            "c@d.example",
            "--json",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(out.stdout)["number"] == 1001


def test_hostile_subject_is_printed_literally(regentra):
    n = str(_create(regentra, subject="[bold]x[/bold] \x1b[2J")["number"])
    out = regentra("ticket", "show", n).output
    assert "[bold]x[/bold]" in out
    assert "\x1b" not in out and "\\x1b[2J" in out


def test_piped_list_is_one_whole_ticket_a_line_and_csv_has_a_header(regentra):
    long_subject = "Printer on the third floor prints blank pages after the driver update " * 2
    number = _create(regentra, subject=long_subject.strip())["number"]
    piped = regentra("ticket", "list").stdout  # CliRunner's stdout is not a terminal
    [line] = piped.splitlines()
    cells = line.split("\t")
    assert cells[0] == str(number) and cells[4] == long_subject.strip()  # never cut
    rows = list(csv.reader(io.StringIO(regentra("ticket", "list", "--csv").stdout)))
    assert rows[0][:5] == ["number", "status", "priority", "sla", "subject"]
    assert rows[1][0] == str(number) and rows[1][4] == long_subject.strip()


@pytest.mark.parametrize("width", [80, 120, 140])
def test_the_terminal_table_always_shows_number_and_subject(regentra, width):
    from rich.console import Console

    from regentra_core import queries
    from regentra_core.store import Database
    from regentra_tui.cli.ticket_print import ticket_table as _ticket_table

    _create(regentra, subject="Scanner jams on every page")
    db = Database(regentra.db_path)
    rows = queries.list_tickets(db)
    out = Console(width=width, record=True, file=io.StringIO())
    out.print(_ticket_table(rows, width))
    text = out.export_text()
    header, first = text.splitlines()[:2]
    assert header.startswith("#") and "Subject" in header
    assert first.split()[0] == str(rows[0].number)
    assert "Scanner jams on every page" in first
    db.close()


def test_a_client_made_on_the_command_line_takes_tickets(regentra):
    added = regentra.json("client", "add", "Acme", "--domain", "acme.example", "--vip")
    assert added == {
        "name": "Acme",
        "vip": True,
        "sla_policy": None,
        "domains": ["acme.example"],
        "open_tickets": 0,
    }
    created = regentra.json(
        "ticket", "create", "--subject", "VPN down", "--client", "Acme", "--contact", "a@x.example"
    )
    assert created["client"] == "Acme"
    edited = regentra.json("client", "edit", "Acme", "--no-vip", "--domain", "acme.co.uk")
    assert edited["vip"] is False and edited["domains"] == ["acme.co.uk"]
    assert [c["open_tickets"] for c in regentra.json("client", "list")] == [1]
    refused = regentra("client", "edit", "Acme", "--domain", "x", "--no-domains")
    assert refused.exit_code == 2 and "not both" in refused.output


def test_a_lead_makes_a_contact_a_client_admin_of_the_portal(regentra):
    regentra("client", "add", "Acme")
    regentra("ticket", "create", "--subject", "VPN", "--client", "Acme", "--contact", "a@x.example")
    made = regentra.json("client", "portal-admin", "A@x.example")
    assert made == {"email": "a@x.example", "client_admin": True}
    again = regentra("client", "portal-admin", "a@x.example")
    assert again.exit_code != 0 and "already a client admin" in again.output
    assert "sees their own" in regentra("client", "portal-admin", "a@x.example", "--off").output
    unknown = regentra("client", "portal-admin", "nobody@x.example")
    assert unknown.exit_code != 0 and "no contact" in unknown.output


def test_a_lead_signs_a_contact_out_of_the_portal_everywhere(regentra):
    from regentra_core.desk import Desk
    from regentra_core.identity import Actor

    regentra("ticket", "create", "--subject", "VPN", "--contact", "a@x.example")
    db = Database(regentra.db_path)
    try:
        portal = Desk(db, Actor.system("portal"), source="portal")
        portal.request_portal_signin("a@x.example", "2" * 64, "https://help.example/signin/x")
        assert portal.use_portal_signin("2" * 64) is not None
    finally:
        db.close()
    ended = regentra.json("client", "portal-signout", "A@x.example")
    assert ended == {"email": "a@x.example", "ended": 1}
    assert "0 session(s)" in regentra("client", "portal-signout", "a@x.example").output
    unknown = regentra("client", "portal-signout", "nobody@x.example")
    assert unknown.exit_code != 0 and "no contact" in unknown.output


def test_a_technician_accepts_a_reply_from_another_sender(regentra):
    from datetime import UTC, datetime

    from regentra_core.channels.message import Inbound
    from regentra_core.desk import Desk
    from regentra_core.enums import Channel
    from regentra_core.identity import Actor

    regentra("ticket", "create", "--subject", "VPN", "--contact", "a@x.example")
    number = regentra.json("ticket", "list")[0]["number"]
    db = Database(regentra.db_path)
    try:
        mail = Desk(db, Actor.system("email"), source="worker")
        mail.receive(
            Inbound(
                Channel.EMAIL,
                "<lure@evil.example>",
                "attacker@evil.example",
                datetime.now(UTC),
                sender_name="Support",
                subject=f"[#{number}] reset your password",
                body="https://evil.example/reset",
            )
        )
    finally:
        db.close()
    assert "(unverified sender)" in regentra("ticket", "show", str(number)).output
    done = regentra("ticket", "accept", str(number), "--from", "attacker@evil.example")
    assert done.exit_code == 0 and f"1 reply(ies) on #{number} accepted" in done.output
    assert "(unverified sender)" not in regentra("ticket", "show", str(number)).output
    again = regentra("ticket", "accept", str(number))
    assert again.exit_code != 0 and "no reply from another sender" in again.output
