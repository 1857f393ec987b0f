"""`storekeeper init` and `storekeeper workspaces`: the workspaces of the database."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape

from storekeeper.cli.common import JsonOpt, console, err, exit_code, fail, listed, open_db
from storekeeper.cli.listing import print_listing
from storekeeper.domain.errors import StorekeeperError, WorkspaceExists
from storekeeper.persistence import migrate
from storekeeper.services import workspaces
from storekeeper.services.locations import DEFAULT_NAME as DEFAULT_LOCATION

workspaces_app = typer.Typer(help="The workspaces of the database.", no_args_is_help=True)


def init(
    workspace: Annotated[str | None, typer.Option(
        "--workspace", help="Name of the new workspace (default: Default, on a database without one)")] = None,
    currency: Annotated[str, typer.Option(help="ISO 4217 currency")] = "USD",
    admin_email: Annotated[str, typer.Option(help="Email of the dashboard's first admin user")]
    = "admin@example.com",
    location: Annotated[str, typer.Option(help="Name of the workspace's default location")] = DEFAULT_LOCATION,
    as_json: JsonOpt = False,
) -> None:
    """Create or upgrade the database, then a workspace with an admin key and a dashboard admin.

    The workspace starts with a default location, so stock can be recorded at once. The key and
    the admin's password are printed once. Without --workspace, init creates a workspace only in a
    database that has none; with it, only one of a new name. Otherwise it creates nothing, lists
    the workspaces there are and exits with 5 (WORKSPACE_EXISTS)."""
    db = open_db()
    migrate.upgrade(db)
    try:
        made = workspaces.provision(db, workspace, currency, admin_email, location)
    except WorkspaceExists as exc:
        err.print(f"[red]{exc.code}[/red]: {escape(exc.message)} The workspaces are:"
                  + listed(exc.details["workspaces"]))
        err.print("A new admin key: storekeeper keys create --workspace ID --name admin --scope '*'\n"
                  "A new dashboard password: storekeeper users password EMAIL --workspace ID\n"
                  "Another workspace: storekeeper init --workspace NAME")
        raise typer.Exit(exit_code(exc)) from None
    except StorekeeperError as exc:
        raise fail(exc) from None
    ws = made.workspace
    if as_json:
        print(json.dumps({"workspace_id": ws["workspace_id"], "api_key": made.api_key,
                          "admin_email": made.admin["email"], "admin_password": made.password,
                          "location": {"id": made.location["id"], "name": made.location["name"]}}))
        return
    console.print(f"Workspace [bold]{escape(ws['name'])}[/bold] ({ws['workspace_id']}), default location "
                  f"[bold]{escape(made.location['name'])}[/bold]")
    console.print(f"Admin API key (shown once, store it now): [bold green]{made.api_key}[/bold green]")
    console.print(f"Dashboard admin: [bold]{escape(made.admin['email'])}[/bold], password (shown once): "
                  f"[bold green]{made.password}[/bold green]")


@workspaces_app.command("list")
def workspaces_list(as_json: JsonOpt = False) -> None:
    """List the workspaces: the ids and names --workspace takes."""
    rows = workspaces.list_workspaces(open_db())
    if as_json:
        print(json.dumps([{"id": r["workspace_id"], "name": r["name"], "currency": r["currency"],
                           "created_at": r["created_at"].isoformat()} for r in rows]))
        return
    print_listing(console, ("id", "name", "currency", "created"),
                  [(r["workspace_id"], r["name"], r["currency"], f"{r['created_at']:%Y-%m-%d %H:%M}") for r in rows])
