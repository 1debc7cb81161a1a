"""What every `onhand` command shares: the consoles, the --home option, and the one
place where a domain error becomes a message and an exit code.

Command groups in other modules (write-back, users, audit, mining) import these
so that every command behaves the same way.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console

from lakehouse.errors import OnhandError

# Piped into a file or a scheduler's log there is no terminal width: use a wide one so
# that tables of large figures are never cut.
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 140)
errors = Console(stderr=True, soft_wrap=True)

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="Workspace folder (default: $ONHAND_HOME, else ./data).",
                 show_default=False),
]
P = ParamSpec("P")
R = TypeVar("R")


def handled(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a domain error into a clear message and exit code 1."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except OnhandError as error:
            errors.print(f"[bold red]error:[/] {error}", highlight=False)
            raise typer.Exit(1) from None

    return run
