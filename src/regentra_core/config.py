"""Settings: a TOML file plus ``REGENTRA_*`` environment overrides.

Read once per process by the interfaces and passed down; nothing in the core reads
the environment on its own.

Two files may be in effect: the host's ``/etc/regentra/config.toml`` (written by
``regentra init --shared``, readable by everyone, so it never holds a secret) and
then the account's own, which wins. Secrets (IMAP and SMTP passwords, the Twilio
token, webhook and portal keys, the LLM key) are read from the environment or,
better, from a ``<name>_file`` readable only by the service account; they are
never logged and never stored in the database. ``regentra doctor`` reports them
as set / not set.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from . import locations
from .attachments import limit_bytes
from .config_groups import (
    AiSettings,
    ImapSettings,
    PortalSettings,
    Secret,
    SmtpSettings,
    TwilioSettings,
)
from .desk_config import DeskConfig, Shelf
from .errors import ValidationError
from .mail_identity import MailIdentity
from .sharing import HOST_FILE_MODE, make_host_dir, mode_text, owner_text
from .spike import SpikePolicy


class Settings(BaseSettings):
    """Regentra's configuration; every field can be set as ``REGENTRA_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="REGENTRA_", extra="ignore")

    database_url: str | None = None
    """SQLAlchemy URL or file path of the shared database; default: a file in data_dir."""

    data_dir: Path = Field(default_factory=locations.data_dir)
    """Where the default database, the demo database and logs live."""

    index_dir: Path | None = None
    """The search index folder; default: beside a SQLite database, else in data_dir."""

    search_engine: Literal["whoosh", "postgresql"] = "whoosh"
    """Who answers searches: ``whoosh`` (an index folder on each host) or, on a
    PostgreSQL desk with several hosts, ``postgresql`` (its own full-text search,
    in the database, so every host answers the same). The worker builds it."""

    worker_lease_seconds: float = 15.0
    """How long a worker's lease lasts without a heartbeat before a standby takes over."""

    worker_heartbeat_seconds: float = 5.0
    """How often the worker renews its lease (and reports its health)."""

    worker_clock_tolerance_seconds: float = Field(default=30.0, gt=0)
    """How far a worker's clock may be from the database's: beyond it the worker
    runs no jobs and gives up the lease (auto-close and SLA breaches must not come
    early because one host's clock is wrong)."""

    index_interval_seconds: float = 1.0
    """How often the worker drains the search outbox into the index."""

    support_address: str | None = None
    """The desk's own address: mail from it is a loop, replies go out from it."""

    support_name: str | None = Field(default=None, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")
    """The name mail from the desk carries (``Acme MSP Support <help@...>``); unset:
    the bare address."""

    mail_rate_limit: int = 20
    """New tickets one sender may open by mail per hour; more are held back (skipped)."""

    skipped_mail_retention_days: int = Field(default=30, ge=1)
    """How long held-back mail keeps its source for a technician to accept
    (``regentra mail skipped``); the worker forgets it after that."""

    max_attachment_mb: float = 25.0
    """Attachments above this size are listed on the reply but not saved."""

    imap_host: str | None = None
    """The mailbox to poll; unset: no IMAP poll (mail may still arrive by pipe)."""
    imap_port: int | None = None
    """Default: 993 for ssl, 143 otherwise."""
    imap_security: Literal["ssl", "starttls", "none"] = "ssl"
    """How to protect the IMAP connection (``none`` only on loopback)."""
    imap_user: str | None = None
    """The mailbox login (the password is a secret: ``imap_password_file``)."""
    imap_folder: str = "INBOX"
    """The folder new mail arrives in."""
    imap_processed_folder: str | None = None
    """Move stored mail here (created if missing); unset: flag it read instead."""
    mail_poll_interval_seconds: float = 60.0
    """How often the worker daemon polls the mailbox."""

    smtp_host: str | None = None
    """The SMTP relay for outgoing mail; unset: nothing is sent (replies stay queued)."""
    smtp_port: int | None = None
    """Default: 465 for ssl, 587 for starttls, 25 for none."""
    smtp_security: Literal["ssl", "starttls", "none"] = "starttls"
    """How to protect the SMTP connection (``none`` only for a relay on loopback)."""
    smtp_user: str | None = None
    """The SMTP login, if the relay wants one (the password is a secret, see below)."""
    mail_acknowledge: bool = True
    """Send an acknowledgement with its number for each new email ticket (with SMTP)."""
    mail_send_interval_seconds: float = 10.0
    """How often the worker daemon sends queued mail."""
    mail_ca_file: Path | None = None
    """A CA certificate (PEM) trusted for IMAP and SMTP besides the system's, for a
    mail server whose certificate an internal CA signed. Certificates and host names
    are always verified."""

    public_url: str = "http://127.0.0.1:8025"
    """Where customers and Twilio reach ``regentra serve`` (links in mail, and the
    address Twilio signs its webhooks with): set it to the address behind the proxy."""
    portal_name: str = "Support"
    """The name the customer portal shows."""
    portal_color: str = Field(default="#1f6feb", pattern=r"^#[0-9a-fA-F]{6}$")
    """The portal's accent colour, ``#rrggbb`` (it goes into the page's CSS)."""
    portal_signin_per_address: int = Field(default=3, ge=1)
    """Sign-in links one contact is sent per hour; more requests get the same page
    and send nothing (250 requests once mailed one contact 251 links)."""
    portal_signin_per_ip: int = Field(default=20, ge=1)
    """Sign-in requests one client address may make per hour (counted by each
    ``regentra serve`` process); more get the same page and do nothing."""
    twilio_account_sid: str | None = None
    """The Twilio account (``AC...``); with the token and number, SMS is on."""
    twilio_number: str | None = None
    """The desk's Twilio number, E.164 (``+15550100``)."""
    twilio_api_base: str = "https://api.twilio.com"
    """Twilio's REST API (tests point it at a local stand-in)."""
    sms_default_region: str = "US"
    """Country (ISO 3166 code) for numbers written without ``+``."""
    sms_poll_interval_seconds: float = 0.0
    """How often the daemon fetches inbound SMS from Twilio; 0 (the default) for a
    desk Twilio reaches by webhook."""
    sms_send_interval_seconds: float = 10.0
    """How often the worker daemon sends queued SMS."""

    shared_group: str | None = None
    """The Unix group of a shared desk (set by ``init --shared``; ``doctor`` checks it)."""

    imap_password: SecretStr | None = None
    """The IMAP mailbox password (prefer ``imap_password_file``)."""
    imap_password_file: Path | None = None
    """A file, readable only by the service account, holding the IMAP password."""

    smtp_password: SecretStr | None = None
    """The SMTP relay password (prefer ``smtp_password_file``)."""
    smtp_password_file: Path | None = None
    """A file, readable only by the service account, holding the SMTP password."""

    twilio_auth_token: SecretStr | None = None
    """The Twilio auth token (prefer ``twilio_auth_token_file``)."""
    twilio_auth_token_file: Path | None = None
    """A file, readable only by the service account, holding the Twilio token."""

    chat_webhook_secret: SecretStr | None = None
    """The shared secret that signs live-chat webhooks (prefer the ``_file``)."""
    chat_webhook_secret_file: Path | None = None
    """A file, readable only by the service account, holding the chat secret."""

    portal_secret_key: SecretStr | None = None
    """The key that signs portal sessions (prefer the ``_file``)."""
    portal_secret_key_file: Path | None = None
    """A file, readable only by the service account, holding the portal key."""

    ai_model: str = ""
    """A litellm model name (``openai/gpt-4o-mini``, ``ollama/llama3``...); empty means
    no model: the rule analyzer and extractive drafts answer instead."""
    ai_api_base: str | None = None
    """The model server's address (an OpenAI-compatible local server, say)."""
    ai_timeout_seconds: float = Field(default=20.0, gt=0, le=600)
    """How long one model call may take before the rules or extractive draft answer."""
    ai_include_notes: bool = False
    """Let internal notes into prompts (off: what is private stays private)."""

    spike_enabled: bool = True
    """The ticket-spike policy: a burst of tickets raises LOW/MEDIUM ones to HIGH."""
    spike_count: int = Field(default=5, ge=2, le=1000)
    """Tickets from one client (or with near-identical subjects) that make a spike."""
    spike_minutes: int = Field(default=30, ge=1, le=24 * 60)
    """The window those tickets must arrive in."""

    def spike_policy(self) -> SpikePolicy:
        return SpikePolicy(self.spike_enabled, self.spike_count, self.spike_minutes)

    def desk_config(self) -> DeskConfig:
        """The policies the desk's use cases apply: the spike policy, who mail is
        from, where a technician's files are kept and how big one may be."""
        shelf = Shelf(self.attachments_dir(), limit_bytes(self.max_attachment_mb))
        return DeskConfig(self.spike_policy(), self.mail_identity(), shelf)

    ai_api_key: SecretStr | None = None
    """The AI model provider's API key (prefer ``ai_api_key_file``)."""
    ai_api_key_file: Path | None = None
    """A file, readable only by the service account, holding the LLM key."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        # Earlier sources win: the account's file before the host's.
        for path in reversed(locations.config_files()):
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    def database_target(self) -> str:
        """The database to open when the command line names none."""
        if self.database_url:
            return self.database_url
        return str(self.data_dir / "regentra.db")

    # -- the groups the composition root hands down (config_groups) ---------------

    @property
    def imap(self) -> ImapSettings:
        return ImapSettings(
            host=self.imap_host,
            port=self.imap_port,
            security=self.imap_security,
            user=self.imap_user,
            folder=self.imap_folder,
            processed_folder=self.imap_processed_folder,
            poll_interval_seconds=self.mail_poll_interval_seconds,
            ca_file=self.mail_ca_file,
            password=self.secret_setting("imap_password"),
        )

    @property
    def smtp(self) -> SmtpSettings:
        return SmtpSettings(
            host=self.smtp_host,
            port=self.smtp_port,
            security=self.smtp_security,
            user=self.smtp_user,
            sender=self.support_address,
            sender_name=self.support_name,
            acknowledge=self.mail_acknowledge,
            send_interval_seconds=self.mail_send_interval_seconds,
            ca_file=self.mail_ca_file,
            password=self.secret_setting("smtp_password"),
        )

    @property
    def twilio(self) -> TwilioSettings:
        return TwilioSettings(
            account_sid=self.twilio_account_sid,
            number=self.twilio_number,
            api_base=self.twilio_api_base,
            default_region=self.sms_default_region,
            poll_interval_seconds=self.sms_poll_interval_seconds,
            send_interval_seconds=self.sms_send_interval_seconds,
            auth_token=self.secret_setting("twilio_auth_token"),
        )

    @property
    def ai(self) -> AiSettings:
        return AiSettings(
            model=self.ai_model,
            api_base=self.ai_api_base,
            timeout_seconds=self.ai_timeout_seconds,
            include_notes=self.ai_include_notes,
            api_key=self.secret_setting("ai_api_key"),
        )

    @property
    def portal(self) -> PortalSettings:
        return PortalSettings(
            public_url=self.public_url,
            name=self.portal_name,
            color=self.portal_color,
            signin_per_address=self.portal_signin_per_address,
            signin_per_ip=self.portal_signin_per_ip,
            secret_key=self.secret_setting("portal_secret_key"),
            chat_webhook_secret=self.secret_setting("chat_webhook_secret"),
        )

    @property
    def imap_configured(self) -> bool:
        return self.imap.configured

    @property
    def smtp_configured(self) -> bool:
        return self.smtp.configured

    @property
    def sms_configured(self) -> bool:
        """Twilio account, token and number are all set (the token may be a file)."""
        return self.twilio.configured

    def attachments_dir(self) -> Path:
        """Where attachments are saved (the desk folder's ``attachments``)."""
        return self.data_dir / "attachments"

    def mail_identity(self) -> MailIdentity:
        """Who the desk's mail is from, with the portal's address when it is on."""
        portal = self.portal
        url = portal.public_url if portal.configured else None
        return MailIdentity(self.support_address, self.support_name or None, url)

    def own_addresses(self) -> frozenset[str]:
        """Addresses whose mail is our own (a loop), lower case."""
        return frozenset({self.support_address.lower()} if self.support_address else set())

    def secret_setting(self, name: str) -> Secret:
        """Secret ``name`` (one of ``SECRETS``) with its file, as its group holds it."""
        if name not in SECRETS:
            raise KeyError(name)
        return Secret(name, getattr(self, name), getattr(self, f"{name}_file"))

    def secrets(self) -> tuple[Secret, ...]:
        """Every secret setting, set or not (``doctor`` reports each)."""
        return tuple(self.secret_setting(name) for name in SECRETS)

    def secret_source(self, name: str) -> str | None:
        """Where secret ``name`` comes from (``file PATH`` or ``value``), or None if unset."""
        return self.secret_setting(name).source()

    def secret(self, name: str) -> str | None:
        """The secret ``name`` from its file, else its value; None when not set."""
        return self.secret_setting(name).read()


SECRETS = (
    "imap_password",
    "smtp_password",
    "twilio_auth_token",
    "chat_webhook_secret",
    "portal_secret_key",
    "ai_api_key",
)
"""Every setting that is a secret; each also has a ``<name>_file`` form."""


def load_settings() -> Settings:
    """Read settings, turning a broken config file into one clear error."""
    for path in locations.config_files():
        check_config_file(path)
    try:
        return Settings()
    except Exception as exc:  # pydantic and tomllib both raise their own types
        where = " and ".join(str(p) for p in locations.config_files())
        raise ValidationError(f"cannot read configuration {where}: {_first_line(exc)}") from exc


def check_config_file(path: Path) -> None:
    """Refuse a config file this account cannot use, in one line with the fix.

    A file that is there but unreadable must not be skipped (the account would run
    on another desk's defaults) nor end in a traceback: the message names what
    blocks it (the file or a folder above it), its owner and mode, and the command
    that fixes it.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except IsADirectoryError:
        st = path.stat()
        raise ValidationError(
            f"cannot read configuration {path}: a folder ({owner_text(st)} mode "
            f"{mode_text(st)}), not a TOML file; remove it (rmdir {path}) or point the "
            "setting elsewhere"
        ) from None
    except PermissionError as exc:
        raise ValidationError(_unreadable(path, exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read configuration {path}: {_first_line(exc)}") from None
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(
            f"cannot read configuration {path}: not valid TOML ({_first_line(exc)}); "
            "correct that line"
        ) from None


def _unreadable(path: Path, exc: OSError) -> str:
    """Why ``path`` cannot be read, naming the file or folder that is closed."""
    blocker, fix_mode = path, "644"
    for folder in reversed(path.parents):  # from / down: the first one we cannot enter
        if not os.access(folder, os.X_OK):
            blocker, fix_mode = folder, "755"
            break
    try:
        st = blocker.stat()
        who, mode = owner_text(st), mode_text(st)
        owner = who.split(":")[0]
    except OSError:
        who = mode = owner = "?"
    what = "its folder " if blocker != path else ""
    return (
        f"cannot read configuration {path}: {exc.strerror}; {what}{blocker} is {who} mode "
        f"{mode}: fix it as {owner}: chmod {fix_mode} {blocker}"
    )


def write_site_config(path: Path, values: dict[str, str]) -> None:
    """Set ``values`` in the host-wide config at ``path``, keeping its other keys.

    The file is readable by every account (it only names the desk), so a secret in
    it is refused rather than written.
    """
    leaked = [k for k in values if k in SECRETS]
    if leaked:
        raise ValidationError(f"secrets do not belong in the shared config: {', '.join(leaked)}")
    current: dict[str, object] = {}
    if path.is_file():
        try:
            current = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValidationError(f"cannot read {path}: {_first_line(exc)}") from exc
    current.update(values)
    lines = [
        "# Regentra host-wide config (written by 'regentra init --shared').",
        "# Readable by every account: never put a secret here.",
    ]
    for key, value in current.items():
        if isinstance(value, dict | list):
            raise ValidationError(f"{path} has a table or list at {key!r}; edit it by hand")
        lines.append(
            f"{key} = {json.dumps(value) if not isinstance(value, bool) else str(value).lower()}"
        )
    make_host_dir(path.parent)
    try:
        tmp = path.with_name(path.name + ".new")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tmp.chmod(HOST_FILE_MODE)
        tmp.replace(path)
    except OSError as exc:
        raise ValidationError(f"cannot write {path}: {exc.strerror}") from exc


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
