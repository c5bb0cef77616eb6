"""Attachments: the rules every door applies to a file, and where its bytes are kept.

One set of rules both ways (a customer's mail, SMS or portal upload; a technician's
``--attach`` or composer file), "scanned for nothing but size and type": any type
is accepted and its real type recorded (sniffed from the first bytes, the name
second, what the sender claimed last); a file is refused only when it is empty,
unnamed or over the desk's limit (``Settings.max_attachment_mb``). The bytes are
kept once per content under the desk's attachments folder
(``<sha256[:2]>/<sha256>/<safe name>``), written atomically.

Public API (used by ``channels.mail``, ``desk.attachments``, the CLI, the app and
the portal):

- :data:`MAX_ATTACHMENT_BYTES`, :func:`limit_bytes` (MB setting -> bytes)
- :func:`safe_name` (a name that stays in its folder and shows literally)
- :func:`sniff_type` (the recorded content type)
- :func:`check_file` (empty / unnamed / too big -> :class:`ValidationError`)
- :func:`store_bytes` (write by hash atomically -> :class:`Stored`)
- :func:`keep_upload` (check + sniff + store -> ``channels.message.Attachment``,
  what an ``Inbound`` carries into ``Desk.receive``)
- :func:`human_size`, :func:`summary_line`, :func:`is_text`
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .desk_config import (
    MAX_ATTACHMENT_BYTES as MAX_ATTACHMENT_BYTES,  # (its home: the default policy)
)
from .errors import ValidationError
from .leftovers import part_name

if TYPE_CHECKING:
    from .channels.message import Attachment

"""The default limit (``Settings.max_attachment_mb`` = 25): above it a customer's
file is listed but not saved, and a technician's or a portal upload is refused."""

OCTET = "application/octet-stream"

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069/\\]")

# First bytes -> type, for the types a technician most often needs to see or that
# lie about themselves most (an image named .txt, a PDF sent as octet-stream).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"MZ", "application/x-msdownload"),
    (b"\x7fELF", "application/x-executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
)
_ZIP_FAMILY = ("application/vnd.openxmlformats", "application/vnd.oasis", "application/java")


def limit_bytes(max_attachment_mb: float) -> int:
    """The setting (megabytes, as a lead writes it) in bytes."""
    return int(max_attachment_mb * 1024 * 1024)


def safe_name(name: str) -> str:
    """A file name that stays inside its folder and shows literally: no control
    characters, and no bidi overrides or isolates, which make ``invoice\\u202etxt.exe``
    read as ``invoiceexe.txt`` in a file manager, a shell or the portal."""
    cleaned = _UNSAFE.sub("_", name).strip(". ") or "attachment"
    return cleaned[:120]


def sniff_type(name: str, data: bytes, claimed: str | None = None) -> str:
    """The type to record: what the bytes are, else what the name says, else what
    the sender claimed, else octet-stream. A zip-based office file (docx, xlsx, odt)
    keeps its name's more precise type; bytes that decode as UTF-8 text without
    NULs are ``text/plain`` unless the name says which text (csv, json, html)."""
    by_name = mimetypes.guess_type(name, strict=False)[0]
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            if kind == "application/zip" and by_name and by_name.startswith(_ZIP_FAMILY):
                return by_name
            return kind
    if data[:12].startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    if looks_like_text(data):
        if by_name and (by_name.startswith("text/") or by_name in _TEXT_APPS):
            return by_name
        return "text/plain"
    if by_name:
        return by_name
    if claimed and "/" in claimed and not claimed.startswith("text/"):
        return claimed.strip().lower()[:255]
    return OCTET


_TEXT_APPS = frozenset(
    {
        "application/json",
        "application/xml",
        "application/javascript",
        "application/x-sh",
        "application/x-python-code",
        "application/x-yaml",
        "application/toml",
    }
)


def looks_like_text(data: bytes, sample: int = 64 * 1024) -> bool:
    """Whether the beginning of ``data`` is UTF-8 text (a character cut at the
    sample's end is allowed); empty data is not text."""
    head = data[:sample]
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multibyte character cut by the sample is still text.
        return len(data) > sample and exc.start >= len(head) - 3
    return True


def is_text(content_type: str) -> bool:
    """Whether a recorded type is shown as text."""
    return content_type.startswith("text/") or content_type in _TEXT_APPS


def check_file(name: str, size: int, limit: int) -> None:
    """Refuse what no door keeps: an unnamed or empty file, or one over ``limit``."""
    if not name.strip() or not safe_name(name).strip("_"):
        raise ValidationError("an attachment needs a file name")
    if size <= 0:
        raise ValidationError(f"{safe_name(name)} is empty")
    if size > limit:
        raise ValidationError(
            f"{safe_name(name)} is {human_size(size)}: over the attachment limit "
            f"of {human_size(limit)}"
        )


@dataclass(frozen=True, slots=True)
class Stored:
    """Where :func:`store_bytes` kept a file."""

    filename: str
    """The safe name it was stored under."""
    path: str
    """Relative to the attachments folder (what ``FileAttachment.path`` holds)."""
    sha256: str
    size: int


def store_bytes(folder: Path, name: str, data: bytes) -> Stored:
    """Keep ``data`` under ``folder`` by its hash, once: a second copy of the same
    file under the same name writes nothing. Written to a part file named for this
    process, then renamed, so a reader never sees half a file and two writers never
    share one; the part file is removed on any failure (a full disk left 0-byte
    ``.part`` files); what a killed process leaves, the worker's housekeeping
    removes (``leftovers.remove_partial_files``)."""
    filename = safe_name(name)
    digest = hashlib.sha256(data).hexdigest()
    relative = Path(digest[:2]) / digest / filename
    target = folder / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(part_name(target.name))
        try:
            partial.write_bytes(data)
            partial.replace(target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return Stored(filename, relative.as_posix(), digest, len(data))


def keep_upload(
    folder: Path, name: str, data: bytes, *, limit: int, claimed: str | None = None
) -> Attachment:
    """A file a person sends (a portal upload): checked, typed and stored, as the
    :class:`~regentra_core.channels.message.Attachment` an ``Inbound`` carries into
    ``Desk.receive`` (which makes its row). Raises :class:`ValidationError` for an
    empty, unnamed or too big file before anything is written."""
    from .channels.message import Attachment  # the channels package imports this module

    check_file(name, len(data), limit)
    stored = store_bytes(folder, name, data)
    kind = sniff_type(stored.filename, data, claimed)
    return Attachment(stored.filename, kind, stored.size, stored.path)


def human_size(size: int) -> str:
    """``512 B``, ``12.3 KB``, ``4.0 MB`` (1024-based, as file managers show)."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def summary_line(files: Iterable[tuple[str, str, int]]) -> str:
    """``Attachments: a.txt (text/plain, 12 B), b.png (image/png, 3.1 KB)``: what the
    message's text carries so search finds a file by name (never its hash path)."""
    parts = [f"{name} ({kind}, {human_size(size)})" for name, kind, size in files]
    return f"Attachments: {', '.join(parts)}" if parts else ""
