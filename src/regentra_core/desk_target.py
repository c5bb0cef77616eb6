"""Which desk ``Settings.database_target`` names, found without pydantic.

``regentra ticket show`` and ``ticket list`` read through ``plain_reads`` to start
fast, but building ``Settings`` imports pydantic and pydantic-settings: about half
of such a command's time. The desk it opens depends on two settings only,
``database_url`` and ``data_dir``, each taken from the first source that has it,
in ``Settings``' order: the environment (``REGENTRA_*``), the account's config
file, the host's config file, then the default (``locations.data_dir()``).
:func:`resolve_target` applies that order to values already read (pure);
:func:`light_database_target` reads them, as ``Settings`` does.

Whatever this module is not sure of raises :class:`PlainUnavailable`, so the
command builds ``Settings`` and the ORM path decides (and refuses in its one line
where it should): a config file it cannot read or parse, a value that is not a
string (``Settings`` refuses it), a name spelt in another case (pydantic-settings
matches names without regard to case, and which spelling wins is its business).
On a shared host a different answer would open another desk, so
``tests/core/test_desk_target.py`` holds this module equal to
``Settings().database_target()`` over a matrix of environments and files.

It does not check the other settings: a read command whose config holds an
invalid value for, say, ``spike_count`` still reads the desk the config names
(every command that uses that value still refuses it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from . import locations
from .errors import PlainUnavailable

FIELDS = ("database_url", "data_dir")
"""The settings the target depends on (``Settings.database_target``)."""

ENV_PREFIX = "REGENTRA_"
"""As ``Settings.model_config['env_prefix']``."""

DATABASE_FILE = "regentra.db"
"""The file in ``data_dir`` when no ``database_url`` is set."""


def resolve_target(
    sources: Sequence[Mapping[str, object]], default_data_dir: Callable[[], Path]
) -> str:
    """``Settings.database_target()`` over ``sources``, highest precedence first.

    Each source maps setting names (``database_url``, ``data_dir``) to values as read
    (environment strings, TOML values); a setting comes from the first source that
    has it, even an empty one (an empty ``REGENTRA_DATABASE_URL`` hides the file's).
    """
    url = _first(sources, "database_url")
    if url is not None and not isinstance(url, str):
        raise PlainUnavailable("database_url is not a string: Settings refuses it")
    if url:
        return url
    folder = _first(sources, "data_dir")
    if folder is None:
        return str(default_data_dir() / DATABASE_FILE)
    if not isinstance(folder, str) or "\x00" in folder:
        raise PlainUnavailable("data_dir is not a path: Settings refuses it")
    return str(Path(folder) / DATABASE_FILE)


def environment_source(environ: Mapping[str, str]) -> dict[str, object]:
    """The target's settings the environment sets (``REGENTRA_DATABASE_URL``...)."""
    found: dict[str, object] = {}
    for field in FIELDS:
        name = ENV_PREFIX + field.upper()
        _refuse_other_spellings(environ, name, "environment variable")
        if name in environ:
            found[field] = environ[name]
    return found


def file_source(table: Mapping[str, object], path: Path) -> dict[str, object]:
    """The target's settings a config file's top-level ``table`` sets."""
    found: dict[str, object] = {}
    for field in FIELDS:
        _refuse_other_spellings(table, field, f"key in {path}")
        if field in table:
            found[field] = table[field]
    return found


def light_database_target(environ: Mapping[str, str] | None = None) -> str:
    """The desk ``Settings().database_target()`` names, read without pydantic;
    PlainUnavailable where this module is not sure (see the module docstring)."""
    env = os.environ if environ is None else environ
    sources: list[Mapping[str, object]] = [environment_source(env)]
    # config_files() is lowest precedence first (the host's, then yours).
    for path in reversed(locations.config_files()):
        sources.append(file_source(_read_table(path), path))
    return resolve_target(sources, locations.data_dir)


def _first(sources: Sequence[Mapping[str, object]], field: str) -> object | None:
    for source in sources:
        if field in source:
            return source[field]
    return None


def _refuse_other_spellings(names: Mapping[str, object], exact: str, what: str) -> None:
    """PlainUnavailable if ``names`` spells ``exact`` in another case: pydantic-settings
    would read it too, and which of two spellings wins is not ours to guess."""
    for name in names:
        if name != exact and name.lower() == exact.lower():
            raise PlainUnavailable(f"{what} {name!r}: left to Settings")


def _read_table(path: Path) -> Mapping[str, object]:
    """A config file's top-level table; PlainUnavailable when it is not a readable
    TOML file (``load_settings`` then says why, in one line)."""
    import tomllib

    try:
        if not path.is_file():
            raise PlainUnavailable(f"{path} is not a file")
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PlainUnavailable(f"cannot read {path}: {exc}") from exc
