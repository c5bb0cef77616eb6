"""The command line reads dates, choices and bare groups the same way everywhere."""

from __future__ import annotations

import os
import pwd

import pytest

from tests.cli.test_ticket_commands import _create


@pytest.mark.parametrize("since", ["1d", "yesterday", "last week", "2d ago"])
def test_ticket_list_since_takes_the_words_report_from_takes(regentra, since):
    created = _create(regentra, subject="Printer jam")
    listed = regentra.json("ticket", "list", "--since", since)
    assert [t["number"] for t in listed] == [created["number"]]
    assert regentra("report", "sla", "--from", since, "--json").exit_code == 0


def test_ticket_list_until_a_day_includes_it_and_an_earlier_day_does_not(regentra):
    created = _create(regentra, subject="Printer jam")
    assert [t["number"] for t in regentra.json("ticket", "list", "--until", "today")] == [
        created["number"]
    ]
    assert regentra.json("ticket", "list", "--until", "yesterday") == []
    assert regentra.json("ticket", "list", "--since", "2026-01-01T00:00") != []


def test_a_date_option_refuses_a_non_date_in_one_line_exit_1(regentra):
    result = regentra("ticket", "list", "--since", "last weak")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert "yesterday" in result.output and "Traceback" not in result.output


def test_an_invalid_choice_names_the_argument_lists_the_choices_once_and_exits_1(regentra):
    _create(regentra)
    result = regentra("ticket", "status", "1001", "bogus")
    assert result.exit_code == 1
    line = result.output.strip()
    assert "\n" not in line
    assert "STATUS" in line and "'bogus'" in line
    assert line.count("in-progress") == 1
    assert "{" not in line


def test_an_invalid_option_choice_is_refused_the_same_way(regentra):
    result = regentra("ticket", "list", "--sla", "bogus")
    assert result.exit_code == 1
    line = result.output.strip()
    assert "--sla" in line and line.count("breached") == 1 and "{" not in line


def test_a_group_without_its_command_prints_its_help_and_exits_0(regentra):
    result = regentra("ticket")
    assert result.exit_code == 0
    assert "Error" not in result.output
    assert "Commands:" in result.output and "status" in result.output


def test_a_missing_option_is_still_a_usage_error_exit_2(regentra):
    assert regentra("ticket", "list", "--bogus").exit_code == 2


def test_init_help_and_a_plain_init_by_root_agree_about_the_lead(regentra):
    help_text = " ".join(regentra("init", "--help").output.split())
    assert "required when root sets up a desk" not in help_text
    assert "root must name one with --shared" in help_text
    me = pwd.getpwuid(os.getuid()).pw_name
    assert [t["username"] for t in regentra.json("technician", "list")] == [me]


def test_a_holiday_takes_a_day_as_every_date_option_does(regentra):
    regentra("sla", "calendar", "add", "Office", "--hours", "mon-fri 09:00-17:00")
    assert regentra("sla", "holiday", "add", "Office", "2026-12-25").exit_code == 0
    bad = regentra("sla", "holiday", "add", "Office", "someday")
    assert bad.exit_code == 1 and "not a day" in bad.output


def test_a_reply_on_a_manual_ticket_says_it_was_saved_not_sent(regentra):
    created = _create(regentra, channel="manual")
    number = str(created["number"])
    result = regentra("ticket", "reply", number, "--body", "Called back, fixed")
    assert result.exit_code == 0
    assert f"Reply saved on #{number}: not sent (manual ticket" in result.output
    emailed = _create(regentra, channel="email")
    sent = regentra("ticket", "reply", str(emailed["number"]), "--body", "On it")
    assert f"Reply added to #{emailed['number']}" in sent.output
    assert "not sent" not in sent.output


def test_ticket_show_says_a_ticket_was_resolved_without_a_reply(regentra):
    created = _create(regentra)
    number = str(created["number"])
    assert regentra("ticket", "status", number, "resolved", "--resolution", "Fixed").exit_code == 0
    shown = regentra("ticket", "show", number)
    assert "resolved without a reply" in shown.output
    assert "No Reply" in shown.output
