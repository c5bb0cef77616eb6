"""``regentra ai`` and ``regentra kb``, with --json, through the real command."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.helpers.llm_standin import LlmStandIn

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
