"""What the `storekeeper` commands share: the consoles, the database, the exit code of an error,
and the workspace a command acts on."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from storekeeper.config import get_settings
from storekeeper.domain.errors import StorekeeperError
from storekeeper.persistence.database import Database
from storekeeper.services import workspaces

console = Console(soft_wrap=True)
err = Console(stderr=True)

# Exit codes by error class, most specific first (mirrors api/errors.py).
EXIT_CODES = [("ValidationFailed", 2), ("NotFound", 4), ("Conflict", 5), ("StorekeeperError", 1)]


def exit_code(exc: StorekeeperError) -> int:
    names = {cls.__name__ for cls in type(exc).__mro__}
    return next(code for name, code in EXIT_CODES if name in names)


def fail(exc: StorekeeperError) -> typer.Exit:
    err.print(f"[red]{exc.code}[/red]: {escape(exc.message)}")
    for field, messages in getattr(exc, "fields", {}).items():
        err.print(f"  {escape(field)}: {escape(' '.join(messages))}")
    return typer.Exit(exit_code(exc))


def open_db() -> Database:
    settings = get_settings()
    return Database(settings.database_url, settings)


def listed(candidates: list[dict]) -> str:
    """Workspaces as the lines of a message: id and name."""
    return "".join(f"\n  {ws['workspace_id']}  {escape(ws['name'])}" for ws in candidates)


def pick_workspace(db: Database, workspace: str | None) -> str:
    """The workspace named by --workspace (its id, or a name no other workspace has), or the only
    one there is. When that is not one workspace, the message lists the candidates."""
    all_workspaces = workspaces.list_workspaces(db)
    if workspace:
        by_id = [ws for ws in all_workspaces if ws["workspace_id"] == workspace]
        matches = by_id or [ws for ws in all_workspaces if ws["name"] == workspace]
        if len(matches) == 1:
            return matches[0]["workspace_id"]
        if matches:
            err.print(f"[red]Several workspaces are named {escape(repr(workspace))}: name one by its id:[/red]"
                      + listed(matches))
            raise typer.Exit(2)
        if all_workspaces:
            err.print(f"[red]No workspace {escape(repr(workspace))}.[/red] The workspaces are:"
                      + listed(all_workspaces))
        else:
            err.print(f"[red]No workspace {escape(repr(workspace))}: there is none yet; run `storekeeper init`.[/red]")
        raise typer.Exit(4)
    if len(all_workspaces) == 1:
        return all_workspaces[0]["workspace_id"]
    if not all_workspaces:
        err.print("[red]No workspace yet: run `storekeeper init` first.[/red]")
    else:
        err.print("[red]There are several workspaces: name one with --workspace ID.[/red]" + listed(all_workspaces))
    raise typer.Exit(2)


WorkspaceOpt = Annotated[str | None, typer.Option("--workspace", "-w", help="Workspace id or name")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON")]
