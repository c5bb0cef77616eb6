"""The ``regentra`` command group and its error handling.

Every refusal from the core arrives as a :class:`RegentraError` and leaves as one
line on stderr with a non-zero exit: 1 for refused or invalid input, 3 for a
stale-version conflict (so scripts can reload and retry), 2 for usage errors.
"""

from __future__ import annotations

import importlib
from typing import Any

import click
from click.exceptions import NoArgsIsHelpError

from regentra_core import ConflictError, RegentraError, undecodable, visible_bytes

from .. import __version__
from .context import CliContext

EXIT_REFUSED = 1
EXIT_CONFLICT = 3


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command runs.

    ``lazy`` maps each command to ``(module, attribute, short help)``: the group's
    ``--help`` lists them without importing any, and running one imports its module
    alone (a test holds each table to the commands themselves).
    """

    lazy: dict[str, tuple[str, str, str]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, attribute, _ = self.lazy[cmd_name]
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        rows = []
        for name in self.list_commands(ctx):
            if name in self.commands:
                command = self.commands[name]
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                rows.append((name, _shortened(self.lazy[name][2], limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class RegentraGroup(LazyGroup):
    """The root group: its commands imported lazily (``regentra ticket show`` imports
    the ticket commands alone), and core errors turned into one clean line."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # Python hands undecodable argv bytes over as surrogates; refuse them here,
        # once for every command, before they reach a parser or the database.
        for position, arg in enumerate(args, start=1):
            if undecodable(arg):
                raise click.ClickException(
                    f"argument {position} is not valid UTF-8 text: {visible_bytes(arg)!r} "
                    "(check the terminal's or the script's encoding)"
                )
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _one_line(exc) from exc

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc) from exc
        except ConflictError as exc:
            raise _Conflict(str(exc)) from exc
        except RegentraError as exc:
            raise click.ClickException(str(exc)) from exc
        except OverflowError as exc:
            # A last net: every known path validates its numbers and dates first.
            raise click.ClickException(f"a number or date is out of range ({exc})") from exc


def _shortened(text: str, limit: int) -> str:
    """Click's short help of a command whose help is ``text``, cut at ``limit``."""
    return click.Command(None, help=text).get_short_help_str(limit)


class _Conflict(click.ClickException):
    exit_code = EXIT_CONFLICT


def _one_line(exc: click.UsageError) -> click.ClickException:
    """What a usage error becomes: help for a bare group, one line for the rest.

    A group typed without its command (``regentra ticket``) is a request for its
    help: printed, exit 0. A value outside a fixed list (``ticket status 1001
    bogus``) is invalid input, exit 1, naming the argument and its choices once
    (Click names the argument by its list and lists it again). Every other usage
    error stays exit 2.
    """
    if isinstance(exc, NoArgsIsHelpError) and exc.ctx is not None:
        click.echo(exc.ctx.get_help())
        raise click.exceptions.Exit(0)
    param = exc.param if isinstance(exc, click.BadParameter) else None
    if (
        isinstance(exc, click.BadParameter)
        and param is not None
        and isinstance(param.type, click.Choice)
    ):
        choices = ", ".join(str(c) for c in param.type.choices)
        name = param.opts[0] if isinstance(param, click.Option) else (param.name or "").upper()
        where = f"; see '{exc.ctx.command_path} --help'" if exc.ctx is not None else ""
        return _Invalid(f"invalid {name}{_given(exc)}: choose one of {choices}{where}")
    return _OneLineUsage.of(exc)


def _given(exc: click.BadParameter) -> str:
    """`` 'bogus'``: the value as Click's message quotes it (nothing if it does not)."""
    said = exc.message
    if said.startswith("'") and "' is not" in said:
        return " " + said[: said.index("' is not") + 1]
    return ""


class _Invalid(click.ClickException):
    exit_code = EXIT_REFUSED


class _OneLineUsage(click.UsageError):
    """A usage error as one line, naming where help is (click prints three)."""

    @classmethod
    def of(cls, exc: click.UsageError) -> click.UsageError:
        return exc if isinstance(exc, cls) else cls(exc.format_message(), exc.ctx)

    def show(self, file: Any = None) -> None:
        where = f"; see '{self.ctx.command_path} --help'" if self.ctx is not None else ""
        click.echo(f"Error: {self.format_message().rstrip('.')}{where}", err=True)


@click.group(cls=RegentraGroup, invoke_without_command=True)
@click.option(
    "--db",
    "db_option",
    metavar="PATH|URL",
    help="Database file or SQLAlchemy URL (default: $REGENTRA_DATABASE_URL, then config).",
)
@click.version_option(__version__, prog_name="regentra")
@click.pass_context
def cli(ctx: click.Context, db_option: str | None) -> None:
    """Regentra: a keyboard-first helpdesk for MSP technicians.

    Without a command, opens the terminal app on the configured database.
    """
    state = CliContext(db_option=db_option)
    ctx.obj = state
    ctx.call_on_close(state.close)
    if ctx.invoked_subcommand is None:
        from .launch import launch_app

        launch_app(state)
