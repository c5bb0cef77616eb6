"""A throwaway PostgreSQL cluster on loopback, from Debian's own binaries.

``initdb`` into a temporary folder, ``postgres`` listening on 127.0.0.1 at a free
port (and a socket in the same folder), trust authentication: nothing outside the
folder is touched and it is deleted on stop. PostgreSQL refuses to run as root, so
as root the cluster belongs to the ``postgres`` account the Debian package made.

Used two ways: ``./dev test`` starts one for the whole PostgreSQL pass (``python -m
tests.helpers.postgres start`` prints its URL, ``stop FOLDER`` ends it), and the
test fixtures make one database per test in it from a migrated template.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SUPERUSER = "regentra"


def binaries() -> Path | None:
    """The newest installed PostgreSQL's ``bin`` folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(found[-1]).parent if found else None


def _version(path: str) -> int:
    try:
        return int(Path(path).parent.parent.name)
    except ValueError:
        return 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


def start(folder: Path | None = None) -> tuple[Path, str]:
    """Start a cluster; returns its folder and a SQLAlchemy URL of its ``postgres``
    database (the superuser ``regentra``, no password, loopback only)."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    folder = folder or Path(tempfile.mkdtemp(prefix="regentra-pg-"))
    data = folder / "data"
    data.mkdir(parents=True)
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        for path in (folder, data):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    subprocess.run(
        _as_owner(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        ),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        "-c max_connections=300 -c shared_buffers=128MB"
    )
    subprocess.run(
        _as_owner(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(folder / "server.log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    url = f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/postgres"
    _wait(port)
    return folder, url


def _wait(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"PostgreSQL did not listen on 127.0.0.1:{port}")


def stop(folder: Path) -> None:
    bin_dir = binaries()
    data = folder / "data"
    if bin_dir is not None and data.exists():
        subprocess.run(
            _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["start"]:
        where, address = start()
        print(f"{where} {address}")
    elif sys.argv[1:2] == ["stop"] and len(sys.argv) == 3:
        stop(Path(sys.argv[2]))
    else:
        sys.exit("usage: python -m tests.helpers.postgres start | stop FOLDER")
