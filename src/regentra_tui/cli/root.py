"""The ``regentra`` command group and its error handling.

Every refusal from the core arrives as a :class:`RegentraError` and leaves as one
line on stderr with a non-zero exit: 1 for refused or invalid input, 3 for a
stale-version conflict (so scripts can reload and retry), 2 for usage errors.
"""

from __future__ import annotations

from typing import Any

import click

from regentra_core.errors import ConflictError, RegentraError
from regentra_core.text import undecodable, visible_bytes

from .context import CliContext

EXIT_REFUSED = 1
EXIT_CONFLICT = 3


class RegentraGroup(click.Group):
    """A group that turns core errors into one clean line."""

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
            raise _OneLineUsage.of(exc) from exc

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _OneLineUsage.of(exc) from exc
        except ConflictError as exc:
            raise _Conflict(str(exc)) from exc
        except RegentraError as exc:
            raise click.ClickException(str(exc)) from exc
        except OverflowError as exc:
            # A last net: every known path validates its numbers and dates first.
            raise click.ClickException(f"a number or date is out of range ({exc})") from exc


class _Conflict(click.ClickException):
    exit_code = EXIT_CONFLICT


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
@click.version_option(package_name="regentra-tui", prog_name="regentra")
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
