"""Settings: a TOML file plus ``REGENTRA_*`` environment overrides.

Read once per process by the interfaces and passed down; nothing in the core reads
the environment on its own. Secrets (IMAP password, Twilio token, LLM key) will
arrive as fields here that read from the environment or a file and are never
logged.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from . import locations
from .errors import ValidationError


class Settings(BaseSettings):
    """Regentra's configuration; every field can be set as ``REGENTRA_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="REGENTRA_", extra="ignore")

    database_url: str | None = None
    """SQLAlchemy URL or file path of the shared database; default: a file in data_dir."""

    data_dir: Path = Field(default_factory=locations.data_dir)
    """Where the default database, the demo database and logs live."""

    index_dir: Path | None = None
    """The search index folder; default: beside a SQLite database, else in data_dir."""

    worker_lease_seconds: float = 15.0
    """How long a worker's lease lasts without a heartbeat before a standby takes over."""

    worker_heartbeat_seconds: float = 5.0
    """How often the worker renews its lease (and reports its health)."""

    index_interval_seconds: float = 1.0
    """How often the worker drains the search outbox into the index."""

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
        path = locations.config_file()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    def database_target(self) -> str:
        """The database to open when the command line names none."""
        if self.database_url:
            return self.database_url
        return str(self.data_dir / "regentra.db")


def load_settings() -> Settings:
    """Read settings, turning a broken config file into one clear error."""
    try:
        return Settings()
    except Exception as exc:  # pydantic and tomllib both raise their own types
        where = locations.config_file()
        raise ValidationError(f"cannot read configuration {where or ''}: {exc}") from exc
