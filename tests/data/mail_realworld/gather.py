"""Gather the real-world mail corpus from public mail-parser test suites.

Run once by hand, from fetched git mirrors (no network here: each source is a
bare repository already on disk)::

    python tests/data/mail_realworld/gather.py /work/.mirror

It copies each source's test messages (at most ``MAX_BYTES`` each) and its licence
into ``<source>/`` beside this file and writes ``SOURCES.md`` (repository, commit,
paths, licence). None of these messages was written by us: they are what other
parsers' authors collected from real mailers and real bug reports. The tests read
the copies only; ``expected.toml`` (what each message does to a fresh desk) is
written by ``tests/core/test_mail_realworld.py`` with ``REGENTRA_WRITE_EXPECTED=1``
and reviewed.
"""

from __future__ import annotations

import fnmatch
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
MAX_BYTES = 256 * 1024
"""Larger test messages (stress tests of a parser's memory) are left out."""


@dataclass(frozen=True)
class Source:
    name: str
    repo: str
    licence_name: str
    licence_files: tuple[str, ...]
    patterns: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    note: str = ""


SOURCES = (
    Source(
        "mime4j",
        "apache/james-mime4j",
        "Apache-2.0",
        ("LICENSE", "NOTICE"),
        (
            "core/src/test/resources/testmsgs/*.msg",
            "dom/src/test/resources/*.msg",
            "james-utils/src/test/resources/*.msg",
            "examples/src/main/resources/*.msg",
            "benchmark/src/main/resources/*.msg",
        ),
    ),
    Source(
        "mime4j-mimetools",
        "apache/james-mime4j",
        "Artistic License (Perl MIME-tools' test messages, as mime4j ships them)",
        (
            "core/src/test/resources/mimetools-testmsgs/ARTISTIC-LICENSE.txt",
            "core/src/test/resources/mimetools-testmsgs/README.txt",
        ),
        ("core/src/test/resources/mimetools-testmsgs/*.msg",),
        note="From Perl MIME-tools (David F. Skoll), shipped in mime4j's tests.",
    ),
    Source(
        "mail-mime-parser",
        "zbateson/mail-mime-parser",
        "BSD-2-Clause",
        ("LICENSE", "tests/_data/emails/README.md"),
        ("tests/_data/emails/*.txt",),
        exclude=("tests/_data/emails/files/*",),
        note="The m*.txt samples were made with Outlook, Netscape, Eudora and Pine "
        "(hunnysoft.com, copied with permission, see README.md).",
    ),
    Source(
        "mimekit",
        "jstedfast/MimeKit",
        "MIT",
        ("LICENSE",),
        (
            "UnitTests/TestData/messages/*",
            "UnitTests/TestData/dkim/*.msg",
            "UnitTests/TestData/partial/*.eml",
            "UnitTests/TestData/mbox/*.mbox.txt",
        ),
        exclude=("UnitTests/TestData/messages/body.*",),
        note="The mbox/ files are mailboxes of several messages (named .mbox here).",
    ),
    Source(
        "mailparser",
        "nodemailer/mailparser",
        "MIT",
        ("LICENSE",),
        ("test/fixtures/*.eml",),
    ),
    Source(
        "imap_tools",
        "ikvk/imap_tools",
        "Apache-2.0",
        ("LICENSE",),
        ("tests/messages/*.eml",),
    ),
)


def git(mirror: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={mirror}", *args], check=True, capture_output=True
    ).stdout


def gather(root: Path) -> None:
    lines = [
        "# Real-world mail corpus: sources",
        "",
        "Test messages of public mail parsers, copied by `gather.py` (at most "
        f"{MAX_BYTES // 1024} KiB each). Each folder holds its source's licence text.",
        "",
        "| folder | repository | commit | paths | licence | messages |",
        "|---|---|---|---|---|---|",
    ]
    for source in SOURCES:
        mirror = root / source.repo.replace("/", "+") / "repo"
        commit = git(mirror, "rev-parse", "HEAD").decode().strip()
        listing = git(mirror, "ls-tree", "-r", "-l", "HEAD").decode().splitlines()
        target = HERE / source.name
        target.mkdir(exist_ok=True)
        taken = 0
        for row in listing:
            meta, path = row.split("\t", 1)
            size = meta.split()[3]
            matched = [p for p in source.patterns if fnmatch.fnmatch(path, p)]
            if not matched:
                continue
            if any(fnmatch.fnmatch(path, p) for p in source.exclude):
                continue
            if not size.isdigit() or int(size) > MAX_BYTES or int(size) == 0:
                continue
            data = git(mirror, "show", f"HEAD:{path}")
            if not data.strip():
                continue
            # One name space per source: a folder's sub-path joins the name, and a
            # second pattern's files carry their folder's name.
            folder = matched[0].split("*")[0]
            flat = path[len(folder) :].replace("/", "__")
            if matched[0] != source.patterns[0]:
                flat = f"{folder.rstrip('/').rsplit('/', 1)[-1]}__{flat}"
            if flat.endswith(".mbox.txt"):
                flat = flat.removesuffix(".txt")
            (target / flat).write_bytes(data)
            taken += 1
        for licence in source.licence_files:
            text = git(mirror, "show", f"HEAD:{licence}")
            out = "LICENCE" if licence == source.licence_files[0] else licence.rsplit("/", 1)[-1]
            (target / out).write_bytes(text)
        paths = ", ".join(f"`{p}`" for p in source.patterns)
        lines.append(
            f"| `{source.name}/` | https://github.com/{source.repo} | `{commit}` | {paths} "
            f"| {source.licence_name} | {taken} |"
        )
        if source.note:
            lines.append(f"|  | {source.note} |  |  |  |  |")
    (HERE / "SOURCES.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    gather(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror"))
