"""A reloaded daemon names its mail with the settings it reloaded.

The worker reloads its settings on a config change or SIGHUP; the desk it holds kept
the mail identity of its start, so a changed ``support_address`` went on naming the
old domain in every Message-ID the daemon queued until someone restarted it. Its
channel jobs come from a new ``Wiring`` of the new settings; its timer jobs' Desk
takes the new ``DeskConfig`` through ``WorkerRunner.replace_extra_jobs``.
"""

from __future__ import annotations

from sqlmodel import Session, select

from regentra_core.config import load_settings
from regentra_core.desk import Desk
from regentra_core.enums import Channel, Priority
from regentra_core.store.models import OutboundMessage
from regentra_core.wiring import Wiring, open_database


def _queued_ids(db) -> list[str]:
    with Session(db.engine) as s:
        return list(s.exec(select(OutboundMessage.message_id).order_by(OutboundMessage.id)))


def test_a_reloaded_daemons_timer_jobs_name_the_new_support_domain(
    db_path, alice, monkeypatch, clock
):
    """A periodic rule's notification, queued by the daemon's automations timer after
    a reload, carries the new domain in its Message-ID."""
    from regentra_core.automation import rule_from

    monkeypatch.setenv("REGENTRA_SUPPORT_ADDRESS", "help@old.example")
    opened = open_database(load_settings(), db_path)
    try:
        desk = Desk(opened, alice, source="test", clock=clock)
        desk.create_ticket(
            subject="VPN down",
            description="",
            priority=Priority.MEDIUM,
            channel=Channel.EMAIL,
            contact_email="sam@acme.example",
        )
        desk.save_rule(
            rule_from(
                {
                    "name": "Tell the lead",
                    "trigger": "periodic",
                    "conditions": [{"field": "priority", "op": "is", "value": "medium"}],
                    "actions": [
                        {
                            "action": "notify",
                            "to": "lead@msp.example",
                            "subject": "#{number}",
                            "body": "{subject}",
                        }
                    ],
                }
            )
        )
        runner = Wiring(load_settings(), opened, None, clock).runner(
            label="test", with_secrets=False
        )
        assert runner.config.mail.domain == "old.example"
        monkeypatch.setenv("REGENTRA_SUPPORT_ADDRESS", "help@new.example")
        new = load_settings()  # what the daemon's reload does (cli/admin.py)
        fresh = Wiring(new, opened, None, clock)
        runner.replace_extra_jobs(fresh.channel_jobs(), new.desk_config())
        runner.run_job("automations")
        [queued] = _queued_ids(opened)
    finally:
        opened.close()
    assert queued.endswith("@new.example>")
