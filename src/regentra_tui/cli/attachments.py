"""``regentra attachment ...``: a ticket's files over SSH, where there is no desktop
to open them on: list them, save one to a path or to stdout (``-``, so it pipes to
a command: ``regentra attachment save 12 - | less``).

Also the one place the command line reads files a technician attaches
(:func:`read_uploads`, for ``ticket reply --attach``): every file is read and
checked before anything is written.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from regentra_core import (
    ValidationError,
    attachments_of,
    check_file,
    human_size,
    limit_bytes,
    read_attachment,
)

from .context import CliContext, pass_cli
from .output import console, emit_json, json_option, safe, when

if TYPE_CHECKING:
    from regentra_core import Settings, Upload

NUMBER = click.IntRange(1, 2**63 - 1)


@click.group("attachment")
def attachment() -> None:
    """A ticket's files: list them, save one to a path or to stdout (- pipes it)."""


@attachment.command("list")
@click.argument("number", type=NUMBER)
@json_option
@pass_cli
def list_(state: CliContext, number: int, as_json: bool) -> None:
    """List ticket NUMBER's attachments: id, name, type, size, which message."""
    rows = attachments_of(state.db, number)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        console().print(f"#{number} has no attachments")
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for name in ("Id", "Name", "Type", "Size", "With", "Added"):
        table.add_column(name)
    for row in rows:
        table.add_row(
            str(row.id),
            safe(row.filename, flat=True),
            safe(row.content_type, flat=True),
            human_size(row.size) + ("" if row.path else " (not kept: over the limit)"),
            "opening message" if row.reply_id is None else f"reply {row.reply_id}",
            when(row.created_at),
        )
    console().print(table)


@attachment.command("save")
@click.argument("attachment_id", metavar="ID", type=NUMBER)
@click.argument("target", metavar="[PATH|-]", required=False)
@click.option("--force", is_flag=True, help="Replace a file that is already at PATH.")
@pass_cli
def save(state: CliContext, attachment_id: int, target: str | None, force: bool) -> None:
    """Save attachment ID to PATH (a file or a folder; default: its own name in the
    current folder), or with ``-`` write it to stdout for a pipe."""
    found = read_attachment(state.db, attachment_id, state.settings.attachments_dir())
    if found.missing is not None:
        raise ValidationError(found.missing)
    assert found.location is not None
    if target == "-":
        with found.location.open("rb") as source:
            shutil.copyfileobj(source, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    path = Path(target) if target else Path.cwd()
    if path.is_dir():
        path = path / found.row.filename
    if path.exists() and not force:
        raise ValidationError(f"{path} already exists: use --force to replace it")
    if not path.parent.is_dir():
        raise ValidationError(f"no folder {path.parent}")
    try:
        _copy(found.location, path)
    except OSError as exc:
        raise ValidationError(f"cannot write {path}: {exc.strerror or exc}") from None
    click.echo(f"Saved {found.row.filename} ({human_size(found.row.size)}) to {path}")


def _copy(source: Path, target: Path) -> None:
    """Copy through a part file beside the target, so a failure leaves no half file."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        shutil.copyfile(source, partial)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def read_uploads(paths: tuple[str, ...], settings: Settings) -> list[Upload]:
    """The files a technician named, read and checked (exists, a file, readable,
    not empty, within ``max_attachment_mb``): one clear refusal before anything is
    written."""
    from regentra_core import Upload

    limit = limit_bytes(settings.max_attachment_mb)
    uploads = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise ValidationError(f"no file {raw}")
        if not path.is_file():
            raise ValidationError(f"{raw} is not a file")
        check_file(path.name, path.stat().st_size, limit)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ValidationError(f"cannot read {raw}: {exc.strerror or exc}") from None
        check_file(path.name, len(data), limit)  # it may have changed since
        uploads.append(Upload(path.name, data))
    return uploads
