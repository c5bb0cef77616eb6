"""The email adapter's inbound half: RFC 5322 bytes to an :class:`Inbound`.

Used by ``regentra mail import`` (an ``.eml`` file or an MTA pipe) and the IMAP
poll alike. It never raises on bad mail: the stdlib parser with the default policy
first, the lenient ``compat32`` policy for what that refuses, and a message that
cannot be read at all still becomes an ``Inbound`` flagged ``unparsed`` with its
raw source kept. Charsets nobody knows (or that lie) are decoded with replacement
characters; HTML-only mail becomes readable text through ``html-text``.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import replace
from datetime import datetime
from email import errors, policy
from email.header import Header, decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from pathlib import Path

from ..attachments import MAX_ATTACHMENT_BYTES, safe_name, store_bytes
from ..enums import Channel
from ..text import shorten
from .message import Attachment, Inbound

ROUTING_HEADERS = (
    "auto-submitted",
    "precedence",
    "return-path",
    "x-autoreply",
    "x-regentra-loop",
    "list-id",
    "x-auto-response-suppress",
    "to",  # who else the customer wrote to: the ticket's Cc (desk.cc)
    "cc",
)
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,900}>")
_REPORT_SENDERS = ("mailer-daemon", "postmaster")


def parse_mail(
    raw: bytes,
    *,
    received_at: datetime,
    attachments_dir: Path | None = None,
    max_attachment_bytes: int = MAX_ATTACHMENT_BYTES,
) -> Inbound:
    """Parse one message; never raises for what a sender can put in it (only
    OSError, when an attachment cannot be saved now).

    ``compat32`` first: it keeps headers as strings, which we decode ourselves
    (RFC 2047, 8-bit), and costs a fraction of ``policy.default``'s header objects;
    the default policy is the second try for what compat32 trips over, or cannot
    split (a boundary folded over two lines: compat32 keeps the fold in it, finds
    no part, and the body was lost).
    """
    unsplit: Inbound | None = None
    try:
        return _parse(raw, received_at, attachments_dir, max_attachment_bytes, policy.compat32)
    except _Unsplit as exc:
        unsplit = exc.inbound
    except OSError:
        raise  # an attachment not saved (a full disk): a retry cures it, a reparse not
    except Exception:  # noqa: BLE001 - try the other policy before giving up
        pass
    try:
        return _parse(raw, received_at, attachments_dir, max_attachment_bytes, policy.default)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - keep it as an unparsed message
        if unsplit is not None:
            return unsplit
        return Inbound(
            channel=Channel.EMAIL,
            external_id=_synthetic_id(raw),
            sender="",
            received_at=received_at,
            subject="(a message that could not be read)",
            body=f"Regentra could not parse this message ({type(exc).__name__}); "
            "its raw source is kept.\n\n" + raw[:20_000].decode("utf-8", "replace"),
            unparsed=True,
            raw=raw,
        )


def _parse(
    raw: bytes,
    received_at: datetime,
    attachments_dir: Path | None,
    max_bytes: int,
    how: policy.Policy,
) -> Inbound:
    msg = BytesParser(policy=how).parsebytes(raw)
    hint = _charset_hint(msg)
    name, sender = _from(msg, hint)
    unsure = "" if sender else _sender_not_understood(msg)
    headers = {h: _header(msg, h) for h in ROUTING_HEADERS if msg.get(h) is not None}
    references = _threading_ids(_header(msg, "in-reply-to"), _header(msg, "references"))
    content_type = msg.get_content_type()
    is_report = content_type == "multipart/report" or sender.split("@")[0] in _REPORT_SENDERS
    body, attachments, bounced = _walk(msg, attachments_dir, max_bytes)
    message_id = _ids(_header(msg, "message-id"))
    subject = " ".join(_header(msg, "subject", hint).split())
    if unsure and not subject:
        # The desk names a subjectless ticket by its first words: the customer's,
        # not the flag's.
        subject = shorten(" ".join(body.split()), 80) or "(no subject)"
    inbound = Inbound(
        channel=Channel.EMAIL,
        external_id=message_id[0] if message_id else _synthetic_id(raw),
        sender=sender,
        sender_name=name,
        received_at=received_at,
        subject=subject,
        body=f"{unsure}\n\n{body}".strip() if unsure else body,
        headers=headers,
        references=tuple(dict.fromkeys(references)),
        attachments=tuple(attachments),
        bounce_of=tuple(dict.fromkeys(bounced + (references if is_report else []))),
        is_report=is_report,
        # A sender we cannot name is flagged as unparsed mail is: its source is kept
        # on the inbound record and no acknowledgement goes anywhere.
        unparsed=bool(unsure),
        # Kept with every message, not only the unparsed: mail held back by the rate
        # limit keeps its source so a technician can still make it a ticket.
        raw=raw,
    )
    if how is policy.compat32 and any(
        isinstance(d, errors.MultipartInvariantViolationDefect) for d in msg.defects
    ):
        raise _Unsplit(inbound)
    return inbound


class _Unsplit(Exception):  # noqa: N818 - a signal between two functions, not an error
    """compat32 could not split a multipart message: try the default policy, and
    keep this reading in case that fails too."""

    def __init__(self, inbound: Inbound) -> None:
        super().__init__("multipart not split")
        self.inbound = inbound


def _charset_hint(msg: Message) -> str | None:
    """The charset the message's text declares (its first that names one): the best
    guess for raw 8-bit headers, which a Big5 or KOI8-R mailer writes in its own."""
    for index, part in enumerate(msg.walk()):
        if index > 20:
            break
        charset = part.get_content_charset()
        if charset and charset.lower() not in ("us-ascii", "ascii", "utf-8", "utf8"):
            try:
                codecs.lookup(charset)
            except LookupError:
                continue
            return charset
    return None


def _from(msg: Message, hint: str | None = None) -> tuple[str, str]:
    """The sender's display name and address (lower case; "" if there is none).

    The address is read from the header as it came, before RFC 2047 decoding: an
    encoded word is text, never address syntax, so ``=?utf-8?q?Eve=0D=0A?=`` (a
    CRLF) or ``=?utf-8?q?=3Cx@y=3E?=`` in the name can neither lose the address nor
    put another one in its place. Only the name is decoded, its control
    characters made spaces.
    """
    source = next((v for k, v in msg.raw_items() if k.lower() == "from"), None)
    if source is None:
        return "", ""
    text = " ".join(_surrogates_text(str(source), hint).split())
    words: list[str] = []

    def _stand_in(found: re.Match[str]) -> str:
        words.append(found.group(0))
        return f"rgtword{len(words) - 1}x"

    name, address = parseaddr(_ENCODED_WORD.sub(_stand_in, text))
    name = re.sub(r"rgtword(\d+)x", lambda m: words[int(m.group(1))], name)
    if not _looks_like_address(address):
        # An address inside an encoded word (no mailer should, some do): the
        # decoded header is the only place it is.
        name, address = parseaddr(" ".join(_header(msg, "from").split()))
    address = address.strip().lower()
    if not _looks_like_address(address):
        # "Big Bug bb@bug.com" (no angle brackets, as some mailers and scripts
        # write it): one plausible address in the text is the sender's, the rest
        # its name; none, or several, and the sender is not understood.
        name, address = _one_address_in(" ".join(_header(msg, "from").split()))
    if "=?" in name:
        name = _decoded(name, hint)
    return " ".join(_CONTROL.sub(" ", name).split()), address


_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _looks_like_address(address: str) -> bool:
    """An address the desk can file a contact under: one ``@`` with text either side,
    no blanks or control characters (a NUL), and no longer than SMTP allows (254;
    a longer "address" is text)."""
    address = address.strip()
    local, at, domain = address.rpartition("@")
    return (
        bool(at and local and domain)
        and len(address) <= MAX_ADDRESS
        and not any(c.isspace() for c in address)
        and not _CONTROL.search(address)
    )


MAX_ADDRESS = 254
"""RFC 5321's longest forward path, less its angle brackets."""


def _one_address_in(text: str) -> tuple[str, str]:
    """(name, address) when ``text`` holds exactly one plausible address (a domain
    with a dot); else ("", "")."""
    found = {
        m.group(0).strip(".").lower()
        for m in _ANY_ADDRESS.finditer(text)
        if "." in m.group(0).rpartition("@")[2].strip(".")
    }
    found = {a for a in found if _looks_like_address(a)}
    if len(found) != 1:
        return "", ""
    (address,) = found
    name = _ANY_ADDRESS.sub(" ", text).strip(" \t\"'<>(),;:")
    return " ".join(name.split()), address


def _sender_not_understood(msg: Message) -> str:
    """The line that flags mail whose sender could not be read, naming what its From
    said (shown literally wherever the ticket is shown)."""
    said = " ".join(_header(msg, "from").split())
    if not said:
        return "[Regentra: this message has no From address; its source is kept.]"
    return (
        f"[Regentra: sender not understood (From: {said[:200]}); no reply goes to it, "
        "and its source is kept.]"
    )


_LOOP_HEADERS = frozenset(
    ("auto-submitted", "precedence", "return-path", "x-autoreply", "x-regentra-loop")
    + ("list-id", "x-auto-response-suppress")
)
"""What loop protection reads: all a message not understood keeps of its headers."""


def not_understood(msg: Inbound, why: str) -> Inbound:
    """``msg`` as the desk keeps a message it could not take as it came (a rule or a
    check refused something in it): flagged unparsed with its source, from no
    sender, threaded by nothing it says, its text kept under one line saying why.
    The desk stores this instead of refusing the message, which an MTA would
    retry forever and an IMAP poll would stop at."""
    note = f"[Regentra could not take this message as it came ({why[:300]}); its source is kept."
    if msg.sender:
        note += f" It said it was from {msg.sender[:200]}."
    return replace(
        msg,
        sender="",
        sender_name="",
        headers={k: v for k, v in msg.headers.items() if k in _LOOP_HEADERS},
        references=(),
        bounce_of=(),
        is_report=False,
        ticket=None,
        unparsed=True,
        body=f"{note}]\n\n{msg.body}".strip(),
    )


_FROM_LINE = re.compile(rb"(?im)^from:[ \t]*(.*(?:\r?\n[ \t].*)*)")
_ANY_ADDRESS = re.compile(r"[^\s<>\"'(),;:@]+@[^\s<>\"'(),;:@]+")


def sender_key(raw: bytes | None) -> str:
    """Who an unreadable message is from, as well as its source can tell, for the
    rate limit: the address-like text in its From line, else that line itself,
    else "(no From header)".

    Unreadable mail used to share one empty-sender bucket: one flooder filled it
    and everybody's unreadable mail was held back after theirs. A flooder who names
    an address in a broken From line is counted as that address.
    """
    found = _FROM_LINE.search((raw or b"")[:65_536])
    if found is None:
        return "(no From header)"
    line = " ".join(found.group(1).decode("utf-8", "replace").split())
    address = _ANY_ADDRESS.search(line)
    if address is not None:
        return address.group(0).lower()[:320]
    return f"From: {line}"[:320] if line else "(empty From header)"


def _header(msg: Message, name: str, hint: str | None = None) -> str:
    """A header as text, RFC 2047 decoded, whatever its bytes.

    Raw 8-bit headers (no encoded words, as many mailers send) are read as UTF-8,
    else in ``hint`` (the charset the message's text declares), else as
    Windows-1252; never an exception.
    """
    value = msg.get(name)
    if value is None:
        return ""
    return _decoded(value, hint)


def _decoded(value: str | Header, hint: str | None = None) -> str:
    try:
        if isinstance(value, Header):
            # compat32's wrapper for a header with raw 8-bit bytes: its text back,
            # those bytes as surrogates, so encoded words in it are still decoded.
            value = "".join(
                chunk.decode("ascii", "surrogateescape")
                if charset == "unknown-8bit"
                else _bytes_text(chunk, charset, hint)
                if isinstance(chunk, bytes)
                else chunk
                for chunk, charset in decode_header(value)
            )
        if "=?" in value:
            value = _RAW_IN_WORD.sub(_as_q_escapes, value)
            text = "".join(
                _bytes_text(chunk, charset, hint)
                if isinstance(chunk, bytes)
                else _surrogates_text(chunk, hint)
                for chunk, charset in _spaced(decode_header(value))
            )
        else:
            text = _surrogates_text(value, hint)
    except Exception:  # noqa: BLE001 - broken encoded words: keep what is there
        text = _surrogates_text(str(value), hint)
    return text


_RAW_IN_WORD = re.compile(r"=\?[^?\s]+\?[qQ]\?[^?\s]*[\udc80-\udcff][^?\s]*\?=")


def _as_q_escapes(word: re.Match[str]) -> str:
    """An encoded word with raw 8-bit bytes in it (Eudora wrote ``=?iso-8859-1?Q?Fr\xf6sche?=``)
    as the ``=XX`` escapes it should have had, so it decodes in its own charset."""
    return re.sub(r"[\udc80-\udcff]", lambda c: f"={ord(c.group(0)) - 0xDC00:02X}", word.group(0))


def _spaced(parts: list[tuple[bytes | str, str | None]]) -> list[tuple[bytes | str, str | None]]:
    """decode_header drops the space between an encoded word and plain text."""
    out: list[tuple[bytes | str, str | None]] = []
    for index, (chunk, charset) in enumerate(parts):
        if index and charset != parts[index - 1][1]:
            out.append((" ", None))
        out.append((chunk, charset))
    return out


def _bytes_text(data: bytes, charset: str | None, hint: str | None = None) -> str:
    if charset and charset.lower() not in ("unknown-8bit", "us-ascii", "ascii"):
        try:
            return data.decode(charset, "replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if hint:
        try:
            return data.decode(hint)
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("cp1252", "replace")


def _surrogates_text(text: str, hint: str | None = None) -> str:
    return _bytes_text(text.encode("utf-8", "surrogateescape"), None, hint)


MAX_REFERENCES = 100
"""Message-IDs a message may thread by: each is a question to the database, and a
References header of thousands (hostile, or a thread nobody trimmed) held the
poll's transaction for seconds. A long thread's newest ids are its last."""


def _threading_ids(in_reply_to: str, references: str) -> list[str]:
    """In-Reply-To's ids, then References' newest, at most MAX_REFERENCES in all."""
    first = list(dict.fromkeys(_ids(in_reply_to)))[:MAX_REFERENCES]
    rest = [i for i in dict.fromkeys(_ids(references)) if i not in first]
    return first + rest[len(rest) - (MAX_REFERENCES - len(first)) :] if rest else first


def _ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value)


def _synthetic_id(raw: bytes) -> str:
    """A stable id for mail without a Message-ID, so a redelivery is still a duplicate."""
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@regentra.invalid>"


def _walk(
    msg: Message, attachments_dir: Path | None, max_bytes: int
) -> tuple[str, list[Attachment], list[str]]:
    plain: str | None = None
    html: str | None = None
    attachments: list[Attachment] = []
    bounced: list[str] = []
    # Later inline text parts beside the first in one multipart/mixed (text, a
    # picture, more text, as Apple Mail and MIME-tools' samples send) are the body
    # too: only the first used to be kept.
    parents: dict[int, Message] = {}
    first_parent: Message | None = None
    more: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "text/rfc822-headers", "message/delivery-status"):
            bounced += _ids(_nested_message_id(part))
        if part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list):
                parents.update((id(child), part) for child in children)
            continue
        filename = part.get_filename()
        disposition = (part.get("content-disposition") or "").split(";")[0].strip().lower()
        if filename or disposition == "attachment" or _unnamed_file(part):
            name = filename or _name_for(part)
            attachments.append(_attachment(part, name, attachments_dir, max_bytes))
            continue
        if ctype == "text/plain" and plain is None:
            plain = _text(part)
            first_parent = parents.get(id(part))
        elif ctype == "text/plain" and first_parent is not None:
            if (
                parents.get(id(part)) is first_parent
                and first_parent.get_content_subtype() == "mixed"
            ):
                more.append(_text(part))
        elif ctype == "text/html" and html is None:
            html = _text(part)
    if plain is not None and plain.strip():
        body = "\n\n".join([plain.rstrip(), *(m.strip() for m in more if m.strip())])
    elif html is not None:
        body = _html_to_text(html)
    else:
        body = plain or ""
    if not body.strip() and not attachments and msg.get_content_maintype() == "multipart":
        if not msg.is_multipart():
            # A multipart no parser could split (no boundary found): its text is
            # the body, as it came, rather than nothing.
            body = _text(msg)
    return body.replace("\r\n", "\n").replace("\r", "\n").strip(), attachments, bounced


def _unnamed_file(part: Message) -> bool:
    """A picture, a document, a sound with neither a name nor a disposition (an
    inline image of HTML mail, a scanner's PDF): a file all the same, kept as one;
    it was dropped, neither text nor attachment."""
    return part.get_content_maintype() in ("image", "audio", "video", "application")


def _name_for(part: Message) -> str:
    import mimetypes

    subtype = part.get_content_subtype()
    guessed = mimetypes.guess_extension(part.get_content_type())
    if guessed is None and subtype.isalnum() and len(subtype) <= 5:
        guessed = f".{subtype}"  # image/jpg, which the registry does not know
    return "attachment" + (guessed or "")


def _nested_message_id(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):
        return " ".join(_header(p, "message-id") for p in payload if isinstance(p, Message))
    if isinstance(payload, str):
        found = re.search(r"(?im)^message-id:\s*(<[^>]+>)", payload)
        return found.group(1) if found else ""
    return ""


def _text(part: Message) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        data = str(part.get_payload()).encode("utf-8", "surrogateescape")
    charset = part.get_content_charset() or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        charset = "utf-8"
    try:
        return data.decode(charset, "replace")
    except Exception:  # noqa: BLE001 - a codec that fails in its own way
        return data.decode("utf-8", "replace")


def _html_to_text(html: str) -> str:
    import html_text  # lxml underneath: imported only for HTML-only mail

    try:
        return str(html_text.extract_text(html, guess_layout=True))
    except Exception:  # noqa: BLE001 - markup lxml cannot take: strip tags plainly
        return re.sub(r"<[^>]*>", " ", html)


def _attachment(
    part: Message, filename: str | None, folder: Path | None, max_bytes: int
) -> Attachment:
    name = safe_name(_decoded_filename(filename) or "attachment")
    data = part.get_payload(decode=True)
    payload = data if isinstance(data, bytes) else b""
    ctype = part.get_content_type()
    if folder is None or len(payload) > max_bytes:
        return Attachment(name, ctype, len(payload))
    stored = store_bytes(folder, name, payload)
    return Attachment(name, ctype, len(payload), stored.path)


def _decoded_filename(name: str | None) -> str:
    if not name:
        return ""
    try:
        return str(make_header(decode_header(name)))
    except Exception:  # noqa: BLE001
        return name


def recipients(value: str) -> list[str]:
    """The addresses in a To/Cc header, lower case; none from one the stdlib cannot
    read (a header of 100,000 nested groups exhausts its recursion)."""
    try:
        return [a.lower() for _, a in getaddresses([value]) if a]
    except (RecursionError, ValueError, IndexError):
        return []
