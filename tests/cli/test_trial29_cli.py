"""What a technician met using the shell commands after #29 (the trial in tmux).

``regentra serve`` on a port already taken said "Serving on http://…" first, then
six lines of uvicorn's start and shutdown around its error, and exited 3; a host
that does not resolve did the same. Bad input is one clear line.
"""

from __future__ import annotations

import socket


def test_serve_on_a_port_in_use_is_one_line(regentra):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = regentra("serve", "--port", str(port))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_serve_on_a_host_that_does_not_resolve_is_one_line(regentra):
    result = regentra("serve", "--host", "no-such-host.invalid", "--port", "8025")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: cannot listen on no-such-host.invalid:8025: ")
    assert result.stderr.count("\n") == 1
