"""The settings by subject: frozen, typed views over ``Settings``' flat fields.

Admins write flat keys (``imap_host`` in regentra.toml, ``REGENTRA_IMAP_HOST``), so
``Settings`` keeps them as its parsed storage; each group here is built from them
(``Settings.imap``, ``.smtp``, ``.twilio``, ``.ai``, ``.portal``) and is what the
composition root hands down: the IMAP poll gets :class:`ImapSettings`, the
assistant :class:`AiSettings`, never the whole configuration. Each group says
whether it is ``configured``. Secrets stay ``SecretStr`` in a :class:`Secret`,
read from their file only when asked and never shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import SecretStr

from .errors import ValidationError

Security = Literal["ssl", "starttls", "none"]


@dataclass(frozen=True, slots=True)
class Secret:
    """A secret setting: its value or, better, a file only the service account reads."""

    name: str
    """The setting's name (``imap_password``); its file is ``<name>_file``."""
    value: SecretStr | None = field(default=None, repr=False)
    file: Path | None = None

    def source(self) -> str | None:
        """Where it comes from (``file PATH`` or ``value``), or None if unset."""
        if self.file is not None:
            return f"file {self.file}"
        return "value" if self.value is not None else None

    def read(self) -> str | None:
        """The secret from its file, else its value; None when not set."""
        if self.file is not None:
            try:
                return self.file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ValidationError(
                    f"cannot read {self.name}_file {self.file}: {exc.strerror}"
                ) from None
        return self.value.get_secret_value() if self.value is not None else None


@dataclass(frozen=True, slots=True)
class ImapSettings:
    """The mailbox the daemon polls (``imap_*``, ``mail_poll_interval_seconds``)."""

    host: str | None
    port: int | None
    security: Security
    user: str | None
    folder: str
    processed_folder: str | None
    poll_interval_seconds: float
    ca_file: Path | None
    password: Secret

    @property
    def configured(self) -> bool:
        return bool(self.host and self.user)


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """The relay mail leaves by, and who it is from (``smtp_*``, ``support_*``)."""

    host: str | None
    port: int | None
    security: Security
    user: str | None
    sender: str | None
    """``support_address``: nothing is sent without it."""
    sender_name: str | None
    acknowledge: bool
    send_interval_seconds: float
    ca_file: Path | None
    password: Secret

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)


@dataclass(frozen=True, slots=True)
class TwilioSettings:
    """The desk's Twilio number (``twilio_*``, ``sms_*``)."""

    account_sid: str | None
    number: str | None
    api_base: str
    default_region: str
    poll_interval_seconds: float
    send_interval_seconds: float
    auth_token: Secret

    @property
    def configured(self) -> bool:
        """Account, token and number are all set (the token may be a file)."""
        return bool(self.account_sid and self.number and self.auth_token.source())


@dataclass(frozen=True, slots=True)
class AiSettings:
    """The model the assistant asks (``ai_*``); none: the rules and extractive drafts."""

    model: str = ""
    api_base: str | None = None
    timeout_seconds: float = 20.0
    include_notes: bool = False
    api_key: Secret = Secret("ai_api_key")

    @property
    def configured(self) -> bool:
        return bool(self.model)


@dataclass(frozen=True, slots=True)
class PortalSettings:
    """The web service: the customer portal and the webhooks (``portal_*``, ``public_url``)."""

    public_url: str
    name: str
    color: str
    signin_per_address: int
    signin_per_ip: int
    secret_key: Secret
    """Signs portal sessions: the portal is on when it is set."""
    chat_webhook_secret: Secret

    @property
    def configured(self) -> bool:
        return self.secret_key.source() is not None
