"""A detached tmux session running one command, read and typed into as a person would."""

from __future__ import annotations

import subprocess
import time
import uuid


class Terminal:
    """A detached tmux session running one command (120x40 unless told).

    Each terminal has a tmux server of its own (``-L``): on one shared server a
    session started by one test worker just as another's last session ended met
    the server on its way out ("exit status 1" at ``new-session``, seen in CI).
    """

    def __init__(
        self, command: str, env: dict[str, str], *, width: int = 120, height: int = 40
    ) -> None:
        self.name = f"regentra-e2e-{uuid.uuid4().hex[:8]}"
        self.tmux = ["tmux", "-L", self.name]
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        started = subprocess.run(
            [
                *self.tmux,
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(width),
                "-y",
                str(height),
                f"env -u COLUMNS -u LINES {exports} TERM=xterm-256color {command}",
            ],
            capture_output=True,
            text=True,
        )
        if started.returncode != 0:
            raise AssertionError(f"tmux could not start {command!r}: {started.stderr.strip()}")
        # A detached session may take the server's default size; insist on its size.
        subprocess.run([*self.tmux, "set-option", "-t", self.name, "window-size", "manual"])
        subprocess.run(
            [*self.tmux, "resize-window", "-t", self.name, "-x", str(width), "-y", str(height)]
        )

    def screen(self) -> str:
        out = subprocess.run(
            [*self.tmux, "capture-pane", "-t", self.name, "-p"], capture_output=True, text=True
        )
        return out.stdout

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *keys], check=True)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; screen was:\n{self.screen()}")

    def pid(self) -> int:
        """The process the session runs (its shell ``exec``s into the command)."""
        out = subprocess.run(
            [*self.tmux, "display-message", "-p", "-t", self.name, "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(out.stdout.strip())

    def alive(self) -> bool:
        return subprocess.run([*self.tmux, "has-session", "-t", self.name]).returncode == 0

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)
