"""SMS, the pure parts: numbers in E.164, Twilio's inbound form, the text of a reply.

Numbers are parsed with ``phonenumbers`` (Google's libphonenumber rules), never with
a pattern: a customer's ``(555) 010-0199`` and Twilio's ``+15550100199`` are the
same contact. A reply goes out as one Twilio message: Twilio splits it into
segments itself up to 1,600 characters, so a longer reply is cut there and the
outbox says so on the reply (the whole text stays on the ticket). The cut is
marked in the text's own encoding (``sms_segments``): "..." in a GSM-7 text, since
a "…" would turn all of it to UCS-2 and more than double the SMS it is billed as.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import phonenumbers

from ..enums import Channel
from ..errors import ValidationError
from .message import MAX_EXTERNAL_ID, Inbound
from .sms_segments import Encoding, count, encoding_of
from .sms_segments import segments as segments  # where callers have always found it

MAX_SMS_CHARS = 1600
"""The most one Twilio message carries, in UTF-16 code units (a character outside the
basic plane counts two, so the bound holds however Twilio counts it)."""

_CUT_MARK = {Encoding.GSM7: "...", Encoding.UCS2: "…"}
"""What marks a cut reply: the text's own encoding's ellipsis."""


def normalise_number(raw: str, region: str = "US") -> str:
    """``raw`` in E.164 (``+15550100199``); ``region`` for numbers without ``+``.

    A refusal is one line a technician can act on: a number without ``+`` is read
    as ``region``'s (``sms_default_region``), so a UK ``07700 900123`` on a US desk
    is refused saying so, not with the library's own numbered message."""
    try:
        number = phonenumbers.parse(raw.strip(), region.upper())
        possible = phonenumbers.is_possible_number(number)
    except phonenumbers.NumberParseException:
        possible = False
    if not possible:
        hint = (
            ""
            if raw.strip().startswith("+")
            else f" (read as a {region.upper()} number; another country's starts with +)"
        )
        raise ValidationError(f"not a phone number: {raw!r}{hint}")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def sms_inbound(form: Mapping[str, str], received_at: datetime, region: str = "US") -> Inbound:
    """Twilio's inbound message (webhook form or a fetched message) as an Inbound."""
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    if not sid:
        raise ValidationError("an SMS without a MessageSid")
    if len(sid) > MAX_EXTERNAL_ID:
        raise ValidationError(
            f"MessageSid is {len(sid):,} characters long (at most {MAX_EXTERNAL_ID})"
        )
    raw_sender = (form.get("From") or "").strip()
    if not raw_sender:
        raise ValidationError(f"SMS {sid} has no sender")
    try:
        sender = normalise_number(raw_sender, region)
    except ValidationError:
        sender = _sender_id(raw_sender, sid)
    body = (form.get("Body") or "").replace("\r\n", "\n").strip()
    media = _media_count(form.get("NumMedia") or "0", sid)
    if media:
        body = f"{body}\n\n({media} picture(s) or file(s) sent with it, kept at Twilio)".strip()
    return Inbound(
        channel=Channel.SMS,
        external_id=sid,
        sender=sender,
        received_at=received_at,
        body=body,
    )


def _sender_id(raw: str, sid: str) -> str:
    """A sender that is not a phone number: a short code, an alphanumeric sender ID or
    a channel address (``whatsapp:+1...``), kept as the customer's address. Control
    characters or an ``@`` are not a sender Twilio sends: refused, since the desk
    would take the second for an email address."""
    sender = raw[:32]
    if not sender.isprintable() or "@" in sender:
        raise ValidationError(f"SMS {sid}: From is not a phone number or sender ID: {raw[:40]!r}")
    return sender


def _media_count(raw: str, sid: str) -> int:
    """Twilio's ``NumMedia``: a small count (at most 10), anything else refused."""
    text = raw.strip()
    if not text.isdecimal() or len(text) > 3:
        raise ValidationError(f"SMS {sid}: NumMedia is not a count: {text[:20]!r}")
    return int(text)


@dataclass(frozen=True, slots=True)
class SmsText:
    """What goes out for one reply."""

    text: str
    segments: int
    """How many SMS the carrier bills it as (:func:`sms_segments.count`)."""
    truncated: bool
    encoding: Encoding = Encoding.GSM7

    @property
    def note(self) -> str:
        """What the ticket says about it beside the delivery state: the SMS it is
        billed as, UCS-2 named (it is why a short reply can take several)."""
        parts = f"{self.segments} SMS"
        if self.encoding == Encoding.UCS2:
            parts += " (UCS-2)"
        if self.truncated:
            return f"{parts}; cut to {MAX_SMS_CHARS:,} characters (the whole reply is here)"
        return parts


def sms_text(body: str) -> SmsText:
    """The reply as one Twilio message: at most 1,600 characters, cut at a word.

    The cut is marked with "..." when what is kept is GSM-7 and "…" when it is
    UCS-2 already, so the mark never changes the encoding (and the bill).
    """
    text = body.strip()
    truncated = _code_units(text) > MAX_SMS_CHARS
    if truncated:
        room = MAX_SMS_CHARS - len(_CUT_MARK[Encoding.GSM7])
        kept, used = [], 0
        for c in text:
            used += _code_units(c)
            if used > room:
                break
            kept.append(c)
        cut = "".join(kept)
        space = max(cut.rfind(" "), cut.rfind("\n"))
        cut = (cut[:space] if space > MAX_SMS_CHARS // 2 else cut).rstrip()
        text = cut + _CUT_MARK[encoding_of(cut)]
    counted = count(text)
    return SmsText(text, counted.segments, truncated, counted.encoding)


def _code_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
