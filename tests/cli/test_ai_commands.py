"""``regentra ai`` and ``regentra kb``, with --json, through the real command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.helpers.llm_standin import LlmStandIn
from tests.helpers.waiting import wait_for

from .conftest import REGENTRA

KB = Path(__file__).parents[2] / "data" / "kb"


def _ticket(regentra, subject: str, description: str) -> int:
    made = regentra.json(
        "ticket", "create", "-s", subject, "-d", description, "--contact", "sam@x.example"
    )
    return made["number"]


def test_kb_import_list_show_and_edit(regentra, tmp_path):
    assert regentra.json("kb", "import", str(KB)) == {"added": 5, "updated": 0, "unchanged": 0}
    again = regentra.json("kb", "import", str(KB))
    assert again == {"added": 0, "updated": 0, "unchanged": 5}
    slugs = [a["slug"] for a in regentra.json("kb", "list")]
    assert "printer-offline" in slugs
    shown = regentra("kb", "show", "printer-offline").output
    assert shown.startswith("# Network printer shows as offline\nTags: printer, network, windows")
    body = tmp_path / "body.md"
    body.write_text("1. Turn it off and on.\n", encoding="utf-8")
    edited = regentra.json("kb", "edit", "printer-offline", "--body-file", str(body))
    assert edited["body"] == "1. Turn it off and on."
    added = regentra.json("kb", "add", "--title", "Scanner jams", "--body-file", str(body))
    assert added["slug"] == "scanner-jams"


def test_kb_import_of_a_bad_file_names_it_and_imports_nothing(regentra, tmp_path):
    (tmp_path / "good.md").write_text("# Good\n\nbody", encoding="utf-8")
    (tmp_path / "bad.md").write_text("no title here", encoding="utf-8")
    result = regentra("kb", "import", str(tmp_path))
    assert result.exit_code != 0 and "bad: the first line must be '# Title'" in result.output
    assert regentra.json("kb", "list") == []


def test_ai_analyze_and_draft_without_a_model(regentra):
    regentra.json("kb", "import", str(KB))
    number = _ticket(regentra, "Phishing mail", "I clicked a phishing link and typed my password")
    analysis = regentra.json("ai", "analyze", str(number))
    assert analysis["security"] is True and analysis["source"] == "rules"
    assert set(analysis) >= {"suggested_priority", "frustration", "confidence", "reason"}
    assert regentra.json("ticket", "show", str(number))["ticket"]["priority"] == "high"
    draft = regentra.json("ai", "draft", str(number))
    assert draft["source"] == "extractive"
    assert draft["articles"][0] == "Suspected phishing email or compromised account"
    queue = regentra.json("ai", "reviews")
    assert sorted(s["kind"] for s in queue["suggestions"]) == ["analysis", "draft"]
    first = queue["suggestions"][0]["id"]
    assert regentra.json("ai", "review", str(first), "correct")["verdict"] == "correct"
    assert len(regentra.json("ai", "reviews")["suggestions"]) == 1
    report = regentra("ai", "reviews", "--all").output
    assert "Accuracy by week" in report and "100%" in report


def test_ai_commands_use_the_configured_model_through_litellm(db_path, tmp_path):
    server = LlmStandIn(
        default=json.dumps(
            {
                "suggested_priority": "critical",
                "security": False,
                "frustration": False,
                "confidence": 0.7,
                "reason": "sounds bad",
            }
        )
    ).start()
    try:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "REGENTRA_DATA_DIR": str(tmp_path / "data"),
            "REGENTRA_CONFIG": str(tmp_path / "none.toml"),
            "REGENTRA_SITE_CONFIG": str(tmp_path / "none-site.toml"),
            "REGENTRA_AI_MODEL": "openai/standin",
            "REGENTRA_AI_API_BASE": server.api_base,
            "REGENTRA_AI_API_KEY": "sk-test",
        }

        def run(*args: str) -> dict:
            done = subprocess.run(
                [REGENTRA, "--db", db_path, *args, "--json"],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr
            assert done.stderr == ""  # litellm stays quiet: no network, no warnings
            return json.loads(done.stdout)

        subprocess.run(
            [REGENTRA, "--db", db_path, "init"], env=env, check=True, capture_output=True
        )
        number = run("ticket", "create", "-s", "Slow PC", "--contact", "a@x.example")["number"]
        analysis = run("ai", "analyze", str(number))
        assert analysis["source"] == "model" and analysis["suggested_priority"] == "critical"
        shown = run("ticket", "show", str(number))["ticket"]
        assert shown["priority"] == "medium" and shown["suggested_priority"] == "critical"
        assert "Slow PC" in server.prompt_text()
    finally:
        server.stop()


MODEL_DRAFT = "Hi Sam, restart the Print Spooler service and print a test page."


@pytest.fixture
def standin():
    server = LlmStandIn(default=MODEL_DRAFT).start()
    yield server
    server.stop()


@pytest.fixture
def host_layout(tmp_path, monkeypatch, standin):
    """A shared host's configs: the host config names the model and its server (the
    address without ``/v1``, as an admin may write it); only the service account's
    ``worker.toml`` names the key's file. This process is the technician. The
    timeout is generous (the CLI waits it plus 10 s): a daemon on a loaded host can
    take 20 s to import litellm before it answers, and the stand-in answers at once."""
    site = tmp_path / "etc" / "config.toml"
    site.parent.mkdir()
    base = standin.api_base.removesuffix("/v1")
    site.write_text(
        f'ai_model = "openai/standin"\nai_api_base = "{base}"\nai_timeout_seconds = 30\n',
        encoding="utf-8",
    )
    key = tmp_path / "etc" / "secrets" / "ai_api_key"
    key.parent.mkdir()
    key.write_text("sk-daemon-only\n", encoding="utf-8")
    worker = tmp_path / "etc" / "worker.toml"
    worker.write_text(f'ai_api_key_file = "{key}"\n', encoding="utf-8")
    monkeypatch.setenv("REGENTRA_SITE_CONFIG", str(site))
    daemon_env = dict(os.environ)
    daemon_env.update(
        REGENTRA_CONFIG=str(worker),
        REGENTRA_DATA_DIR=str(tmp_path / "daemon-data"),
        REGENTRA_WORKER_LEASE_SECONDS="3",
        REGENTRA_WORKER_HEARTBEAT_SECONDS="0.3",
    )
    return daemon_env


def _daemon_holds_the_lease(db_path: str, pid: int) -> bool:
    from regentra_core.store import Database
    from regentra_core.worker import current_lease

    db = Database(db_path)
    try:
        lease = current_lease(db)
        return lease is not None and lease.alive() and f":{pid}:" in lease.holder
    finally:
        db.close()


def _pending_requests(db_path: str) -> list[tuple[str, str]]:
    from sqlalchemy import text

    from regentra_core.store import Database

    db = Database(db_path)
    try:
        with db.read() as s:
            rows = s.execute(text("SELECT kind, state FROM ai_request ORDER BY id"))
            return [(kind, state) for kind, state in rows]
    finally:
        db.close()


@pytest.mark.slow
def test_a_technician_without_the_key_gets_the_daemons_model_draft(
    regentra, db_path, host_layout, standin
):
    """A plain ``regentra worker`` whose config names the key's file answers the
    draft a technician's process (which has no key) asks for; the CLI waits and
    prints it. Before, the technician's own call failed ("Missing credentials")
    and printed the extractive draft."""
    regentra.json("kb", "import", str(KB))
    number = _ticket(regentra, "Printer offline", "The upstairs printer is offline again")
    daemon = subprocess.Popen(
        [REGENTRA, "--db", db_path, "worker"], env=host_layout, stderr=subprocess.DEVNULL
    )
    try:
        assert wait_for(lambda: _daemon_holds_the_lease(db_path, daemon.pid), 30)
        made = regentra.json("ai", "draft", str(number))  # waits ai_timeout_seconds + 10
        assert made["source"] == "model" and made["draft"] == MODEL_DRAFT
        assert made["articles"][0] == "Network printer shows as offline"
        assert "fallback" not in made
        shown = regentra("ai", "draft", str(number), "--wait", "60").output
        assert f"#{number} model draft" in shown and MODEL_DRAFT in shown
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(20)
    assert _pending_requests(db_path) == [("draft", "answered")] * 2


def test_without_a_daemon_the_cli_says_so_in_one_line_and_the_request_stays(
    regentra, db_path, host_layout
):
    number = _ticket(regentra, "Printer offline", "The upstairs printer is offline again")
    for command in ("draft", "analyze"):
        result = regentra("ai", command, str(number))
        assert result.exit_code == 1
        [line] = result.output.splitlines()
        assert "No worker daemon is running: ask an admin to start regentra-worker" in line
        assert "stays" in line
    assert _pending_requests(db_path) == [("draft", "pending"), ("analysis", "pending")]


def test_a_daemon_that_does_not_answer_in_time_is_one_line(regentra, db_path, host_layout):
    """A daemon holds the lease but is busy (here: beats, runs nothing): --wait ends."""
    from regentra_core.store import Database
    from regentra_core.worker.lease import acquire_or_renew

    number = _ticket(regentra, "Printer offline", "The upstairs printer is offline again")
    db = Database(db_path)
    try:
        assert acquire_or_renew(db, "host:1:worker", 60)
    finally:
        db.close()
    result = regentra("ai", "draft", str(number), "--wait", "0.5")
    assert result.exit_code == 1
    assert result.output.strip().endswith(
        "the worker daemon did not answer within 0.5 s (request 1 stays; "
        "its answer will be in `regentra ai reviews`)"
    )
